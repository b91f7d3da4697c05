"""Edit → Search corpus… (Ctrl+Shift+F): a query, its filters and the hits, in a dock.

The search runs on the project's job runner (``jobs.Job``): off the GUI thread, cancellable;
an expression that may backtrack for long runs in a child process that Stop kills
(``Workspace.search_stoppable``), since ``re`` would otherwise hold the GUI thread too.
The worker only appends hits to a queue; a timer here moves them into the model, so the list
fills while the search goes on and a key press is never kept waiting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.domain.search_syntax import combined, filter_terms, parse_search
from annotator.core.domain.searching import Hit, SearchQuery, parse_attribute
from annotator.core.domain.wording import counted
from annotator.core.services.workspace import Workspace
from annotator.gui.jobs import Job
from annotator.gui.models.search_results import SearchResultsModel
from annotator.gui.search_completer import TermCompleter

MAX_HITS = 100_000  # past this the search stops and asks for a narrower one
DRAIN_MS = 100
ANY_LABEL, ANY_VALUE, EVERY_PERSON, ANY_STATUS = "Any label", "Any value", "Every person", "Any"


class CorpusSearchPanel(QWidget):
    """The query, its filters, the hits; ``hitChosen`` when one is opened (Enter, a double
    click)."""

    hitChosen = Signal(object)  # a Hit
    finished = Signal()  # a search ended: done, stopped or failed (for tests and scripts)

    def __init__(
        self,
        workspace: Workspace,
        schema: Schema,
        running: list[Job],
        parent: QWidget | None = None,
    ) -> None:
        """``running``: where a search's job is listed while it runs (the window's jobs, which
        closing the window cancels and waits for)."""
        super().__init__(parent)
        self.setObjectName("corpusSearch")
        self.workspace = workspace
        self.job: Job | None = None
        self._running = running
        self._queue: deque[Hit] = deque()
        self._note = ""
        self._read_as: tuple[str, ...] = ()  # how the last query's line was read, if of note
        self.schema = schema
        self.query_edit = QLineEdit()
        self.query_edit.setObjectName("searchQuery")
        self.query_edit.setPlaceholderText(
            "Search every document… e.g. missile, or label:STATEMENT stance:denies speaker:Hatami"
        )
        self.query_edit.setToolTip(
            "Text to find, with filters among it: label:STATEMENT, a value (stance:denies), "
            "a link's far end (speaker:Hatami, said_by:Hatami), annotator:NAME, status:done.\n"
            'Quote a value with spaces (speaker:"Mehmet Yılmaz") or text that looks like a '
            'filter ("stance:denies"). The filters are offered as you type.'
        )
        self.completer = TermCompleter(self.query_edit)
        self.query_edit.setClearButtonEnabled(True)
        self.regex = QCheckBox("Regex")
        self.match_case = QCheckBox("Match case")
        self.accents = QCheckBox("Ignore accents")
        self.label_box = QComboBox()
        self.value_box = QComboBox()
        self.layer_box = QComboBox()
        self.status_box = QComboBox()
        for box, name in (
            (self.label_box, "searchLabel"),
            (self.value_box, "searchValue"),
            (self.layer_box, "searchLayer"),
            (self.status_box, "searchStatus"),
        ):
            box.setObjectName(name)
        self.status_box.addItems([ANY_STATUS, *STATUSES])
        self.run_button = QPushButton("Search")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.summary = QLabel()
        self.summary.setObjectName("searchSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        # A long note never widens the dock: what does not fit is in the tooltip.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = SearchResultsModel(self)
        self.view = QTableView()
        self.view.setObjectName("searchResults")
        self.view.setModel(self.model)
        self._layout()
        self.set_schema(schema)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self.query_edit.returnPressed.connect(self._return_pressed)
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.view.activated.connect(self._choose)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.query_edit, 1)
        for widget in (self.regex, self.match_case, self.accents, self.run_button):
            top.addWidget(widget)
        top.addWidget(self.stop_button)
        filters = QHBoxLayout()
        for text, box in (
            ("Label", self.label_box),
            ("Value", self.value_box),
            ("Annotator", self.layer_box),
            ("Status", self.status_box),
        ):
            filters.addWidget(QLabel(text))
            filters.addWidget(box)
        filters.addWidget(self.summary, 1)
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(22)
        view.setWordWrap(False)
        header = view.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Interactive,
            )
        ):
            header.setSectionResizeMode(column, mode)  # fixed modes: never read every row
        header.resizeSection(0, 180)
        header.resizeSection(2, 140)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(view, 1)

    def set_schema(self, schema: Schema) -> None:
        """The labels, values and annotators offered as filters (any stored label can still be
        found from the command line); a filter chosen before stays chosen while offered."""
        self.schema = schema
        values = [
            f"{attr.name}={value.name}"
            for label in schema.labels
            for attr in label.attributes
            if attr.type in (AttributeType.CHOICE, AttributeType.MULTI)
            for value in attr.values
        ]
        people = [a.name for a in self.workspace.annotators.all()]
        self.completer.set_terms(filter_terms(schema, tuple(people)))
        for box, items in (
            (self.label_box, [ANY_LABEL, *(label.name for label in schema.labels)]),
            (self.value_box, [ANY_VALUE, *dict.fromkeys(values)]),
            (self.layer_box, [EVERY_PERSON, *people]),
        ):
            chosen = box.currentText()
            box.clear()
            box.addItems(items)
            box.setCurrentIndex(max(0, box.findText(chosen)))

    def query(self) -> SearchQuery:
        """The search the line and the lists describe (the line's filters and the lists' add
        up); how the line was read, where of note, is said with the hits."""

        def chosen(box: QComboBox) -> tuple[str, ...]:
            return () if box.currentIndex() <= 0 else (box.currentText(),)

        parsed = parse_search(
            self.query_edit.text(),
            self.schema,
            regex=self.regex.isChecked(),
            ignore_case=not self.match_case.isChecked(),
            ignore_accents=self.accents.isChecked(),
        )
        self._read_as = parsed.notes
        return combined(
            parsed.query,
            labels=chosen(self.label_box),
            attributes=tuple(parse_attribute(v) for v in chosen(self.value_box)),
            layers=chosen(self.layer_box),
            statuses=chosen(self.status_box),
        )

    def _return_pressed(self) -> None:
        """Search, unless this Enter picks one of the filters offered (the line edit hears it
        before the completion is made): typing goes on."""
        popup = self.completer.popup()
        if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
            return
        self.run()

    # -- running --

    def run(self) -> None:
        """Start the search the fields describe, stopping one still running."""
        self.stop()
        self.model.clear()
        try:
            query = self.query()
            query.check()  # a bad expression is told at once, not by the worker
        except AnnotatorError as exc:
            self._show(str(exc))
            self.finished.emit()
            return
        queue: deque[Hit] = deque()
        self._queue, self._note = queue, ""
        workspace = self.workspace

        def work(progress: Callable[[int, int], bool]) -> int:
            for n, hit in enumerate(workspace.search_stoppable(query, progress), 1):
                queue.append(hit)
                if n >= MAX_HITS:
                    return n
            return -1

        job = self.job = Job("Searching", work, self)
        job.done.connect(lambda result: self._ended(job, result))
        job.error.connect(lambda exc: self._ended(job, exc))
        self._running.append(job)
        self.stop_button.setEnabled(True)
        self._show("searching…")
        self._timer.start()
        job.start()

    def stop(self) -> None:
        """Cancel a running search; the hits found so far stay."""
        job = self.job
        if job is None:
            return
        job.cancel()
        job.wait()
        self._ended(job, "stopped")

    def _ended(self, job: Job, result: object) -> None:
        if job in self._running:
            self._running.remove(job)
        if job is not self.job:
            return  # an earlier search, already stopped
        self.job = None
        self._timer.stop()
        self.stop_button.setEnabled(False)
        self._drain()
        if isinstance(result, Exception):
            self._note = str(result) or type(result).__name__
        elif result == "stopped" or job.was_cancelled:
            self._note = "stopped"
        elif isinstance(result, int) and result >= MAX_HITS:
            self._note = f"stopped at {MAX_HITS:,}: narrow the search"
        self._summarise()
        job.dialog.deleteLater()
        job.deleteLater()
        self.finished.emit()

    def _drain(self) -> None:
        queue = self._queue
        hits = [queue.popleft() for _ in range(len(queue))]
        if hits:
            self.model.append(hits)
        if self.job is not None:
            self._summarise("searching…")

    def _summarise(self, state: str = "") -> None:
        model = self.model
        text = f"{counted(model.found, 'hit')} in {counted(model.documents, 'document')}"
        self._show("; ".join(filter(None, [text, state or self._note, *self._read_as])))

    def _show(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setToolTip(text)  # all of it, where the dock is too narrow to show it

    def _choose(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.hitChosen.emit(hit)
