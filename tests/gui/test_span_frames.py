"""Frames over the text (selection, suggestions) sit on the characters they frame: one paint
looks each paragraph up once for all its frames, and must still put each on its own lines."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from annotator.gui.main_window import MainWindow
from annotator.gui.span_frames import ScreenLines, line_rects


def test_every_span_on_screen_is_framed_on_its_own_characters(
    qtbot: QtBot, open_main: Callable[..., MainWindow]
) -> None:
    window = open_main()
    window.resize(900, 700)
    view = window.text_view
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)  # a paragraph cut by the top edge, others below
    qtbot.wait(50)
    assert window.session is not None
    to_qt = window.editor.offsets.to_qt
    ranges = sorted((to_qt(s.start), to_qt(s.end)) for s in window.session.spans.values())
    lines = ScreenLines(view)  # one object for every range, as a paint uses it
    checked = 0
    for start, end in ranges:
        rects = lines.rects(start, end)
        assert rects == line_rects(view, start, end)  # looked up once or anew: the same
        on_screen = [r for r in rects if r.top() >= 0 and r.bottom() <= view.viewport().height()]
        if len(on_screen) != len(rects) or not rects:
            continue
        cursor = QTextCursor(view.document())
        cursor.setPosition(start)
        first = view.cursorRect(cursor)
        cursor.setPosition(end)
        last = view.cursorRect(cursor)
        # The frame starts where the caret before the span's first character stands, and
        # ends where the caret after its last one does, on those characters' lines.
        assert abs(rects[0].left() - first.left()) <= 2
        assert rects[0].top() <= first.center().y() <= rects[0].bottom()
        assert abs(rects[-1].right() - last.left()) <= 2
        assert rects[-1].top() <= last.center().y() <= rects[-1].bottom()
        assert all(a.bottom() <= b.top() + 1 for a, b in pairwise(rects))
        checked += 1
    assert checked >= 5
