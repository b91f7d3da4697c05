"""Where the links and label tags of the screen lie: computed for what is visible only.

The spans on screen come from the highlighter's per-block index, their links from a
``LinkIndex`` built once per change; nothing here walks the whole article, so a 1 MB article
with thousands of links costs what one screen shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QPainterPath
from PySide6.QtWidgets import QPlainTextEdit

from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.gui.highlighter import SpanHighlighter
from annotator.gui.offsets import OffsetMap
from annotator.gui.span_frames import line_rects

ON_SCREEN, ABOVE, BELOW = 0, -1, 1  # where a link's other end lies
EDGE_SLANT = 36.0  # px: a link to an off-screen span leans this far sideways to the edge
MIN_SPREAD = 24.0  # px: the two legs of an arc between stacked spans stay this far apart


class Arc(NamedTuple):
    """One link as drawn: from its source (the statement) to its target, or to the edge."""

    relation_id: int
    label: str  # the relation's name, on its tag
    start: QPointF  # the source's anchor (or the edge, when the source is off screen)
    end: QPointF  # the target's anchor (or the edge): the arrow head points here
    path: QPainterPath
    colour: QColor
    off: int  # ON_SCREEN, or where (ABOVE/BELOW) the off-screen end lies
    other: str  # the off-screen end's label ("" when both ends are on screen)
    edge: QPointF | None = None  # where it leaves the viewport, for an off-screen end


class Tag(NamedTuple):
    """A span's label name, drawn above its first line on screen."""

    span_id: int
    label: str
    at: QPointF  # top-left of the span's first line rectangle on screen
    colour: QColor


class Scene(NamedTuple):
    arcs: list[Arc]
    tags: list[Tag]


EMPTY = Scene([], [])


class LinkIndex:
    """Each span's links, both ways: built once per change of the links, read per paint."""

    def __init__(self, relations: Iterable[RelationRecord]) -> None:
        self._by_span: defaultdict[int, list[RelationRecord]] = defaultdict(list)
        for rel in relations:
            self._by_span[rel.source_id].append(rel)
            self._by_span[rel.target_id].append(rel)

    def links(self, span_id: int) -> list[RelationRecord]:
        return self._by_span.get(span_id, [])


def visible_range(view: QPlainTextEdit) -> tuple[int, int]:
    """The Qt positions at the viewport's top-left and bottom-right corners."""
    viewport = view.viewport()
    top = view.cursorForPosition(QPoint(0, 0)).position()
    bottom = view.cursorForPosition(QPoint(viewport.width() - 1, viewport.height() - 1))
    return top, bottom.position()


def arc_path(start: QPointF, end: QPointF, rise: float) -> QPainterPath:
    """A curve rising ``rise`` px above the higher of its two ends, then down onto ``end``."""
    top = min(start.y(), end.y()) - rise
    spread = 0.0 if abs(end.x() - start.x()) >= MIN_SPREAD else MIN_SPREAD / 2
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() - spread, top), QPointF(end.x() + spread, top), QPointF(end))
    return path


def build_scene(
    view: QPlainTextEdit,
    highlighter: SpanHighlighter,
    spans: dict[int, SpanRecord],
    index: LinkIndex,
    offsets: OffsetMap,
) -> Scene:
    """The arcs and tags of what the view shows now (viewport coordinates)."""
    width, height = view.viewport().width(), view.viewport().height()
    line_height = float(view.fontMetrics().height())
    lo, hi = visible_range(view)
    anchors: dict[int, QPointF] = {}
    tags: list[Tag] = []
    for span in highlighter.spans_between(lo, hi):
        shown = [r for r in line_rects(view, span.start, span.end) if r.bottom() > 0]
        shown = [r for r in shown if r.top() < height]
        if not shown:
            continue
        first = shown[0]
        anchors[span.id] = QPointF(first.center().x(), first.top())
        tags.append(Tag(span.id, span.label, first.topLeft(), highlighter.color(span.label)))
    arcs: list[Arc] = []
    seen: set[int] = set()
    for span_id in anchors:
        for rel in index.links(span_id):
            source, target = spans.get(rel.source_id), spans.get(rel.target_id)
            if rel.id in seen or source is None or target is None:
                continue
            seen.add(rel.id)
            colour = highlighter.color(target.label).darker(170)
            a, b = anchors.get(rel.source_id), anchors.get(rel.target_id)
            if a is not None and b is not None:
                rise = min(0.9 * line_height, 8.0 + 0.04 * abs(b.x() - a.x()))
                path = arc_path(a, b, rise)
                arcs.append(Arc(rel.id, rel.label, a, b, path, colour, ON_SCREEN, ""))
                continue
            here = a if a is not None else b
            assert here is not None
            other = target if a is not None else source
            off = ABOVE if offsets.to_qt(other.start) < lo else BELOW
            slant = EDGE_SLANT if here.x() + EDGE_SLANT < width - 4 else -EDGE_SLANT
            x = here.x() + slant
            edge = QPointF(x, 0.0 if off == ABOVE else float(height))
            start, end = (here, edge) if a is not None else (edge, here)
            path = QPainterPath(start)
            path.quadTo(QPointF(edge.x(), here.y()), end)  # level with the span, then away
            arcs.append(Arc(rel.id, rel.label, start, end, path, colour, off, other.label, edge))
    return Scene(arcs, tags)
