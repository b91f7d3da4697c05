"""Search hits as a table: the hit between its context, like a concordance, in plain text.

Hits arrive from a worker in chunks and are kept in a list (a few hundred bytes each); the view
is handed them a page at a time through ``canFetchMore``/``fetchMore`` as it scrolls, so a
search with 100,000 hits neither lays out nor paints 100,000 rows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from annotator.core.domain.searching import Hit
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

PAGE = 500
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class SearchResultsModel(FlatTableModel):
    HEADERS = ("Document", "Before", "Hit", "After", "Label", "Annotator")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._shown = 0  # rows the view has been given; the rest wait for fetchMore
        self._documents: set[int] = set()
        bold = QFont()
        bold.setBold(True)
        self._bold = bold

    def clear(self) -> None:
        self.beginResetModel()
        self._hits, self._shown = [], 0
        self._documents.clear()
        self.endResetModel()

    def append(self, hits: Sequence[Hit]) -> None:
        """Hits found since the last call; the first page is shown at once."""
        self._hits.extend(hits)
        self._documents.update(h.document_id for h in hits)
        if self._shown < PAGE:
            self._show(PAGE - self._shown)

    @property
    def found(self) -> int:
        """Every hit received, shown or not yet."""
        return len(self._hits)

    @property
    def documents(self) -> int:
        """How many documents the hits received are in."""
        return len(self._documents)

    def hit(self, row: int) -> Hit | None:
        return self._hits[row] if 0 <= row < self._shown else None

    # -- QAbstractTableModel --

    def row_total(self) -> int:
        return self._shown

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._hits)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self._show(PAGE)

    def _show(self, rows: int) -> None:
        """Hand the view up to ``rows`` more of the hits received."""
        more = min(rows, len(self._hits) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                hit.title or hit.key,
                hit.before,
                hit.match,
                hit.after,
                hit.label or "",
                hit.annotator or "",
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return RIGHT  # the context ends against the hit, as in a concordance
        if role == Qt.ItemDataRole.FontRole and column == 2:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"{hit.key} · characters {hit.start}–{hit.end}"
            return plain_tooltip(f"{hit.title}\n{where}\n\n{hit.snippet}")
        return None
