"""The curation panel: the open document's spans as each annotator made them, and the keys that
accept a version into gold.

It shows gold as the editor holds it (no database read after a gold edit): the people's work
is read when a document opens or on Reload, and the rows are rebuilt from it and the editor's
gold spans once per burst of edits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.adjudicating import Layer, values_key
from annotator.core.domain.curating import AGREED, DISAGREED, IN_GOLD, SINGLE, CurationRow, Version
from annotator.core.domain.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.core.domain.layers import GOLD
from annotator.core.domain.wording import counted
from annotator.gui.curation_commands import AcceptCommand
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.models.curation_rows import CurationTableModel

if TYPE_CHECKING:  # the services come with the first curation, not at start-up
    from annotator.core.services.curation import Acceptance, CurationService
    from annotator.core.services.team_reading import DocumentWork

HINT = (
    "F8 / Shift+F8: next / previous to decide · Enter or A: accept (the chosen column's "
    "version) · 1–9: accept that annotator's version · Ctrl+Shift+G: accept all agreed"
)


class CurationTable(QTableView):
    """The table's own keys: they act only while it has the focus, so no schema key is taken."""

    acceptRequested = Signal(int)  # annotator number 1..9, or 0: the chosen column's / the only
    stepRequested = Signal(int)  # 1 next, -1 previous row to decide

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_A):
            self.acceptRequested.emit(0)
        elif plain and Qt.Key.Key_1.value <= key <= Qt.Key.Key_9.value:
            self.acceptRequested.emit(key - Qt.Key.Key_1.value + 1)
        elif key == Qt.Key.Key_N and mods in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        ):
            self.stepRequested.emit(-1 if mods else 1)
        else:
            super().keyPressEvent(event)


class CurationPanel(QWidget):
    message = Signal(str)

    def __init__(self, editor: AnnotationEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curationPanel")
        self.editor = editor
        self.curation: CurationService | None = None
        self.session: DocumentSession | None = None
        self.work: DocumentWork | None = None
        self._syncing = False
        self._shown: int | None = None  # the document the rows are of
        self.model = CurationTableModel(self)
        self.table = CurationTable()
        self.table.setObjectName("curationTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.acceptRequested.connect(self.accept)
        self.table.stepRequested.connect(self.step)
        self.table.selectionModel().currentChanged.connect(self._show_row)
        self.summary = QLabel()
        self.summary.setObjectName("curationSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.accept_all_button = QPushButton("Accept all agreed")
        self.accept_all_button.setObjectName("acceptAgreed")
        self.accept_all_button.setToolTip("Every agreed span into gold, as one undo step")
        self.accept_all_button.clicked.connect(self.accept_agreed)
        reload_button = QPushButton("Reload")
        reload_button.setToolTip("Read the annotators' work on this document again")
        reload_button.clicked.connect(self.reread)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.accept_all_button)
        buttons.addWidget(reload_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once per burst of edits, after the screen has them
        self._timer.timeout.connect(self.rebuild)
        editor.selectionChanged.connect(self._follow_editor)

    # -- what it shows --

    def set_curation(self, curation: CurationService | None) -> None:
        """Start (a service) or stop (None) curating; stopped, the panel reads nothing."""
        self.curation = curation
        if curation is None:
            self.show_session(None)

    def show_session(self, session: DocumentSession | None) -> None:
        """The editor opened a document (gold's session while curating)."""
        if self.session is not None:
            self.session.saved.disconnect(self._timer.start)
            self.session.reloaded.disconnect(self._timer.start)
        self.session = session if self.curation is not None else None
        if self.session is not None:
            self.session.saved.connect(self._timer.start)
            self.session.reloaded.connect(self._timer.start)
        self.reread()

    def reread(self) -> None:
        """Read every annotator's work on the document again, then rebuild the rows."""
        self.work = None
        if self.curation is not None and self.session is not None:
            try:
                self.work = self.curation.work(self.session.document.key)
            except AnnotatorError as exc:
                self.message.emit(f"cannot compare the annotators' work: {exc}")
        self.rebuild()

    def rebuild(self) -> None:
        """Rows from the people's work as read and gold as the editor holds it now."""
        self._timer.stop()
        session, work, curation = self.session, self.work, self.curation
        same_document = session is not None and session.document.id == self._shown
        current = self.model.row(self.table.currentIndex().row()) if same_document else None
        column = max(self.table.currentIndex().column(), 0)
        self._shown = session.document.id if session is not None else None
        if session is None or work is None or curation is None:
            self.model.set_rows([], [], "", {})
            self.summary.setText("No document to curate." if session is None else "")
            return
        gold = Layer(list(session.spans.values()), list(session.relations.values()))
        rows = curation.rows(work, gold)
        people = [name for name in work.layers if name != GOLD]
        header = self.table.horizontalHeader()
        same = people == self.model.annotators and self.model.columnCount() > 0
        widths = [header.sectionSize(c) for c in range(self.model.columnCount())] if same else []
        self.model.set_rows(rows, people, session.document.text, session.spans)
        self._size_columns(widths)  # the user's widths survive an edit's rebuild
        if current is not None:
            row = self.model.row_of_key(current.key)
            if row is not None:
                self._select(row, column, show=False)
        self._summarise(people)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (curation starts): the version columns share the width it now has."""
        super().showEvent(event)
        QTimer.singleShot(0, self, lambda: self._size_columns([]))

    def _size_columns(self, widths: list[int]) -> None:
        header = self.table.horizontalHeader()
        default = {0: 100, 1: 90, 2: 220}
        versions = len(self.model.annotators) + 1  # and gold's: they share what is left
        share = max(150, (self.table.viewport().width() - sum(default.values())) // versions)
        for column in range(self.model.columnCount()):
            if column < len(widths):
                header.resizeSection(column, widths[column])
            else:
                header.resizeSection(column, default.get(column, share))  # never sized to rows

    def _summarise(self, people: list[str]) -> None:
        counts = self.model.counts()
        decide = counts[DISAGREED] + counts[SINGLE]
        self.summary.setText(
            f"{decide} to decide ({counts[DISAGREED]} disagreed, {counts[SINGLE]} only one) · "
            f"{counts[AGREED]} agreed · {counts[IN_GOLD]} in gold\n"
            f"compared: {', '.join(people) or 'nobody has worked on this document'}"
        )
        self.accept_all_button.setEnabled(counts[AGREED] > 0)

    # -- moving --

    def step(self, direction: int) -> None:
        """Select the next (1) or previous (-1) row needing a decision, and give the table the
        focus, so that the accept keys work at once."""
        current = self.table.currentIndex().row()
        start = current if current >= 0 else (-1 if direction > 0 else 0)
        row = self.model.next_decision(start, direction)
        self.table.setFocus()
        if row is None:
            self.message.emit("Nothing left to decide here: Ctrl+Enter marks gold done.")
            return
        self._select(row, self.table.currentIndex().column())

    def _select(self, row: int, column: int, *, show: bool = True) -> None:
        index = self.model.index(row, max(column, 0))
        self._syncing = not show
        try:
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._syncing = False
        self.table.scrollTo(index)

    def _show_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        """A chosen row shows its span: gold's selected, or else the text it covers."""
        if self._syncing or current.row() == previous.row():
            return
        row = self.model.row(current.row())
        session = self.session
        if row is None or session is None:
            return
        self._syncing = True
        try:
            if row.gold_span_id is not None and row.gold_span_id in session.spans:
                self.editor.select(row.gold_span_id, scroll=True)
                return
            self.editor.select(None)
            view, offsets = self.editor.view, self.editor.offsets
            cursor = view.textCursor()
            cursor.setPosition(offsets.to_qt(row.start))
            cursor.setPosition(offsets.to_qt(row.end), QTextCursor.MoveMode.KeepAnchor)
            view.setTextCursor(cursor)
            view.ensureCursorVisible()
        finally:
            self._syncing = False

    def _follow_editor(self, span_id: int | None) -> None:
        """A gold span selected in the text selects its row."""
        if self._syncing or span_id is None or self.session is None:
            return
        row = self.model.row_of_gold(span_id)
        if row is not None and row != self.table.currentIndex().row():
            self._select(row, self.table.currentIndex().column(), show=False)

    # -- accepting --

    def accept(self, number: int = 0) -> None:
        """Accept the chosen row's version: annotator ``number`` (1..9), or 0: the chosen
        column's annotator, or the only version there is (all versions alike)."""
        row = self.model.row(self.table.currentIndex().row())
        if row is None:
            self.message.emit("Choose a row first (F8: the next one to decide).")
            return
        if row.state == IN_GOLD:
            self.message.emit(
                "Gold already holds this span: edit it in the text, or delete it to decide again."
            )
            return
        version = self._version(row, number)
        if version is not None:
            self._run([version], f"accept {version.annotator}'s {row.label}")

    def _version(self, row: CurationRow, number: int) -> Version | None:
        names = self.model.annotators
        if number:
            if number > len(names):
                self.message.emit(f"There is no annotator {number} here (1–{len(names)}).")
                return None
            name = names[number - 1]
        else:
            name = self.model.annotator_of_column(self.table.currentIndex().column()) or ""
        chosen = next((v for v in row.versions if v.annotator == name), None)
        if chosen is not None:
            return chosen
        if number:
            self.message.emit(f"{name} has no version of this span.")
            return None
        if len({values_key(v.attributes) for v in row.versions}) == 1:
            return row.versions[0]
        keys = ", ".join(f"{names.index(v.annotator) + 1} {v.annotator}" for v in row.versions)
        self.message.emit(f"The versions differ: press the number of the one to accept ({keys}).")
        return None

    def accept_agreed(self) -> None:
        """Every agreed row's span into gold: one transaction, one undo step."""
        versions = [r.versions[0] for r in self.model.agreed()]
        if not versions:
            self.message.emit("No agreed span is left to accept on this document.")
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a second per thousand
        try:
            self._run(
                versions, f"accept {counted(len(versions), 'agreed span')}", skip_refused=True
            )
        finally:
            QApplication.restoreOverrideCursor()

    def _run(self, versions: list[Version], text: str, *, skip_refused: bool = False) -> None:
        curation, work, session = self.curation, self.work, self.session
        if curation is None or work is None or session is None:
            return

        def accept() -> Acceptance:
            try:
                return curation.accept_many(work, versions, skip_refused=skip_refused)
            except NotFoundError as exc:  # the annotator changed it since it was read
                raise ValidationError(f"{exc}: Reload reads their work again") from exc

        command = AcceptCommand(session, accept, text)

        def then() -> None:
            acceptance = command.acceptance
            refused = acceptance.refused if acceptance is not None else ()
            note = f"; gold refused {len(refused)}: {refused[0][1]}" if refused else ""
            self.message.emit(f"{text[:1].upper()}{text[1:]} into gold{note}.")

        self.editor.run(command, then)
