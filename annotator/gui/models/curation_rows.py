"""The curation table: one row per span any annotator made on the open document, a column per
annotator with their version's values, and gold's.

Rows are built once per refresh (a list the core returns); cells are worded only when the view
paints them, so a document with 30,000 versions stays a model reset and a screenful of text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from annotator.core.domain.adjudicating import SpanKey
from annotator.core.domain.curating import AGREED, DISAGREED, IN_GOLD, SINGLE, CurationRow
from annotator.core.domain.records import SpanRecord
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

STATE_TEXT = {AGREED: "agreed", DISAGREED: "disagreed", SINGLE: "only one", IN_GOLD: "in gold"}
# Light tints of the Okabe-Ito palette (blue, orange, reddish purple) and a neutral grey:
# told apart with any colour vision, dark text readable on each. The state is also written out.
STATE_COLOURS = {
    AGREED: QColor("#cfe6f5"),
    DISAGREED: QColor("#fbd6a0"),
    SINGLE: QColor("#f0cde0"),
    IN_GOLD: QColor("#e3e3e3"),
}
TEXT_COLOUR = QColor("#111111")
FIXED = ("State", "Label", "Text")
EXCERPT = 80
PRESENT = "✓"  # a version without values


def values_text(attributes: Mapping[str, Any]) -> str:
    """A version's values as plain text: "stance=neutral; form=direct", or ✓ if it has none."""
    parts = []
    for name, value in attributes.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name}={shown}")
    return "; ".join(parts) or PRESENT


class CurationTableModel(FlatTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CurationRow] = []
        self._keys: list[SpanKey] = []
        self._text = ""
        self._gold: Mapping[int, SpanRecord] = {}
        self._by_gold: dict[int, int] = {}
        self.annotators: list[str] = []
        bold = QFont()
        bold.setBold(True)
        self._bold = bold

    def set_rows(
        self,
        rows: list[CurationRow],
        annotators: Sequence[str],
        text: str,
        gold: Mapping[int, SpanRecord],
    ) -> None:
        """Show new rows (in text order); ``gold``: gold's spans by id, for its column."""
        self.beginResetModel()
        self._rows = rows
        self._keys = [r.key for r in rows]
        self._text = text
        self._gold = gold
        self._by_gold = {r.gold_span_id: n for n, r in enumerate(rows) if r.gold_span_id}
        self.annotators = list(annotators)
        self.endResetModel()

    # -- lookups --

    def row(self, row: int) -> CurationRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_key(self, key: SpanKey) -> int | None:
        row = bisect_left(self._keys, key)
        return row if row < len(self._keys) and self._keys[row] == key else None

    def row_of_gold(self, span_id: int) -> int | None:
        return self._by_gold.get(span_id)

    def annotator_of_column(self, column: int) -> str | None:
        n = column - len(FIXED)
        return self.annotators[n] if 0 <= n < len(self.annotators) else None

    def next_decision(self, after: int, step: int) -> int | None:
        """The next row (``step`` 1) or the previous one (-1) that needs a decision, going
        round the end; None when no row does."""
        count = len(self._rows)
        for n in range(1, count + 1):
            row = (after + step * n) % count
            if self._rows[row].needs_decision:
                return row
        return None

    def counts(self) -> Counter[str]:
        return Counter(r.state for r in self._rows)

    def agreed(self) -> list[CurationRow]:
        return [r for r in self._rows if r.state == AGREED]

    # -- QAbstractTableModel --

    def row_total(self) -> int:
        return len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(FIXED) + len(self.annotators) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.annotator_of_column(section)
        if role == Qt.ItemDataRole.ToolTipRole and name is not None:
            n = section - len(FIXED) + 1
            return plain_tooltip(f"{name}'s version" + (f" (key {n})" if n <= 9 else ""))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < len(FIXED):
            return FIXED[section]
        if name is not None:
            n = section - len(FIXED) + 1
            return f"{n} {name}" if n <= 9 else name
        return "gold" if section == self.columnCount() - 1 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return STATE_COLOURS[row.state]
        if role == Qt.ItemDataRole.ForegroundRole:
            return TEXT_COLOUR  # the tints are light in a dark theme too
        column = index.column()
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if column == 0 and row.needs_decision else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        shown = self._cell(row, column, full=role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(shown) if shown else None
        return shown

    def _cell(self, row: CurationRow, column: int, *, full: bool) -> str:
        if column == 0:
            text = STATE_TEXT[row.state]
            if row.state in (AGREED, DISAGREED):
                text += f" {len(row.versions)}/{row.of}"
            return text
        if column == 1:
            return row.label
        if column == 2:
            covered = " ".join(self._text[row.start : row.end].split())
            limit = 400 if full else EXCERPT
            return covered if len(covered) <= limit else covered[: limit - 1] + "…"
        name = self.annotator_of_column(column)
        if name is not None:
            version = next((v for v in row.versions if v.annotator == name), None)
            return values_text(version.attributes) if version is not None else ""
        gold = self._gold.get(row.gold_span_id) if row.gold_span_id is not None else None
        return values_text(gold.attributes) if gold is not None else ""
