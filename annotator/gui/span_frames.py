"""Frames drawn over the article: the selected span, and the link candidate Tab picked.

A frame is painted on top of the laid-out text, so showing a selection never changes a glyph's
width: a bold selection re-wrapped the paragraph and moved words under the pointer (issue 13).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

SELECTED = "selected"
CANDIDATE = "candidate"
SUGGESTED = "suggested"  # a machine suggestion nobody has decided on yet
SUGGESTED_CURRENT = "suggested_current"  # the one Enter would accept
_PENS = {
    SELECTED: (QColor("#1a1a1a"), 2.0, Qt.PenStyle.SolidLine),
    # Tab's pick in link mode: thick and vermilion, unlike any label's fill.
    CANDIDATE: (QColor("#d55e00"), 3.0, Qt.PenStyle.SolidLine),
    # Suggestions: dashed, so they never read as anyone's annotation; blue, unlike the rest.
    SUGGESTED: (QColor("#0072b2"), 1.5, Qt.PenStyle.DashLine),
    SUGGESTED_CURRENT: (QColor("#0072b2"), 3.0, Qt.PenStyle.DashLine),
}


class Frame(NamedTuple):
    """A range in Qt (UTF-16) positions, and how to frame it."""

    start: int
    end: int
    kind: str


def line_rects(view: QPlainTextEdit, start: int, end: int) -> list[QRectF]:
    """The viewport rectangles of [start, end), one per screen line it covers, for the lines
    laid out on screen only."""
    doc = view.document()
    block = doc.findBlock(start)
    offset = view.contentOffset()
    height = view.viewport().height()
    rects: list[QRectF] = []
    while block.isValid() and block.position() < end:
        top_left = view.blockBoundingGeometry(block).translated(offset).topLeft()
        if top_left.y() > height:
            break
        layout, base = block.layout(), block.position()
        count = layout.lineCount()
        # From the line that holds the start, not the paragraph's first: a long paragraph's
        # every line looked at for each frame was most of a paint with many suggestions.
        first = layout.lineForTextPosition(start - base) if start > base else None
        n = first.lineNumber() if first is not None and first.isValid() else 0
        while n < count:
            line = layout.lineAt(n)
            line_start = base + line.textStart()
            if line_start >= end:
                break
            a = max(start, line_start)
            b = min(end, line_start + line.textLength())
            n += 1
            if a >= b:
                continue
            x1, x2 = _x(line, a - base), _x(line, b - base)
            rect = QRectF(min(x1, x2), line.y(), abs(x2 - x1), line.height())
            rects.append(rect.translated(top_left))
        block = block.next()
    return rects


def _x(line: QTextLine, position: int) -> float:
    """Where a position lies on its line (PySide returns the x with the position it used)."""
    found: Any = line.cursorToX(position)
    return float(found[0] if isinstance(found, tuple) else found)


def paint_frames(view: QPlainTextEdit, frames: list[Frame]) -> None:
    """Draw each frame over the text, on the view's viewport (from its paintEvent)."""
    if not frames:
        return
    painter = QPainter(view.viewport())
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    kind = None
    inset = 0.0
    for frame in frames:
        if frame.kind != kind:  # frames of one kind come together: a pen per run, not each
            kind = frame.kind
            colour, width, style = _PENS[kind]
            pen = QPen(colour, width, style)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            inset = width / 2
        for rect in line_rects(view, frame.start, frame.end):
            framed = rect.adjusted(-1.0, inset - 1.0, 1.0, 1.0 - inset)
            painter.drawRoundedRect(framed, 2.0, 2.0)
    painter.end()
