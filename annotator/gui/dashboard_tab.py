"""One tab of the dashboard: a chart over the table behind it, and both exportable.

"Export PNG…" grabs the chart as shown; "Export CSV…" writes the table's rows. The file dialog
asks before replacing a file, and the file appears whole or not at all (a scratch file beside
it, then renamed), so a spreadsheet never opens half a table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.statistics import Table
from annotator.core.services.statistics import save_csv
from annotator.gui.dashboard_charts import ChartPanel
from annotator.gui.dashboard_model import StatisticsTableModel


class DashboardTab(QWidget):
    exported = Signal(str)  # the path written

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.chart = ChartPanel(title)
        self.model = StatisticsTableModel()
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the table's own order
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.controls = QHBoxLayout()  # a tab's own choices go first
        self.controls.addStretch(1)
        self.png_button = QPushButton("Export &PNG…")
        self.png_button.clicked.connect(self.export_png_dialog)
        self.png_button.setEnabled(self.chart.available)
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.clicked.connect(self.export_csv_dialog)
        self.controls.addWidget(self.png_button)
        self.controls.addWidget(self.csv_button)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addWidget(split, 1)

    def show_table(self, table: Table, draw: Callable[[ChartPanel], None]) -> None:
        self.model.set_table(table)
        draw(self.chart)

    # -- export --

    def export_png_dialog(self) -> None:
        path = self._ask("Export chart as PNG", f"{self.model.table.name}.png", "PNG image (*.png)")
        if path is not None:
            self._report(lambda: self.export_png(path))

    def export_csv_dialog(self) -> None:
        path = self._ask("Export table as CSV", f"{self.model.table.name}.csv", "CSV (*.csv)")
        if path is not None:
            self._report(lambda: self.export_csv(path))

    def export_png(self, path: Path) -> Path:
        """The chart as drawn now, as a PNG file (replacing one the user chose to replace)."""
        if self.chart.plot is None:
            raise AnnotatorError("no chart to export: pip install 'annotator[charts]'")
        scratch = path.with_name(f".{path.name}.part")
        try:
            if not self.chart.plot.grab().save(str(scratch), "PNG"):
                raise OSError(f"could not write {path}")
            os.replace(scratch, path)
        finally:
            scratch.unlink(missing_ok=True)
        return path

    def export_csv(self, path: Path) -> Path:
        return save_csv(self.model.table, path, overwrite=True)

    def _ask(self, caption: str, name: str, kind: str) -> Path | None:
        # The dialog asks before replacing an existing file (Qt's default).
        chosen, _ = QFileDialog.getSaveFileName(self, caption, name, kind)
        return Path(chosen) if chosen else None

    def _report(self, write: Callable[[], Path]) -> None:
        try:
            path = write()
        except (AnnotatorError, OSError) as exc:
            QMessageBox.critical(self, "Export failed", str(exc))
            return
        self.exported.emit(str(path))
