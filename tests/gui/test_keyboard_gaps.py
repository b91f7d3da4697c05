"""The window as a daily tool from the keyboard (issue 13, defects 5, 6 and 7): relabelling,
removing a link, replacing a speaker, bool and text values, a visible caret, find in the
article, jumps by sentence, paragraph and quote, statements kept in one paragraph, reopening
a done document."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.text_view import CARET
from tests.gui.conftest import Key, Mod, User, assert_screen_is_disk, disk_spans, find
from tests.gui.painted import window_image

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"
OLMOS = "Rafael Olmos Peña"


def shown(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def links(probe: Workspace, window: MainWindow) -> set[tuple[str, int, int]]:
    assert window.session is not None
    doc_id = window.session.document.id
    return {
        (r.label, r.source_id, r.target_id) for r in probe.annotations("alice").relations(doc_id)
    }


def caret(window: MainWindow) -> tuple[int, int]:
    """The text selection in code points (anchor, position)."""
    cursor = window.text_view.textCursor()
    offsets = window.editor.offsets
    return offsets.from_qt(cursor.anchor()), offsets.from_qt(cursor.position())


def test_a_label_key_on_a_selected_span_changes_its_label_in_one_undo_step(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    start, end = me.select_words(OLMOS, inset=1)
    me.key(Key.Key_K)
    me.key(Key.Key_2)  # speaker_type = body
    span = window.editor.selected
    assert disk_spans(probe, "alice", doc_id)[span] == (
        start,
        end,
        "SPEAKER",
        {"speaker_type": "body"},
    )

    me.key(Key.Key_T)  # no text selected: the selected SPEAKER becomes a TARGET
    assert disk_spans(probe, "alice", doc_id)[span] == (start, end, "TARGET", {})
    assert "SPEAKER → TARGET; speaker_type dropped" in shown(window)
    assert window.editor.selected == span
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier)  # one step back: label and value
    assert disk_spans(probe, "alice", doc_id)[span] == (
        start,
        end,
        "SPEAKER",
        {"speaker_type": "body"},
    )
    assert_screen_is_disk(window, probe)

    me.key(Key.Key_K)  # its own label's key: nothing to change, said so
    assert "already a SPEAKER" in shown(window)

    # While linking, a label's key makes a new span from selected text: it never relabels.
    me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    me.key(Key.Key_T, Mod.ShiftModifier)
    me.key(Key.Key_T)
    assert disk_spans(probe, "alice", doc_id)[window.editor.selected][2] == "STATEMENT"
    assert "select some text first" in shown(window)
    me.key(Key.Key_Escape)
    me.key(Key.Key_Z, Mod.ControlModifier)

    # A statement linked to its speaker cannot become a WEAPON: said_by needs a STATEMENT.
    me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    statement = window.editor.selected
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click_span(window.session.spans[span])
    me.click_span(window.session.spans[statement])
    me.key(Key.Key_W)
    assert disk_spans(probe, "alice", doc_id)[statement][2] == "STATEMENT"
    assert "said_by" in shown(window)


def test_links_go_and_speakers_are_replaced_from_the_keyboard(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    near = window.editor.selected
    me.select_words(OLMOS, inset=1)
    me.key(Key.Key_K)
    far = window.editor.selected
    me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    statement = window.editor.selected
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.key(Key.Key_Tab)
    me.key(Key.Key_Return)
    assert links(probe, window) == {("said_by", statement, near)}

    # A second speaker replaces the first, and the status bar says which went.
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click_span(window.session.spans[far])
    assert links(probe, window) == {("said_by", statement, far)}
    assert "“Rafael Olmos Peña” replaces “Henrik Aas-Sørensen”" in shown(window)

    # Linking again, Tab to the linked speaker: the prompt says Del removes it, and Del does.
    me.key(Key.Key_K, Mod.ShiftModifier)
    for _ in range(2):
        if window.editor.link_candidate != far:
            me.key(Key.Key_Tab)
    assert window.editor.link_candidate == far
    assert "linked: Del removes the link" in shown(window)
    me.key(Key.Key_Delete)
    assert links(probe, window) == set()
    assert window.editor.link_relation is None
    assert set(window.session.spans) >= {near, far, statement}  # the spans stay
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert links(probe, window) == {("said_by", statement, far)}

    # Without Tab, Del removes the relation's only link.
    me.click_span(window.session.spans[statement])
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.key(Key.Key_Delete)
    assert links(probe, window) == set()
    assert_screen_is_disk(window, probe)


BOOL_AND_TEXT = """\
      - name: named
        type: bool
        hotkey: B
        description: The speaker is named in the text.
      - name: role
        type: text
        hotkey: R
        description: The speaker's role, in their own words.

  - name: TARGET
"""


def test_bool_and_text_values_have_keys(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    switch: Callable[[MainWindow, str], list[str]],
) -> None:
    window = open_main()
    source = schema_path().read_text(encoding="utf-8")
    schema = source.replace('version: "1.0"', 'version: "1.1"').replace(
        "\n  - name: TARGET\n", "\n" + BOOL_AND_TEXT, 1
    )
    switch(window, schema)
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words(OLMOS, inset=1)
    me.key(Key.Key_K)
    span = window.editor.selected

    me.key(Key.Key_B)
    assert disk_spans(probe, "alice", doc_id)[span][3] == {"named": True}
    me.key(Key.Key_B)
    assert disk_spans(probe, "alice", doc_id)[span][3] == {"named": False}

    me.key(Key.Key_R)  # the panel's box for the role takes the keys
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    box = QApplication.focusWidget()
    assert box.objectName() == "value_role"
    qtbot.keyClicks(box, "defence minister")
    qtbot.keyClick(box, Key.Key_Return)
    assert disk_spans(probe, "alice", doc_id)[span][3] == {
        "named": False,
        "role": "defence minister",
    }
    assert QApplication.focusWidget() is window.text_view  # back to the article

    me.key(Key.Key_R)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    box = QApplication.focusWidget()
    qtbot.keyClicks(box, "typo")
    qtbot.keyClick(box, Key.Key_Escape)  # gives up: the stored role stays
    assert QApplication.focusWidget() is window.text_view
    assert disk_spans(probe, "alice", doc_id)[span][3]["role"] == "defence minister"
    assert_screen_is_disk(window, probe)


def test_the_caret_is_wide_and_coloured(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.click(find(me.text, "Stavholm")[0] + 3)
    view = window.text_view
    assert view.cursorWidth() == 2
    view.viewport().update()
    image = window_image(view, qtbot)
    rect = view.cursorRect()
    at = view.viewport().mapTo(window, rect.center())
    coloured = sum(
        1
        for dx in range(-1, 3)
        for dy in range(-3, 4)
        if QColor(image.pixel(at.x() + dx, at.y() + dy)) == CARET
    )
    assert coloured >= 7, "the caret is not drawn in its colour"


def test_find_in_the_article_then_label_the_match(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.click(2)
    me.key(Key.Key_F, Mod.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and QApplication.focusWidget() is bar.edit
    qtbot.keyClicks(bar.edit, "stormbreaker")  # any case
    first, second = find(me.text, "Stormbreaker"), find(me.text, "Stormbreaker", 1)
    assert caret(window) == first
    assert bar.result.text().endswith(f"of {me.text.count('Stormbreaker')}")
    qtbot.keyClick(bar.edit, Key.Key_Return)
    assert caret(window) == second
    qtbot.keyClick(bar.edit, Key.Key_Return, Mod.ShiftModifier)
    assert caret(window) == first
    qtbot.keyClick(bar.edit, Key.Key_Escape)
    assert not bar.isVisible() and QApplication.focusWidget() is window.text_view
    me.key(Key.Key_W)  # the match is the selection: a label's key marks it
    spans = disk_spans(probe, "alice", doc_id)
    assert (first[0], first[1], "WEAPON", {}) in spans.values()

    me.key(Key.Key_Escape)
    me.key(Key.Key_F, Mod.ControlModifier)
    qtbot.keyClicks(bar.edit, "no such words")
    assert bar.result.text() == "not found"
    qtbot.keyClick(bar.edit, Key.Key_Escape)
    # The document list's filter moved to Ctrl+L (Ctrl+Shift+F searches the corpus).
    me.key(Key.Key_L, Mod.ControlModifier)
    assert QApplication.focusWidget() is window.search_edit


def test_jumps_by_sentence_paragraph_and_quote_select_a_statement(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    text = me.text
    para = find(text, "STAVHOLM (Northline)")[0]
    me.click(para + 3)

    me.key(Key.Key_Down, Mod.ControlModifier)  # the next paragraph: the quote's
    quote_para = find(text, "“This contract")[0]
    assert caret(window) == (quote_para, quote_para)
    me.key(Key.Key_Up, Mod.ControlModifier)
    me.key(Key.Key_Up, Mod.ControlModifier)  # already at its start: the one before
    assert caret(window)[1] < para

    me.click(para + 3)
    me.key(Key.Key_PageDown, Mod.AltModifier)  # the next quotation mark
    assert caret(window) == (quote_para, quote_para)
    me.key(Key.Key_PageDown, Mod.AltModifier | Mod.ShiftModifier)  # to its closing mark
    closing = text.index("”", quote_para) + 1
    assert caret(window) == (quote_para, closing)

    # Alt+↓ to the next sentence, Shift+Alt+↓ selects it, S marks it: no mouse.
    me.key(Key.Key_Escape)
    me.click(find(text, "Sarnova’s defence minister")[0] - 4)
    me.key(Key.Key_Down, Mod.AltModifier)
    sentence = find(text, "Sarnova’s defence minister")[0]
    assert caret(window) == (sentence, sentence)
    me.key(Key.Key_Down, Mod.AltModifier | Mod.ShiftModifier)
    end = text.index("spring of 2027.", sentence) + len("spring of 2027.")
    assert caret(window) == (sentence, end)
    me.key(Key.Key_S)
    assert (sentence, end, "STATEMENT", {}) in disk_spans(probe, "alice", doc_id).values()
    me.key(Key.Key_Up, Mod.AltModifier)  # back to the start of the sentence just marked
    assert caret(window) == (sentence, sentence)
    me.key(Key.Key_Up, Mod.AltModifier)  # and to the one before
    assert caret(window)[1] < sentence


def test_a_statement_over_two_paragraphs_is_refused_and_says_where(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    before = disk_spans(probe, "alice", doc_id)
    start = find(me.text, "the company said on Friday")[0]
    end = find(me.text, "This contract makes")[1]
    me.drag(start, end)
    me.key(Key.Key_S)
    assert "STATEMENT span may not cross a paragraph break" in shown(window)
    assert disk_spans(probe, "alice", doc_id) == before
    me.key(Key.Key_K)  # a label that may cross one
    assert len(disk_spans(probe, "alice", doc_id)) == len(before) + 1


def test_editing_a_done_document_says_so_and_ctrl_r_reopens_it(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    # Stored at once, or a moment later if the document's suggestions, computed on a worker
    # as it opens, hold the write lock just then (the window retries; seen under load).
    window.editor.set_status("done", force=True)
    qtbot.waitUntil(lambda: probe.documents.status(doc_id, window.annotator.id) == "done")
    me.select_words(OLMOS, inset=1)
    me.key(Key.Key_K)
    assert "marked done" in shown(window) and "Ctrl+R reopens it" in shown(window)
    assert probe.documents.status(doc_id, window.annotator.id) == "done"

    me.key(Key.Key_R, Mod.ControlModifier)
    assert probe.documents.status(doc_id, window.annotator.id) == "in_progress"
    assert "reopened" in shown(window)
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    assert "marked done" not in shown(window)
    me.key(Key.Key_Z, Mod.ControlModifier)
    me.key(Key.Key_Z, Mod.ControlModifier)  # the reopening is one undo step
    assert probe.documents.status(doc_id, window.annotator.id) == "done"
    reopen = window.findChild(QAction, "reopen")
    assert reopen is not None and reopen.shortcut().toString() == "Ctrl+R"  # Document menu
