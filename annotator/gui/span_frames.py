"""Frames drawn over the article: the selected span, and the link candidate Tab picked.

A frame is painted on top of the laid-out text, so showing a selection never changes a glyph's
width: a bold selection re-wrapped the paragraph and moved words under the pointer (issue 13).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTextLine
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


# A dash and its gap, in pixels, for the frames drawn as dashed edges (``_dashed_edges``): what
# a 1.5 px ``DashLine`` pen draws (4 and 2 times its width).
_DASH, _GAP = 6, 3


class Frame(NamedTuple):
    """A range in Qt (UTF-16) positions, and how to frame it."""

    start: int
    end: int
    kind: str


def line_rects(view: QPlainTextEdit, start: int, end: int) -> list[QRectF]:
    """The viewport rectangles of [start, end), one per screen line it covers, for the lines
    laid out on screen only."""
    return ScreenLines(view).rects(start, end)


class ScreenLines:
    """``line_rects`` for many ranges in one paint: each block's place and layout are looked
    up once, not once per range (a page of suggestions frames ninety ranges, most of them in
    the same few paragraphs)."""

    def __init__(self, view: QPlainTextEdit) -> None:
        self.view = view
        self.doc = view.document()
        self.offset = view.contentOffset()
        self.height = view.viewport().height()
        self._blocks: dict[int, tuple[QPointF, Any, int, int]] = {}

    def _block(self, block: Any) -> tuple[QPointF, Any, int, int]:
        """A block's top left on the viewport, its layout, position and line count."""
        number = block.blockNumber()
        found = self._blocks.get(number)
        if found is None:
            top_left = self.view.blockBoundingGeometry(block).translated(self.offset).topLeft()
            layout = block.layout()
            found = (top_left, layout, block.position(), layout.lineCount())
            self._blocks[number] = found
        return found

    def rects(self, start: int, end: int) -> list[QRectF]:
        block = self.doc.findBlock(start)
        rects: list[QRectF] = []
        while block.isValid() and block.position() < end:
            top_left, layout, base, count = self._block(block)
            if top_left.y() > self.height:
                break
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
    lines = ScreenLines(view)
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
            # Suggestions' dashed bands need no smoothing: they are whole pixels wide or near.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, kind != SUGGESTED)
        for rect in lines.rects(frame.start, frame.end):
            framed = rect.adjusted(-1.0, inset - 1.0, 1.0, 1.0 - inset)
            if kind == SUGGESTED:
                _dashed_edges(painter, framed, inset * 2)
            else:
                painter.drawRoundedRect(framed, 2.0, 2.0)
    painter.end()


def _dashed_edges(painter: QPainter, rect: QRectF, width: float) -> None:
    """A dashed outline as four bands filled with a dash texture. A page of suggestions
    holds a hundred such frames, many a line wide: stroking them with an antialiased dashed
    pen was most of a scroll's time (72 ms for 90 long ones, 1.3 ms this way)."""
    across, down = _dash_brushes()
    half = width / 2
    left, top = rect.left() - half, rect.top() - half
    right, bottom = rect.right() - half, rect.bottom() - half
    painter.setBrushOrigin(QPointF(left, top))  # each frame's dashes start at its corner
    painter.fillRect(QRectF(left, top, rect.width() + width, width), across)
    painter.fillRect(QRectF(left, bottom, rect.width() + width, width), across)
    painter.fillRect(QRectF(left, top, width, rect.height() + width), down)
    painter.fillRect(QRectF(right, top, width, rect.height() + width), down)


@cache
def _dash_brushes() -> tuple[QBrush, QBrush]:
    """Brushes that fill a band with the suggestions' dashes: along a line, and down a column."""
    colour = _PENS[SUGGESTED][0]
    period = _DASH + _GAP
    along = QImage(period, 1, QImage.Format.Format_ARGB32_Premultiplied)
    column = QImage(1, period, QImage.Format.Format_ARGB32_Premultiplied)
    along.fill(Qt.GlobalColor.transparent)
    column.fill(Qt.GlobalColor.transparent)
    for i in range(_DASH):
        along.setPixelColor(i, 0, colour)
        column.setPixelColor(0, i, colour)
    return QBrush(along), QBrush(column)
