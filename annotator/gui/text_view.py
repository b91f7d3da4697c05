"""The article view: read-only, selectable, wrapped, in a readable font.

It only reports what the annotator does (keys, clicks); ``AnnotationEditor`` decides what that
means.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.gui.span_frames import Frame, paint_frames
from annotator.gui.tooltips import plain_tooltip

CARET = QColor("#6a1b9a")  # deep purple: no label's fill nor a frame, seen on all of them


class SpanTextView(QPlainTextEdit):
    clicked = Signal(int, object)  # Qt position, keyboard modifiers

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.2)
        self.setFont(font)
        self.document().setDocumentMargin(16)
        self.key_handler: Callable[[QKeyEvent], bool] | None = None
        self.tooltip_for: Callable[[int], str | None] | None = None
        self.key_claim: Callable[[QKeyEvent], bool] | None = None
        self.frames: Callable[[], list[Frame]] | None = None  # drawn over the text
        # More drawn over the text, under the frames (link arcs): each paints the viewport.
        self.overlays: list[Callable[[], None]] = []
        self._press: QPoint | None = None

    def setDocument(self, document: QTextDocument) -> None:
        super().setDocument(document)
        self.setCursorWidth(2)  # a one-pixel caret was hard to find (issue 13); kept per layout

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.key_claim is not None
            and self.key_claim(event)
        ):
            event.accept()  # delivered as a key press to keyPressEvent, not to a shortcut
            return True
        # Tab and Shift+Tab step through spans instead of moving focus away from the text.
        if (
            (
                event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            )
            and self.key_handler is not None
            and self.key_handler(event)
        ):
            return True
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = None
            if self.tooltip_for is not None:
                text = self.tooltip_for(self.cursorForPosition(event.pos()).position())
            if text:
                # Escaped: tooltips would otherwise render anything that looks like HTML.
                QToolTip.showText(event.globalPos(), plain_tooltip(text), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        for paint in self.overlays:
            paint()
        if self.frames is not None:
            paint_frames(self, self.frames())
        if self.hasFocus() and not self.textCursor().hasSelection():
            # Drawn over the blinking one, in a colour that stands out: steady and visible.
            painter = QPainter(self.viewport())
            painter.fillRect(self.cursorRect(), CARET)
            painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.key_handler is not None and self.key_handler(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self._press is not None
            and (point - self._press).manhattanLength() < 4
            and not self.textCursor().hasSelection()
        ):
            self.clicked.emit(self.cursorForPosition(point).position(), event.modifiers())
        self._press = None
