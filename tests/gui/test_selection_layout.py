"""Selecting a span never moves the text (issue 13, defect 4).

A bold selected span re-wrapped its paragraph: the words after it moved under the pointer, and
a click aimed from the previous view landed on another span. The selection is a frame drawn
over the text, so every word stays where it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, User
from tests.gui.painted import window_image


def layout_of(window: MainWindow, offsets: list[int]) -> list[tuple[int, int, int, float]]:
    """Where chosen characters lie in their paragraph: (paragraph, its line count, the line
    the character is on, its x). Scrolling leaves this alone; a re-wrap changes it."""
    doc = window.text_view.document()
    where = []
    for offset in offsets:
        position = window.editor.offsets.to_qt(offset)
        block = doc.findBlock(position)
        layout = block.layout()
        assert layout.lineCount(), "a paragraph compared is not laid out"
        line = layout.lineForTextPosition(position - block.position())
        x = line.cursorToX(position - block.position())
        x = x[0] if isinstance(x, tuple) else x
        where.append((block.blockNumber(), layout.lineCount(), line.lineNumber(), float(x)))
    return where


def test_selecting_a_span_keeps_every_word_in_place(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    window.resize(1024, 700)
    me = user(window)
    me.click_document("demo-01")  # pre-annotated: statements with speakers and weapons
    session = window.session
    statements = sorted(
        (s for s in session.spans.values() if s.label == "STATEMENT"), key=lambda s: s.start
    )
    first = statements[0]
    # Words after the statement, to the end of its paragraph (what re-wrapped under bold).
    paragraph_end = me.text.index("\n", first.end)
    after = [first.end + 1, (first.end + paragraph_end) // 2, paragraph_end - 2]
    me.click(first.start + 2)  # scrolls it into view, then compare from here
    me.key(Key.Key_Escape)
    assert window.editor.selected is None
    before = layout_of(window, [first.start, *after])
    unselected = window_image(window.text_view, qtbot)

    me.click_span(first)
    assert window.editor.selected is not None
    assert layout_of(window, [first.start, *after]) == before
    # And the selection shows: the frame's pixels around the span's first character changed.
    selected = window_image(window.text_view, qtbot)
    corner = window.text_view.viewport().mapTo(window, me.point(first.start))
    changed = [
        (dx, dy)
        for dx in range(-3, 4)
        for dy in range(-12, 13)
        if QColor(selected.pixel(corner.x() + dx, corner.y() + dy))
        != QColor(unselected.pixel(corner.x() + dx, corner.y() + dy))
    ]
    assert changed, "selecting the span changed nothing on screen"

    for _ in range(4):  # Tab through spans: nothing moves either
        me.key(Key.Key_Tab)
        assert layout_of(window, [first.start, *after]) == before
    me.key(Key.Key_Tab, Mod.ShiftModifier)
    assert layout_of(window, [first.start, *after]) == before
