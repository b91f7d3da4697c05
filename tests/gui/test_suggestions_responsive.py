"""Suggestions never make the annotator wait: frames follow each edit without the layer being
read again, and a document's suggestions are read off the GUI thread when it opens, shown only
if that document is still the one open."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from annotator.core.domain.records import SpanRecord
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.span_frames import SUGGESTED
from tests.gui.conftest import Key, Mod, User
from tests.gui.test_suggestions_window import opened_with_suggestions


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
