"""Suggestions never make the annotator wait: frames follow each edit without the layer being
read again, and a document's suggestions are read off the GUI thread when it opens, shown only
if that document is still the one open."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from annotator.core.domain.records import SpanRecord
from annotator.core.domain.suggesting.stored import Frame
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.span_frames import SUGGESTED
from tests.gui.conftest import Key, Mod, User
from tests.gui.test_suggestions_window import opened_with_suggestions


@pytest.fixture(autouse=True)
def _suggest_on_open(settings: QSettings) -> None:
    """What these tests are about: suggestions computed as a document opens (the other window
    tests turn that off, ``tests/gui/conftest.py``)."""
    settings.setValue("suggestions/onOpen", True)


def dashed(window: MainWindow, span: SpanRecord) -> bool:
    """Whether the view paints ``span`` as a suggestion (a dashed frame, not the current one)."""
    to_qt = window.editor.offsets.to_qt
    edges = (to_qt(span.start), to_qt(span.end))
    return any((f.start, f.end) == edges and f.kind == SUGGESTED for f in window.text_view.frames())


def test_a_suggested_span_the_annotator_marks_stops_being_framed_and_undo_frames_it_again(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    user: Callable[[MainWindow], User],
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    me = user(window)
    overlay = window.suggestions
    current = overlay.current_frame()
    lone = next(
        f.head.span
        for f in overlay.frames
        if f is not current and not f.parts and f.head.span is not None
    )
    label = window.schema.label(lone.label)
    assert label is not None and label.hotkey
    me.drag(lone.start, lone.end)
    assert dashed(window, lone)
    me.key(getattr(Key, f"Key_{label.hotkey.upper()}"))
    assert window.session is not None
    assert any(
        (s.start, s.end, s.label) == (lone.start, lone.end, lone.label)
        for s in window.session.spans.values()
    )
    # The layer holds it now: no dashed frame over the annotator's own span.
    assert not dashed(window, lone)
    me.key(Key.Key_Z, Mod.ControlModifier)  # undone: a suggestion again, framed again
    assert dashed(window, lone)


LINES = 600  # a statement frame each (3,000 suggestions): read on a worker for tens of ms


def head_ids(frames: list[Frame]) -> list[int]:
    return [f.head.id for f in frames]


def test_switching_documents_while_frames_are_read_shows_the_open_documents_only(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    settings: QSettings,
    user: Callable[[MainWindow], User],
) -> None:
    settings.setValue("suggestions/onOpen", False)  # computed here, never in the background
    lines = [
        f"{n}. “We will answer the drone strikes on the border,” Ana Ruiz said on day {n}."
        for n in range(LINES)
    ]
    long = probe.documents.add("\n\n".join(lines), key="long").id
    short = probe.documents.add(
        "“The treaty stands,” the minister said.\n\nGeneral Oleg Tamm said the navy was ready.",
        key="short",
    ).id
    plain = probe.documents.add("Nothing anyone said here.", key="plain").id
    probe.suggestions().compute([long, short])
    expected = {d: head_ids(probe.suggestions().open_frames(d, "alice")) for d in (long, short)}
    assert len(expected[long]) >= LINES and expected[short]  # a frame a line

    window = open_main()
    me = user(window)
    overlay = window.suggestions

    def settled() -> bool:
        return not window._jobs and not overlay.reading

    # The long article's frames are read on a worker; another document is opened before they
    # come: it has none, and the long article's never show on it.
    window.open_document(long)
    assert overlay.reading and overlay.frames == []  # opening did not wait for them
    window.open_document(plain)
    qtbot.waitUntil(settled, timeout=20000)
    assert window.session is not None and window.session.document.id == plain
    assert overlay.frames == [] and not any(f.kind == SUGGESTED for f in window.text_view.frames())
    me.key(Key.Key_F4)
    assert window.statusBar().currentMessage() == "No open suggestions in this document"

    # Back on the long article: F4 steps through its own frames once they are read.
    window.open_document(long)
    me.key(Key.Key_F4)  # before they are read: said so, nothing stepped to
    assert window.statusBar().currentMessage() == "The suggestions are still being read…"
    qtbot.waitUntil(settled, timeout=20000)
    assert head_ids(overlay.frames) == expected[long]
    first = overlay.current_frame()
    me.key(Key.Key_F4)
    me.key(Key.Key_F4)
    current = overlay.current_frame()
    assert first is not None and current is not None
    assert head_ids(overlay.frames).index(current.head.id) == overlay.frames.index(first) + 2

    # Two documents with suggestions, one after the other: the second one's are shown.
    window.open_document(plain)
    window.open_document(long)
    window.open_document(short)
    qtbot.waitUntil(settled, timeout=20000)
    assert window.session is not None and window.session.document.id == short
    assert head_ids(overlay.frames) == expected[short]


def test_recomputing_prepares_frames_off_the_gui_thread_and_a_decision_meanwhile_counts(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    settings: QSettings,
    user: Callable[[MainWindow], User],
) -> None:
    """F5 computes on a worker and prepares the article's frames there too; the frames shown
    meanwhile stay, and a rejection made meanwhile is not undone by the computed ones."""
    from annotator.gui.suggestion_overlay import prepare

    settings.setValue("suggestions/onOpen", False)
    lines = [f"{n}. “The drones will fly again,” Ana Ruiz said on day {n}." for n in range(LINES)]
    long = probe.documents.add("\n\n".join(lines), key="long").id
    probe.suggestions().compute([long])
    window = open_main()
    me = user(window)
    overlay = window.suggestions
    window.open_document(long)
    qtbot.waitUntil(lambda: not window._jobs and not overlay.reading, timeout=20000)
    shown = list(overlay.frames)
    assert len(shown) >= LINES

    me.key(Key.Key_F5)
    assert overlay.reading and overlay.frames == shown  # computing: the frames stay
    me.key(Key.Key_F4)
    rejected = overlay.current_frame()
    assert rejected is not None
    me.key(Key.Key_Delete)
    qtbot.waitUntil(lambda: not window._jobs and not overlay.reading, timeout=30000)

    session = window.session
    assert session is not None
    read = probe.suggestions().open_frames(long, "alice")
    spans, relations = list(session.spans.values()), list(session.relations.values())
    assert overlay.frames == prepare(read, spans, relations, window.editor.offsets, None).frames
    assert rejected.head.id not in head_ids(overlay.frames)
    assert not set(head_ids(overlay.frames)) & set(head_ids(shown))  # the computed ones
