"""The document list: a table over the store that never holds every row in memory.

The filtered list of ids (a few bytes per document) is fetched in one query; row contents are
fetched a page at a time, when the view first asks for them. The annotator's queue (documents
assigned to them) comes first and is marked: a bold title and a marker square.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from annotator.core.domain.records import DocumentRow
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

if TYPE_CHECKING:
    from annotator.core.services.documents import DocumentService

PAGE = 200
STATUS_TEXT = {"new": "new", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
DocumentIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
QueuedRole = Qt.ItemDataRole.UserRole + 3
QUEUE_MARK = QColor("#0072b2")  # a blue square before the title: assigned to you


class DocumentListModel(FlatTableModel):
    HEADERS = ("Title", "Status", "Spans")

    def __init__(self, documents: DocumentService, annotator_id: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._annotator_id = annotator_id
        self._ids: list[int] = []
        self._queued = 0  # the first rows are the annotator's queue, the rest follow
        bold = QFont()
        bold.setBold(True)
        self._bold = bold
        self._pages: dict[int, list[DocumentRow]] = {}
        self.statuses: tuple[str, ...] = ()
        self.search = ""
        self.reload()

    # -- filtering --

    def set_filter(self, statuses: Sequence[str] = (), search: str = "") -> None:
        self.statuses, self.search = tuple(statuses), search
        self.reload()

    def set_annotator(self, annotator_id: int) -> None:
        """Show another layer's statuses and span counts (gold's, while curating)."""
        self._annotator_id = annotator_id
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._ids, self._queued = self._documents.listing(
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

    def show_row(self, document_id: int, status: str, span_count: int) -> None:
        """Show what the open document's session knows of its row, without a query (a count
        of a 10,000-span article's spans after every edit cost as much as the edit)."""
        row = self.row_of(document_id)
        if row is None:
            return
        page = self._pages.get(row // PAGE)
        offset = row % PAGE
        if page is not None and offset < len(page) and page[offset].id == document_id:
            page[offset] = replace(page[offset], status=status, span_count=span_count)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    # -- lookups --

    @property
    def annotator_id(self) -> int:
        """Whose statuses and span counts the list shows."""
        return self._annotator_id

    def document_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, document_id: int) -> int | None:
        # The queue and the rest each come in ascending order: a binary search in each finds
        # the row without an index dict.
        ids, queued = self._ids, self._queued
        for lo, hi in ((0, queued), (queued, len(ids))):
            row = bisect_left(ids, document_id, lo, hi)
            if row < hi and ids[row] == document_id:
                return row
        return None

    def queued(self, row: int) -> bool:
        """Whether the row's document is assigned to the annotator (listed first)."""
        return 0 <= row < self._queued

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
        if role == QueuedRole:
            return self.queued(index.row())
        if index.column() == 0 and self.queued(index.row()):
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.DecorationRole:
                return QUEUE_MARK
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
            queue = "\nassigned to you" if self.queued(index.row()) else ""
            return plain_tooltip(f"{row.title}\n{row.key} · {row.length:,} characters{queue}")
        if column == 0:
            return row.title or row.key
        if column == 1:
            return STATUS_TEXT.get(row.status, row.status)
        return row.span_count
