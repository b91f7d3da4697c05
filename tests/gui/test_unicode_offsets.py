"""Emoji and combining marks: spans made by mouse selection cover the characters the user saw.

The store counts code points, Qt counts UTF-16 units (an emoji is two, a family emoji eight), so
any slip in the mapping shifts every span after the first emoji.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QTextCursor

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.models.annotation_list import SpanIdRole
from tests.gui.conftest import Key, Mod, User, disk_spans, find

TEXT = (
    "Launch report 🚀\n"
    "Gen. X\u0323avier Ođin 🚀 said the 👩\u200d👩\u200d👧 families near the Zénith-3 rockets "
    "🇪🇪 would be safe, and q\u0303uoted “no 🛰 will fall”.\n"
)


@pytest.fixture
def window(probe: Workspace, open_main: Callable[..., MainWindow]) -> MainWindow:
    probe.documents.add(TEXT, key="emoji", title="Launch report 🚀")
    window = open_main()
    assert window.session.document.key == "emoji"
    return window


def shown_text(window: MainWindow, start: int, end: int) -> str:
    """What the view holds between the Qt positions the editor uses for a span."""
    offsets = window.editor.offsets
    cursor = QTextCursor(window.text_view.document())
    cursor.setPosition(offsets.to_qt(start))
    cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def test_spans_after_emoji_cover_the_selected_characters(
    window: MainWindow, user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    me = user(window)
    doc_id = window.session.document.id
    assert not window.editor.offsets.identity

    zenith = find(TEXT, "Zénith-3 rockets")
    me.drag(zenith[0] + 2, zenith[1] - 2)
    me.key(Key.Key_S)
    speaker = find(TEXT, "X\u0323avier Ođin")
    me.drag(speaker[0] + 3, speaker[1] - 1)  # from inside "avier" to inside "Ođin"
    me.key(Key.Key_K)
    exact = find(TEXT, "Ođin 🚀")
    me.drag(*exact)
    me.key(Key.Key_T, Mod.AltModifier)
    quoted = find(TEXT, "q\u0303uoted")
    me.drag(quoted[0] + 3, quoted[1] - 1)
    me.key(Key.Key_W)

    spans = disk_spans(probe, "alice", doc_id)
    got = {label: (start, end) for start, end, label, _ in spans.values()}
    assert got == {"STATEMENT": zenith, "SPEAKER": speaker, "TARGET": exact, "WEAPON": quoted}
    assert TEXT[slice(*got["SPEAKER"])] == "X\u0323avier Ođin"  # the mark stays with its X

    model = window.ann_model
    highlighter = window.editor.highlighter
    for row in range(model.rowCount()):
        span_id = model.data(model.index(row, 0), SpanIdRole)
        start, end, _, _ = spans[span_id]
        assert model.data(model.index(row, 1)) == TEXT[start:end]
        assert shown_text(window, start, end) == TEXT[start:end]
        first, last = window.editor.offsets.to_qt(start), window.editor.offsets.to_qt(end) - 1
        assert span_id in {h.id for h in highlighter.spans_at(first)}
        assert span_id in {h.id for h in highlighter.spans_at(last)}
        assert span_id not in {h.id for h in highlighter.spans_at(last + 1)}


def test_resizing_across_emoji_and_combining_marks(
    window: MainWindow, user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    me = user(window)
    doc_id = window.session.document.id
    start, end = find(TEXT, "families")
    me.drag(start + 1, end - 1)
    me.key(Key.Key_T)
    target = window.editor.selected
    me.key(Key.Key_Left, Mod.AltModifier | Mod.ShiftModifier)  # over the family emoji to "the"
    assert disk_spans(probe, "alice", doc_id)[target][:2] == find(
        TEXT, "the 👩\u200d👩\u200d👧 families"
    )
    me.key(Key.Key_Right, Mod.AltModifier | Mod.ShiftModifier)
    assert disk_spans(probe, "alice", doc_id)[target][:2] == (start, end)
    assert shown_text(window, start, end) == "families"


def test_hovering_a_span_describes_it(open_main) -> None:
    window = open_main()
    doc = window.workspace.documents.by_key("demo-01")
    window.open_document(doc.id)
    weapon = next(s for s in window.session.spans.values() if s.label == "WEAPON")
    text = window.editor.describe_at(window.editor.offsets.to_qt(weapon.start))
    assert text is not None
    assert "WEAPON" in text and f"weapon_type: {weapon.attributes['weapon_type']}" in text
    assert window.editor.describe_at(0) is None or "WEAPON" not in window.editor.describe_at(0)


def _formats_at(window, offset: int) -> list:
    doc = window.text_view.document()
    block = doc.findBlock(window.editor.offsets.to_qt(offset))
    return [f for f in block.layout().formats() if f.format.background().style() != 0]


def test_a_long_article_is_highlighted_wherever_it_is_scrolled(qtbot, url, open_main) -> None:
    """Blocks far below the first screen get their colours once they are scrolled into view."""
    from annotator.core.services.workspace import Workspace

    paragraphs = [
        f"Paragraph {i}: the minister said missiles would be deployed." for i in range(600)
    ]
    with Workspace(url) as ws:
        doc = ws.documents.add("Long article\n" + "\n".join(paragraphs), key="long", title="Long")
        alice = ws.annotations("alice")
        text = ws.documents.get(doc.id).text
        last = text.rindex("missiles")
        first = text.index("missiles")
        alice.create_span(doc.id, first, first + len("missiles"), "WEAPON")
        alice.create_span(doc.id, last, last + len("missiles"), "WEAPON")
    window = open_main()
    window.open_document(doc.id)
    qtbot.waitUntil(lambda: bool(_formats_at(window, first)))
    assert not _formats_at(window, last)  # not formatted before it is seen: that is the point
    bar = window.text_view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: bool(_formats_at(window, last)))
