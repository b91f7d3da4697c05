"""The document list: a table over the store that never holds every row in memory.

The filtered list of ids (a few bytes per document) is fetched in one query; row contents are
fetched a page at a time, when the view first asks for them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from annotator.core.domain.records import DocumentRow
from annotator.core.services.documents import DocumentService
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

PAGE = 200
STATUS_TEXT = {"new": "new", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
DocumentIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2


class DocumentListModel(FlatTableModel):
    HEADERS = ("Title", "Status", "Spans")

    def __init__(self, documents: DocumentService, annotator_id: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._annotator_id = annotator_id
        self._ids: list[int] = []
        self._pages: dict[int, list[DocumentRow]] = {}
        self.statuses: tuple[str, ...] = ()
        self.search = ""
        self.reload()

    # -- filtering --

    def set_filter(self, statuses: Sequence[str] = (), search: str = "") -> None:
        self.statuses, self.search = tuple(statuses), search
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = self._documents.ids(
            self._annotator_id, self.statuses or None, self.search or None
        )
        self._pages.clear()
        self.endResetModel()

    def refresh_document(self, document_id: int) -> None:
        """Re-read one row (its status or span count changed)."""
        row = self.row_of(document_id)
        if row is None:
            return
        page = self._pages.get(row // PAGE)
        if page is not None:
            fresh = self._documents.rows(self._annotator_id, [document_id])
            offset = row - (row // PAGE) * PAGE
            if fresh and offset < len(page):
                page[offset] = fresh[0]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    # -- lookups --

    def document_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, document_id: int) -> int | None:
        # Ids come in ascending order, so a binary search finds the row without an index dict.
        row = bisect_left(self._ids, document_id)
        return row if row < len(self._ids) and self._ids[row] == document_id else None

    def ids(self) -> list[int]:
        return list(self._ids)

    def _row(self, row: int) -> DocumentRow | None:
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            if len(self._pages) > 50:  # keep memory flat when scrolling far
                self._pages.clear()
            page_ids = self._ids[page * PAGE : (page + 1) * PAGE]
            rows = self._documents.rows(self._annotator_id, page_ids)
            self._pages[page] = rows
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    # -- QAbstractTableModel --

    def row_total(self) -> int:
        return len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == DocumentIdRole:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            StatusRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == StatusRole:
            return row.status
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == 2:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column != 0:
                return None
            return plain_tooltip(f"{row.title}\n{row.key} · {row.length:,} characters")
        if column == 0:
            return row.title or row.key
        if column == 1:
            return STATUS_TEXT.get(row.status, row.status)
        return row.span_count
