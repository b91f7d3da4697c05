"""Assignments, for the team lead: tick who gets which document, or deal many at once.

Every change goes through ``AssignmentService.set_assigned``, which refuses to take a document
from someone who has worked on it: the refusal is shown, that document's tick goes back, and
the dialog stays open with everything else applied.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace
from annotator.gui.models.assignment_grid import AssignmentGridModel


class AssignmentsDialog(QDialog):
    def __init__(self, workspace: Workspace, lead: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assignmentsDialog")
        self.setWindowTitle("Assignments")
        self.workspace = workspace
        self.lead = lead
        people = [p.name for p in workspace.annotators.people()]
        self.model = AssignmentGridModel(workspace.documents, workspace.assignments, people, self)
        self.search = QLineEdit()
        self.search.setObjectName("assignmentSearch")
        self.search.setPlaceholderText("Filter by key or title…")
        self.search.setClearButtonEnabled(True)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(150)
        timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(timer.start)
        deal_button = QPushButton("Deal…")
        deal_button.setObjectName("dealButton")
        deal_button.setToolTip("Hand out many documents at once: how many each, and overlap")
        deal_button.clicked.connect(self.deal_dialog)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(deal_button)
        self.table = QTableView()
        self.table.setObjectName("assignmentTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((0, 120), (1, 300)):  # never sized to 100,000 rows
            header.resizeSection(column, width)
        for column in range(2, self.model.columnCount()):
            header.resizeSection(column, 110)
        self.note = QLabel(
            "Tick who should annotate a document; their status shows where they have worked "
            "on it (such an assignment cannot be taken back)."
        )
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.model.pendingChanged.connect(lambda n: self.apply_button.setEnabled(n > 0))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    def apply(self) -> bool:
        """Store every changed document; True if none was refused."""
        refused = []
        for document_id, names in self.model.pending().items():
            try:
                self.workspace.assignments.set_assigned(document_id, sorted(names), by=self.lead)
            except AnnotatorError as exc:
                refused.append(f"{self.model.pending_key(document_id)}: {exc}")
            self.model.forget(document_id)  # applied, or its tick goes back to what is stored
        self.model.reload()
        if refused:
            QMessageBox.critical(self, "Assignment refused", "\n".join(refused))
            return False
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def _dealt(self) -> None:
        people = [p.name for p in self.workspace.annotators.people()]
        self.model.reload(people)
        for column in range(2, self.model.columnCount()):
            self.table.horizontalHeader().resizeSection(column, 110)

    def deal_dialog(self) -> None:
        from annotator.gui.deal_dialog import DealDialog

        dialog = DealDialog(self.workspace, self.lead, self.model.people, self)
        dialog.finished.connect(lambda _result: self._dealt())
        dialog.open()
