"""The agreement view: the CLI's agreement report for the corpus or the open document, as a
table and a chart.

It calls ``Workspace.agreement``, the same core code as ``annotator agreement``, on a worker
thread (a thousand documents take a second or two), so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.agreement.table import MODE_NAMES
from annotator.core.services.workspace import Workspace
from annotator.gui.agreement_chart import AgreementChart
from annotator.gui.agreement_model import AgreementTableModel, chart_bars
from annotator.gui.jobs import Job

CORPUS, OPEN_DOCUMENT = "Corpus", "Open document"


class AgreementDialog(QDialog):
    """Non-modal: a team lead keeps it open beside the curation view and refreshes it."""

    reportReady = Signal(object)  # the report dict shown
    failed = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        open_document_key: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement")
        self.workspace = workspace
        self._open_document_key = open_document_key
        self.report: dict[str, Any] | None = None
        self._job: Job | None = None

        self.scope = QComboBox()
        self.scope.addItems([CORPUS, OPEN_DOCUMENT])
        self.mode = QComboBox()
        for mode, text in MODE_NAMES.items():
            self.mode.addItem(text.split(" (")[0], mode)
        self.done_only = QCheckBox("Done documents only")
        self.done_only.setChecked(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setDefault(True)
        self.refresh_button.clicked.connect(self.refresh)
        for box in (self.scope, self.mode):
            box.currentIndexChanged.connect(self.refresh)
        self.done_only.toggled.connect(self.refresh)

        controls = QHBoxLayout()
        for label, widget in (("&Scope", self.scope), ("&Matching", self.mode)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            controls.addWidget(caption)
            controls.addWidget(widget)
        controls.addWidget(self.done_only)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.chart = AgreementChart()
        self.model = AgreementTableModel()
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the report's own order
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        split = self.split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.resize(820, 760)

    def refresh(self) -> None:
        """Measure again on a worker thread; the table and chart change when it is done."""
        if self._job is not None:
            self._job.cancel()
        documents = None
        if self.scope.currentText() == OPEN_DOCUMENT:
            key = self._open_document_key()
            if key is None:
                self.summary.setText("No document is open.")
                return
            documents = [key]
        statuses = ("done",) if self.done_only.isChecked() else None
        mode = self.mode.currentData()
        self.summary.setText("Measuring…")

        def work(_progress: Callable[[int, int], bool]) -> dict[str, Any]:
            return self.workspace.agreement(documents=documents, statuses=statuses, mode=mode)

        job = Job("Measuring agreement", work, self)
        job.done.connect(lambda report, j=job: self._show(j, report))
        job.error.connect(lambda exc, j=job: self._fail(j, exc))
        self._job = job
        job.start()

    def _finish(self, job: Job) -> bool:
        """Forget a finished job; True when it is the latest one asked for."""
        current = job is self._job
        if current:
            self._job = None
        job.deleteLater()
        return current

    def _show(self, job: Job, report: dict[str, Any]) -> None:
        if not self._finish(job):
            return  # a newer refresh is on its way
        self.report = report
        self.model.set_report(report)
        self.chart.set_bars(chart_bars(report))
        # Every bar visible, the table below takes the rest.
        chart_height = self.chart.sizeHint().height()
        self.split.setSizes([chart_height, max(200, self.split.height() - chart_height)])
        selection = report.get("selection", {})
        statuses = selection.get("statuses")
        self.summary.setText(
            f"Span matching: {MODE_NAMES.get(report['mode'], report['mode'])}. "
            f"Annotators: {', '.join(report['annotators']) or 'none'}. "
            f"Documents compared: {report['documents']} "
            f"({'any status' if statuses == 'any' else 'marked ' + ', '.join(statuses or [])})."
        )
        self.reportReady.emit(report)

    def _fail(self, job: Job, exc: object) -> None:
        if not self._finish(job):
            return
        self.summary.setText(f"Could not measure agreement: {exc}")
        self.failed.emit(str(exc))

    def closeEvent(self, event: Any) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job.wait()
        super().closeEvent(event)
