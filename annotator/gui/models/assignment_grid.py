"""The team lead's table: documents × people, a tick where a document is assigned, and each
person's status where they have worked on it.

Like the document list it holds only the ids (100,000 documents are a list of ints); rows are
read a page at a time when shown. Ticks changed are kept as pending until applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from annotator.core.services.assignments import AssignmentRow, AssignmentService
from annotator.core.services.documents import DocumentService
from annotator.gui.models.document_list import STATUS_TEXT
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

PAGE = 200
FIXED = ("Key", "Title")
PENDING = QColor("#fff2b3")  # a tick changed and not applied yet (also shown in italics)


class AssignmentGridModel(FlatTableModel):
    pendingChanged = Signal(int)  # how many documents have changes not applied yet

    def __init__(
        self,
        documents: DocumentService,
        assignments: AssignmentService,
        people: Sequence[str],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._documents = documents
        self._assignments = assignments
        self.people = list(people)
        self.search = ""
        self._ids: list[int] = []
        self._pages: dict[int, list[AssignmentRow]] = {}
        self._pending: dict[int, frozenset[str]] = {}  # document id -> people wanted
        self._keys: dict[int, str] = {}  # their keys, to name them (the filter may hide them)
        italic = QFont()
        italic.setItalic(True)
        self._italic = italic
        self.reload()

    # -- contents --

    def set_search(self, text: str) -> None:
        self.search = text
        self.reload()

    def reload(self, people: Sequence[str] | None = None) -> None:
        """Read the ids again (and every row when shown); pending ticks are kept. ``people``:
        the columns, when a deal has named someone new."""
        self.beginResetModel()
        if people is not None:
            self.people = list(people)
        self._ids = self._documents.ids(None, search=self.search or None)
        self._pages.clear()
        self.endResetModel()

    def document_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def person_of_column(self, column: int) -> str | None:
        n = column - len(FIXED)
        return self.people[n] if 0 <= n < len(self.people) else None

    def column_of(self, person: str) -> int:
        return len(FIXED) + self.people.index(person)

    def row_of(self, document_id: int) -> int | None:
        try:
            return self._ids.index(document_id)
        except ValueError:
            return None

    def _row(self, row: int) -> AssignmentRow | None:
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            if len(self._pages) > 50:
                self._pages.clear()
            rows = self._assignments.grid(self._ids[page * PAGE : (page + 1) * PAGE])
            self._pages[page] = rows
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    # -- pending changes --

    def pending(self) -> dict[int, frozenset[str]]:
        return dict(self._pending)

    def pending_key(self, document_id: int) -> str:
        return self._keys.get(document_id, f"#{document_id}")

    def forget(self, document_id: int) -> None:
        """Drop a document's pending change (applied, or refused)."""
        self._pending.pop(document_id, None)
        self._keys.pop(document_id, None)
        self.pendingChanged.emit(len(self._pending))

    def wanted(self, row: AssignmentRow) -> frozenset[str]:
        return self._pending.get(row.id, row.assigned)

    # -- QAbstractTableModel --

    def row_total(self) -> int:
        return len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED) + len(self.people)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section < len(FIXED):
            return FIXED[section]
        return self.person_of_column(section)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.person_of_column(index.column()) is not None:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self._row(index.row()) if index.isValid() else None
        if found is None:
            return None
        column = index.column()
        person = self.person_of_column(column)
        if person is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return found.key if column == 0 else found.title
            if role == Qt.ItemDataRole.ToolTipRole and column == 1 and found.title:
                return plain_tooltip(found.title)
            return None
        changed = found.id in self._pending and (person in self._pending[found.id]) != (
            person in found.assigned
        )
        status = found.statuses.get(person, "new")
        if role == Qt.ItemDataRole.CheckStateRole:
            ticked = person in self.wanted(found)
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if status == "new" else STATUS_TEXT.get(status, status)
        if role == Qt.ItemDataRole.ToolTipRole:
            told = "assigned" if person in self.wanted(found) else "not assigned"
            worked = "" if status == "new" else f", {STATUS_TEXT.get(status, status)}"
            return plain_tooltip(
                f"{found.key}: {person} {told}{worked}" + (" (not applied)" * changed)
            )
        if changed and role == Qt.ItemDataRole.BackgroundRole:
            return PENDING
        if changed and role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#111111")
        if changed and role == Qt.ItemDataRole.FontRole:
            return self._italic
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        person = self.person_of_column(index.column()) if index.isValid() else None
        found = self._row(index.row()) if person is not None else None
        if role != Qt.ItemDataRole.CheckStateRole or person is None or found is None:
            return False
        ticked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        wanted = set(self.wanted(found))
        wanted = wanted | {person} if ticked else wanted - {person}
        if frozenset(wanted) == found.assigned:
            self._pending.pop(found.id, None)
        else:
            self._pending[found.id] = frozenset(wanted)
            self._keys[found.id] = found.key
        self.dataChanged.emit(
            self.index(index.row(), len(FIXED)), self.index(index.row(), self.columnCount() - 1)
        )
        self.pendingChanged.emit(len(self._pending))
        return True
