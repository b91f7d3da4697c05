"""The agreement report as table rows and chart bars: what the agreement view shows.

Flattening is plain Python (no widgets), so the figures on screen are the CLI's, cell for cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

HEADERS = ("section", "who", "item", "measure", "value", "n")


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: a label's value of one measure, or why it has none."""

    label: str
    measure: str
    value: float | None
    undefined: str = ""


def _cell(value: object) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _why(entry: Mapping[str, Any], key: str) -> str:
    """The reason a measure is undefined, from the entry's "undefined" text."""
    text = str(entry.get("undefined", ""))
    for part in text.split("; "):
        if part.startswith(f"{key}:"):
            return part.split(":", 1)[1].strip()
    return text


def report_rows(report: Mapping[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """Every figure of the report as (section, who, item, measure, value, n) rows."""
    rows: list[tuple[str, str, str, str, str, str]] = []

    def add(section: str, who: str, item: str, entry: Mapping[str, Any], keys: Mapping[str, str]):
        for key, name in keys.items():
            if key not in entry:
                continue
            value = entry[key]
            shown = _cell(value) if value is not None else f"undefined ({_why(entry, key)})"
            n = entry.get("n", entry.get("tp", ""))
            rows.append((section, who, item, name, shown, "" if n is None else str(n)))

    for pair in report.get("pairs", []):
        who = " vs ".join(pair["annotators"])
        for label, entry in pair["spans"].items():
            item = "all labels" if label == "*" else label
            add(
                "spans",
                who,
                item,
                entry,
                {"precision": "P", "recall": "R", "f1": "F1", "alpha_u": "alpha_u"},
            )
        for name, entry in pair["attributes"].items():
            add("values", who, name, entry, {"cohen_kappa": "Cohen's kappa"})
        for name, entry in pair["relations"].items():
            add("links", who, name, entry, {"f1": "F1", "cohen_kappa": "Cohen's kappa"})
        for name, entry in pair.get("link_attributes", {}).items():
            add("link values", who, name, entry, {"cohen_kappa": "Cohen's kappa"})
    overall = report.get("overall", {})
    for label, entry in overall.get("spans", {}).items():
        item = "all labels" if label == "*" else label
        add("spans", "everyone", item, entry, {"f1_mean": "F1 mean", "alpha_u": "alpha_u"})
    for name, entry in overall.get("attributes", {}).items():
        add(
            "values",
            "everyone",
            name,
            entry,
            {"fleiss_kappa": "Fleiss' kappa", "krippendorff_alpha": "Krippendorff's alpha"},
        )
    for name, entry in overall.get("relations", {}).items():
        add("links", "everyone", name, entry, {"f1_mean": "F1 mean", "cohen_kappa_mean": "kappa"})
    for name, entry in overall.get("link_attributes", {}).items():
        add("link values", "everyone", name, entry, {"cohen_kappa_mean": "kappa mean"})
    return rows


def chart_bars(report: Mapping[str, Any]) -> list[Bar]:
    """Per label, everyone's mean span F1 and alpha_u: the chart's bars."""
    bars = []
    for label, entry in report.get("overall", {}).get("spans", {}).items():
        name = "all" if label == "*" else label
        for key, measure in (("f1_mean", "F1"), ("alpha_u", "alpha_u")):
            value = entry.get(key)
            bars.append(Bar(name, measure, value, "" if value is not None else _why(entry, key)))
    return bars


class AgreementTableModel(QAbstractTableModel):
    """The report's rows for a QTableView (sortable through a proxy)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, ...]] = []

    def set_report(self, report: Mapping[str, Any]) -> None:
        self.beginResetModel()
        self._rows = list(report_rows(report))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def row(self, n: int) -> tuple[str, ...]:
        return self._rows[n]
