"""Where the links and label tags of the screen lie: computed for what is visible only.

The spans on screen come from the highlighter's per-block index, their links from a
``LinkIndex`` built once per change; nothing here walks the whole article, so a 1 MB article
with thousands of links costs what one screen shows. Where arcs attach, how high they rise and
where their names go is ``arc_layout``'s (brat's rules: apart, one level per overlap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath
from PySide6.QtWidgets import QPlainTextEdit

from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.gui.arc_layout import Box, Taken, legs, order_key, place_arcs, place_at_edge, spread
from annotator.gui.highlighter import SpanHighlighter
from annotator.gui.offsets import OffsetMap
from annotator.gui.span_frames import line_rects

ON_SCREEN, ABOVE, BELOW = 0, -1, 1  # where a link's other end lies
EDGE_SLANT = 36.0  # px: a link to an off-screen span leans this far sideways to the edge
CORNER = 8.0  # px: how far an arc's rounded corners reach along its top


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
    caption: str = ""  # the text of its name tag (with the arrow and far end when off screen)
    box: QRectF | None = None  # where its name tag is drawn, clear of every other tag
    level: int = 0  # how many levels above the lowest its top is (one per overlapping arc)


class Tag(NamedTuple):
    """A span's label name, drawn above its first line on screen."""

    span_id: int
    label: str
    at: QPointF  # top-left of the span's first line rectangle on screen
    colour: QColor
    box: QRectF | None = None  # where the tag is drawn


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
    """Up from ``start``, across ``rise`` px above the higher of the two ends, down onto
    ``end`` (the corners rounded): its top is level, where its name sits, and its last stretch
    comes straight down onto the target, where the arrow head points."""
    top = min(start.y(), end.y()) - rise
    x1, x2 = legs(start.x(), end.x())
    sign = 1.0 if x2 >= x1 else -1.0
    round_off = min(CORNER, abs(x2 - x1) / 2)
    path = QPainterPath(start)
    path.quadTo(QPointF(x1, top), QPointF(x1 + sign * round_off, top))
    path.lineTo(QPointF(x2 - sign * round_off, top))
    path.quadTo(QPointF(x2, top), QPointF(end))
    return path


def label_font(view: QPlainTextEdit) -> QFont:
    """The small font of the tags and the arcs' names."""
    small = QFont(view.font())
    small.setPointSizeF(max(6.5, view.font().pointSizeF() * 0.55))
    return small


def build_scene(
    view: QPlainTextEdit,
    highlighter: SpanHighlighter,
    spans: dict[int, SpanRecord],
    index: LinkIndex,
    offsets: OffsetMap,
) -> Scene:
    """The arcs and tags of what the view shows now (viewport coordinates), laid out so that
    arcs sharing a span attach at distinct points and no two names lie on each other."""
    width, height = view.viewport().width(), float(view.viewport().height())
    metrics = QFontMetricsF(label_font(view))
    tall = metrics.height()
    advances: dict[str, float] = {}

    def text_width(text: str) -> float:
        found = advances.get(text)
        if found is None:
            found = advances[text] = metrics.horizontalAdvance(text) + 6.0
        return found

    lo, hi = visible_range(view)
    firsts: dict[int, QRectF] = {}
    tags: list[Tag] = []
    taken = Taken()
    for span in highlighter.spans_between(lo, hi):
        shown = [r for r in line_rects(view, span.start, span.end) if r.bottom() > 0]
        shown = [r for r in shown if r.top() < height]
        if not shown:
            continue
        first = firsts[span.id] = shown[0]
        wide = text_width(span.label)
        spot = (first.left(), first.top() - tall + 2, first.left() + wide, first.top() + 2)
        spot = place_at_edge(spot, taken, downwards=False, step=tall, tries=3)  # nested spans
        tags.append(
            Tag(span.id, span.label, first.topLeft(), highlighter.color(span.label), _rect(spot))
        )

    # Every link with an end on screen, once; then where each end attaches along its span.
    links: list[tuple[RelationRecord, SpanRecord, SpanRecord]] = []
    seen: set[int] = set()
    for span_id in firsts:
        for rel in index.links(span_id):
            source, target = spans.get(rel.source_id), spans.get(rel.target_id)
            if rel.id in seen or source is None or target is None:
                continue
            seen.add(rel.id)
            links.append((rel, source, target))
    ends: defaultdict[int, list[tuple[tuple[bool, float], int, int]]] = defaultdict(list)
    for n, (_rel, source, target) in enumerate(links):
        for side, mine, theirs in ((0, source.id, target.id), (1, target.id, source.id)):
            rect = firsts.get(mine)
            if rect is None:
                continue
            x, far = rect.center().x(), firsts.get(theirs)
            toward = far.center().x() if far is not None else x + _slant(x, width)
            ends[mine].append((order_key(x, toward), n, side))
    anchors: dict[tuple[int, int], QPointF] = {}
    for span_id, found in ends.items():
        rect = firsts[span_id]
        found.sort()
        xs = spread(rect.left(), rect.width(), len(found))
        for x, (_key, n, side) in zip(xs, found, strict=True):
            anchors[(n, side)] = QPointF(x, rect.top())

    arcs: list[Arc] = []
    both: list[tuple[int, QPointF, QPointF, QColor]] = []
    for n, (rel, source, target) in enumerate(links):
        colour = highlighter.color(target.label).darker(170)
        a, b = anchors.get((n, 0)), anchors.get((n, 1))
        if a is not None and b is not None:
            both.append((n, a, b, colour))
            continue
        here = a if a is not None else b
        assert here is not None
        other = target if a is not None else source
        off = ABOVE if offsets.to_qt(other.start) < lo else BELOW
        x = here.x() + _slant(here.x(), width)
        edge = QPointF(x, 0.0 if off == ABOVE else height)
        start, end = (here, edge) if a is not None else (edge, here)
        path = QPainterPath(start)
        path.quadTo(QPointF(edge.x(), here.y()), end)  # level with the span, then away
        caption = f"{rel.label} {'↑' if off == ABOVE else '↓'} {other.label}"
        wide = text_width(caption)
        top = 0.0 if off == ABOVE else height - tall
        spot = place_at_edge(
            (x - wide / 2, top, x + wide / 2, top + tall),
            taken,
            downwards=off == ABOVE,
            step=tall + 1,
        )
        arcs.append(
            Arc(
                rel.id,
                rel.label,
                start,
                end,
                path,
                colour,
                off,
                other.label,
                edge,
                caption,
                _rect(spot),
            )
        )

    line_height = float(view.fontMetrics().height())
    base = min(0.5 * tall + 3.0, 0.9 * line_height)
    wanted = [
        (*legs(a.x(), b.x()), min(a.y(), b.y()), text_width(links[n][0].label), tall)
        for n, a, b, _colour in both
    ]
    placed = place_arcs(wanted, taken, base=base, step=tall + 2.0, height=height)
    for (n, a, b, colour), where in zip(both, placed, strict=True):
        rel = links[n][0]
        path = arc_path(a, b, min(a.y(), b.y()) - where.top)
        box = _rect(where.box)
        arcs.append(
            Arc(
                rel.id,
                rel.label,
                a,
                b,
                path,
                colour,
                ON_SCREEN,
                "",
                None,
                rel.label,
                box,
                where.level,
            )
        )
    return Scene(arcs, tags)


def _slant(x: float, width: int) -> float:
    """A link to a span off screen leans right towards the edge, or left near the right side."""
    return EDGE_SLANT if x + EDGE_SLANT < width - 4 else -EDGE_SLANT


def _rect(box: Box) -> QRectF:
    return QRectF(box[0], box[1], box[2] - box[0], box[3] - box[1])
