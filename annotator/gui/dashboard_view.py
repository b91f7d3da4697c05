"""Team → Dashboard… (Ctrl+Shift+D): progress over time, labels and values, speakers and
agreement, each a chart over its table, each exportable as PNG and CSV.

The figures come from ``Workspace.statistics()`` (what ``annotator stats --csv`` writes), read
on a worker thread; agreement reads every span, so it is measured only when asked, also off
the GUI thread, and its progress dialog can cancel it. The layer box chooses whose work every
tab shows; agreement being between two, a chosen layer is compared with each person (what
``stats --csv --layer NAME --agreement`` writes), and once measured it follows the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.statistics import AGREEMENT_HEADERS, Table
from annotator.core.domain.wording import counted
from annotator.core.services.statistics import StatisticsCancelled
from annotator.core.services.workspace import Workspace
from annotator.gui.dashboard_series import (
    LABELS,
    agreement_bars,
    count_choices,
    counts,
    progress_lines,
    single_bars,
)
from annotator.gui.dashboard_tab import DashboardTab
from annotator.gui.jobs import Job

EVERY_PERSON = "Every person"
NOT_MEASURED = "Not measured yet: it reads every span."


def agreement_title(layers: list[str] | None) -> str:
    if not layers:
        return "Agreement per label (everyone)"
    return f"Agreement of {', '.join(layers)} with each person (all labels)"


class DashboardDialog(QDialog):
    """Non-modal: a team lead keeps it open while the team works, and refreshes it."""

    figuresReady = Signal()
    agreementReady = Signal(object)  # the agreement Table
    failed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dashboard")
        self.workspace = workspace
        self.tables: dict[str, Table] = {}
        self._job: Job | None = None
        self._agreement_job: Job | None = None

        self.layer = QComboBox()
        self.layer.setObjectName("dashboardLayer")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.layer.currentIndexChanged.connect(self.refresh)
        self.layer.currentIndexChanged.connect(self._agreement_follows_layer)
        top = QHBoxLayout()
        caption = QLabel("&Layer")
        caption.setBuddy(self.layer)
        top.addWidget(caption)
        top.addWidget(self.layer)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        self.progress_tab = DashboardTab("Documents done per annotator (running total)")
        self.labels_tab = DashboardTab("Spans per label or value")
        self.count_choice = QComboBox()
        self.count_choice.currentTextChanged.connect(lambda _text: self._show_counts())
        self.labels_tab.controls.insertWidget(0, self.count_choice)
        self.speakers_tab = DashboardTab("Statements per speaker")
        self.top = QSpinBox()
        self.top.setRange(1, 1000)
        self.top.setValue(20)
        self.top.setPrefix("top ")
        self.top.valueChanged.connect(lambda _n: self._show_speakers())
        self.speakers_tab.controls.insertWidget(0, self.top)
        self.agreement_tab = DashboardTab(agreement_title(None))
        self._agreement_measured = False  # once asked, the tab follows the layer box
        self.measure_button = QPushButton("&Measure agreement")
        self.measure_button.clicked.connect(self.measure_agreement)
        self.done_only = QCheckBox("Done documents only")
        self.done_only.setChecked(True)
        self.agreement_status = QLabel(NOT_MEASURED)
        for n, widget in enumerate((self.measure_button, self.done_only, self.agreement_status)):
            self.agreement_tab.controls.insertWidget(n, widget)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.progress_tab, "&Progress")
        self.tabs.addTab(self.labels_tab, "Labels && &values")
        self.tabs.addTab(self.speakers_tab, "&Speakers")
        self.tabs.addTab(self.agreement_tab, "&Agreement")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.resize(900, 720)
        self.fill_layers()

    def fill_layers(self) -> None:
        """Every layer with work, the current choice kept."""
        self.layer.blockSignals(True)
        current = self.layer.currentText()
        self.layer.clear()
        self.layer.addItem(EVERY_PERSON)
        self.layer.addItems(self.workspace.statistics().layer_names())
        if current:
            self.layer.setCurrentText(current)
        self.layer.blockSignals(False)

    def chosen_layers(self) -> list[str] | None:
        text = self.layer.currentText()
        return None if text in ("", EVERY_PERSON) else [text]

    # -- progress, labels, speakers --

    def refresh(self) -> None:
        """Count again on a worker thread; the tabs change when it is done."""
        if self._job is not None:
            self._job.cancel()
        layers = self.chosen_layers()
        statistics = self.workspace.statistics()
        self.summary.setText("Counting…")

        def work(_progress: Callable[[int, int], bool]) -> dict[str, Table]:
            labels, values = statistics.labels_and_values(layers)
            return {
                "progress": statistics.progress(layers),
                "labels": labels,
                "values": values,
                "speakers": statistics.speakers(layers),
            }

        job = self._job = Job("Counting", work, self)
        job.done.connect(lambda tables, j=job: self._show(j, tables))
        job.error.connect(lambda exc, j=job: self._fail(j, exc))
        job.start()

    def _forget(self, job: Job) -> bool:
        current = job is self._job
        if current:
            self._job = None
        job.deleteLater()
        return current

    def _show(self, job: Job, tables: dict[str, Table]) -> None:
        if not self._forget(job):
            return  # a newer refresh is on its way
        self.tables = tables
        progress = tables["progress"]
        self.progress_tab.show_table(progress, lambda c: c.show_lines(progress_lines(progress)))
        choice = self.count_choice.currentText() or LABELS
        self.count_choice.blockSignals(True)
        self.count_choice.clear()
        self.count_choice.addItems(count_choices(tables["values"]))
        self.count_choice.setCurrentText(choice)
        self.count_choice.blockSignals(False)
        self._show_counts()
        self._show_speakers()
        who = self.layer.currentText()
        self.summary.setText(
            f"{who}: {counted(len({r[0] for r in progress.rows}), 'annotator')} with documents "
            f"done, {counted(sum(int(r[2] or 0) for r in tables['labels'].rows), 'span')}, "
            f"{counted(len(tables['speakers'].rows), 'speaker')}."
        )
        self.figuresReady.emit()

    def _show_counts(self) -> None:
        if not self.tables:
            return
        table = counts(
            self.tables["labels"], self.tables["values"], self.count_choice.currentText()
        )
        bars = single_bars(table, table.headers[0], "spans", "spans")
        self.labels_tab.show_table(table, lambda c: c.show_bars(bars))

    def _show_speakers(self) -> None:
        if not self.tables:
            return
        table = self.tables["speakers"]
        table = replace(table, rows=table.rows[: self.top.value()])
        bars = single_bars(table, "speaker", "statements", "statements")
        self.speakers_tab.show_table(table, lambda c: c.show_bars(bars))

    def _fail(self, job: Job, exc: object) -> None:
        if not self._forget(job):
            return
        self.summary.setText(f"Could not count: {exc}")
        self.failed.emit(str(exc))

    # -- agreement, on demand --

    def measure_agreement(self) -> Job:
        """Measure agreement per label on a worker thread; Cancel in its progress dialog stops
        it (the figures shown stay the last ones measured)."""
        if self._agreement_job is not None:
            self._agreement_job.cancel()
        self._agreement_measured = True
        statistics = self.workspace.statistics()
        layers = self.chosen_layers()
        statuses = ("done",) if self.done_only.isChecked() else None
        self.agreement_status.setText("Measuring…")

        def work(progress: Callable[[int, int], bool]) -> Table:
            return statistics.agreement(layers, statuses=statuses, progress=progress)

        job = self._agreement_job = Job("Measuring agreement", work, self)
        job.done.connect(lambda table, j=job: self._show_agreement(j, table))
        job.error.connect(lambda exc, j=job: self._agreement_failed(j, exc))
        job.start()
        return job

    def _agreement_follows_layer(self) -> None:
        """Figures for another layer are never left under this one's title: measured before,
        measured again for the new choice; else emptied until asked."""
        self.agreement_tab.chart.set_title(agreement_title(self.chosen_layers()))
        empty = Table("agreement", AGREEMENT_HEADERS)
        self.agreement_tab.show_table(empty, lambda c: c.show_bars(agreement_bars(empty)))
        self.agreement_status.setText(NOT_MEASURED)
        if self._agreement_measured:
            self.measure_agreement()

    def _agreement_done(self, job: Job) -> bool:
        current = job is self._agreement_job
        if current:
            self._agreement_job = None
        job.deleteLater()
        return current

    def _show_agreement(self, job: Job, table: Table) -> None:
        if not self._agreement_done(job):
            return
        self.agreement_tab.show_table(table, lambda c: c.show_bars(agreement_bars(table)))
        if "with" in table.headers:
            compared = len({row[1] for row in table.rows})
            shown = f"{counted(compared, 'person', 'people')} with documents in common"
        else:
            shown = f"{counted(len(table.rows), 'row')} (label or all labels)"
        self.agreement_status.setText(shown)
        self.agreementReady.emit(table)

    def _agreement_failed(self, job: Job, exc: object) -> None:
        if not self._agreement_done(job):
            return
        cancelled = isinstance(exc, StatisticsCancelled)
        self.agreement_status.setText("Cancelled." if cancelled else f"Could not measure: {exc}")
        if not cancelled:
            self.failed.emit(str(exc))

    def closeEvent(self, event: Any) -> None:
        for job in (self._job, self._agreement_job):
            if job is not None:
                job.cancel()
                job.wait()
        super().closeEvent(event)
