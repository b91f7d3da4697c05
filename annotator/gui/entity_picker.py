"""The type-ahead that links a mention to an entity of the registry in two or three keys.

E on a selected SPEAKER or TARGET (any label marked ``entity: true``) opens it under the span:
type part of a name or alias, Enter takes the first candidate (Up and Down choose another);
a name no entity has is offered as a new entity; Escape closes it and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotator.core.domain.entities import normalise_alias

if TYPE_CHECKING:
    from annotator.core.services.entities import EntityService

KeyRole = Qt.ItemDataRole.UserRole + 1  # an entity's key, NEW or UNLINK
NEW, UNLINK = "", "-"


class EntityPicker(QFrame):
    """A small panel over the article (a child widget, not a window: it never grabs the
    keyboard): a line to type in, the candidates under it. Closing gives the article its
    focus back."""

    chosen = Signal(int, str, bool)  # span id, entity key or new name ("" unlinks), new?

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent
        self.setObjectName("entity_picker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.line = QLineEdit(self)
        self.line.setPlaceholderText("Entity: type a name, Enter picks, Esc leaves it")
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.line)
        layout.addWidget(self.list)
        self.resize(360, 220)
        self.hide()
        self.line.textEdited.connect(self._fill)
        self.line.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self._accept())
        self._registry: EntityService | None = None
        self._span_id = 0
        self._kind: str | None = None
        self._linked = False

    def start(
        self,
        registry: EntityService,
        span_id: int,
        kind: str,
        text: str,
        at: QPoint,
        linked: bool = False,
    ) -> None:
        """Open at ``at`` (in the parent) for a mention: the candidates for its own text
        first, the line empty; a linked mention is offered "no entity" last."""
        self._registry, self._span_id, self._kind = registry, span_id, kind
        self._linked = linked
        self.line.clear()
        self._fill(text, offer_new=False)
        host = self._host
        x = max(0, min(at.x(), host.width() - self.width()))
        y = max(0, min(at.y(), host.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.line.setFocus()

    def close_picker(self) -> None:
        self.hide()
        self._host.setFocus()

    def _fill(self, typed: str, offer_new: bool = True) -> None:
        assert self._registry is not None
        self.list.clear()
        found = self._registry.suggest_for(typed, self._kind, limit=12)
        for candidate in found:
            item = QListWidgetItem(f"{candidate.label}  · {candidate.entity.kind}")
            item.setData(KeyRole, candidate.entity.key)
            self.list.addItem(item)
        name = " ".join(typed.split())
        known = {normalise_alias(c.entity.name) for c in found}
        if offer_new and name and normalise_alias(name) not in known:
            item = QListWidgetItem(f"+ new entity “{name}”")
            item.setData(KeyRole, NEW)
            self.list.addItem(item)
        if self._linked:
            item = QListWidgetItem("✕ no entity (unlink)")
            item.setData(KeyRole, UNLINK)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._accept()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_picker()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = (self.list.currentRow() + step) % self.list.count()
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _accept(self) -> None:
        item = self.list.currentItem()
        name = " ".join(self.line.text().split())
        self.close_picker()
        key = item.data(KeyRole) if item is not None else NEW
        if key == UNLINK:
            self.chosen.emit(self._span_id, "", False)
        elif key != NEW:
            self.chosen.emit(self._span_id, key, False)
        elif name:
            self.chosen.emit(self._span_id, name, True)
