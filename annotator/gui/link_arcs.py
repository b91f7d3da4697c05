"""Links drawn as arcs over the article and each span's label as a small tag (issue 13,
"see the frame on the text"), shown or hidden with one key.

Drawn over the laid-out text, like the selection's frame (span_frames.py): showing them never
moves a glyph. The scene (link_scene.py) is kept until the scroll position, the viewport's size
or an annotation changes, so a caret's blink repaints without recomputing anything.
"""

from __future__ import annotations

import contextlib
import math

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.link_scene import (
    EMPTY,
    ON_SCREEN,
    Arc,
    LinkIndex,
    Scene,
    build_scene,
    label_font,
)

ARROW = 6.0  # px: the arrow head's length
TAG_TEXT = QColor("#111111")
TAG_BACK = QColor(255, 255, 255, 215)  # the relation's tag: readable over text and arcs


class LinkArcs(QObject):
    """Keeps the open document's link index and the screen's scene; paints them when on."""

    def __init__(self, editor: AnnotationEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.enabled = False  # until View > Links and labels on the text (Ctrl+Shift+L)
        self._session: DocumentSession | None = None
        self._index: LinkIndex | None = None
        self._version = 0  # bumped by every change of spans or links
        self._key: tuple[object, ...] | None = None
        self._scene = EMPTY
        editor.view.overlays.append(self.paint)

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.editor.view.viewport().update()

    # -- what is on screen --

    def _watch(self) -> None:
        """Follow the editor's open session: its edits (undo included) invalidate the index."""
        session = self.editor.session
        if session is self._session:
            return
        signals = (
            "spanAdded",
            "spanRemoved",
            "spanChanged",
            "relationAdded",
            "relationRemoved",
            "relationChanged",
            "reloaded",
        )
        if self._session is not None:
            for name in signals:
                # A session of another database may be gone already.
                with contextlib.suppress(RuntimeError, TypeError):
                    getattr(self._session, name).disconnect(self._changed)
        self._session = session
        if session is not None:
            for name in signals:
                getattr(session, name).connect(self._changed)
        self._changed()

    def _changed(self, *_: object) -> None:
        self._index = None
        self._version += 1

    def scene(self) -> Scene:
        """The arcs and tags of the screen now (computed again only when something moved)."""
        self._watch()
        editor, view = self.editor, self.editor.view
        session, highlighter = editor.session, editor.highlighter
        if session is None or highlighter is None:
            return EMPTY
        if self._index is None:
            self._index = LinkIndex(session.relations.values())
        viewport = view.viewport()
        key = (
            self._version,
            id(view.document()),
            view.verticalScrollBar().value(),
            view.horizontalScrollBar().value(),
            viewport.width(),
            viewport.height(),
            view.font().pointSizeF(),  # zoomed: the lines and the tags are another size
        )
        if key != self._key:
            self._scene = build_scene(view, highlighter, session.spans, self._index, editor.offsets)
            self._key = key
        return self._scene

    # -- painting --

    def paint(self) -> None:
        if not self.enabled:
            return
        scene = self.scene()
        if not scene.arcs and not scene.tags:
            return
        view = self.editor.view
        painter = QPainter(view.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(label_font(view))
        for arc in scene.arcs:
            _paint_arc(painter, arc)
        for tag in scene.tags:  # a span's label, just above its first line
            if tag.box is not None:
                fill = QColor(tag.colour)
                fill.setAlpha(225)
                _paint_box(painter, tag.box, fill, tag.colour.darker(150), tag.label)
        for arc in scene.arcs:  # the relation's name on the arc's top, on top of everything
            if arc.box is not None:
                _paint_box(painter, arc.box, TAG_BACK, arc.colour, arc.caption)
        painter.end()


def _paint_arc(painter: QPainter, arc: Arc) -> None:
    pen = QPen(arc.colour, 2.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    if arc.off != ON_SCREEN:
        pen.setStyle(Qt.PenStyle.DashLine)  # it goes on past the screen
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(arc.path)
    painter.setBrush(arc.colour)
    painter.setPen(Qt.PenStyle.NoPen)
    # The head points along the path's last stretch, onto the target.
    tip = arc.end
    before = arc.path.pointAtPercent(max(0.0, 1.0 - 8.0 / max(arc.path.length(), 8.0)))
    angle = math.atan2(tip.y() - before.y(), tip.x() - before.x())
    wing = 0.45
    head = QPolygonF(
        [
            tip,
            tip - QPointF(ARROW * math.cos(angle - wing), ARROW * math.sin(angle - wing)),
            tip - QPointF(ARROW * math.cos(angle + wing), ARROW * math.sin(angle + wing)),
        ]
    )
    painter.drawPolygon(head)
    if arc.edge is not None:  # the marker where the link leaves the screen
        painter.drawEllipse(arc.edge, 4.0, 4.0)


def _paint_box(painter: QPainter, box: QRectF, fill: QColor, line: QColor, text: str) -> None:
    painter.setPen(QPen(line, 1.0))
    painter.setBrush(fill)
    painter.drawRoundedRect(box, 3.0, 3.0)
    painter.setPen(TAG_TEXT)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
