"""The annotation window: document list, article, label panel, annotation list, status bar."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.records import AnnotatorRecord
from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import MISSING, MISSING_PLURAL, counted
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.feedback import StatusFeedback
from annotator.gui.find_bar import FindBar
from annotator.gui.jobs import Job
from annotator.gui.label_panel import LabelPanel
from annotator.gui.link_arcs import LinkArcs
from annotator.gui.list_follow import SelectionFollower
from annotator.gui.models.annotation_list import AnnotationListModel
from annotator.gui.models.document_list import DocumentListModel
from annotator.gui.schema_switch import switch_with_preview
from annotator.gui.startup_keys import KeysBeforeReady
from annotator.gui.text_view import SpanTextView
from annotator.gui.window_agreement import AgreementActions
from annotator.gui.window_curation import CurationActions
from annotator.gui.window_dashboard import DashboardActions
from annotator.gui.window_databases import DatabaseActions
from annotator.gui.window_jobs import JobActions
from annotator.gui.window_layout import WindowLayout
from annotator.gui.window_search import WindowSearch
from annotator.gui.window_suggestions import SuggestionActions
from annotator.gui.window_titles import TitleActions

if TYPE_CHECKING:  # the storage is imported when the window opens it (two-step start-up)
    from annotator.core.services.annotations import AnnotationService
    from annotator.core.services.workspace import Workspace

# What works in the frame before the workspace is attached (see _set_usable).
FRAME_ACTIONS = frozenset({"Quit"})  # the View menu's dock actions are the menu's, not held

STATUS_FILTERS = (
    ("All documents", ()),
    ("To do", ("new", "in_progress")),
    ("New", ("new",)),
    ("In progress", ("in_progress",)),
    ("Done", ("done",)),
    ("Skipped", ("skipped",)),
)


class MainWindow(
    DatabaseActions,
    JobActions,
    CurationActions,
    AgreementActions,
    DashboardActions,
    TitleActions,
    SuggestionActions,
    WindowLayout,
):
    # Declared here: _build() makes them, and lambdas made before it read them.
    text_view: SpanTextView
    label_panel: LabelPanel
    # A document is shown (its DocumentSession): views beside the editor follow it.
    documentOpened = Signal(object)

    # Made by attach(), when the workspace is open (the second step of start-up).
    workspace: Workspace
    annotator: AnnotatorRecord
    schema: Schema
    service: AnnotationService
    doc_model: DocumentListModel

    def __init__(
        self,
        workspace: Workspace | None = None,
        annotator: AnnotatorRecord | None = None,
        settings: QSettings | None = None,
    ) -> None:
        """The window's frame: menus, docks, empty views; with a workspace, attached at once.

        Without one (start-up) the frame is shown first and ``attach`` fills it: the frame
        needs no storage, so it paints before SQLAlchemy is even imported.
        """
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or QSettings()
        self.session: DocumentSession | None = None
        self.ready = False  # the workspace is attached and the first document opened
        self.closed = False  # closed for good: nothing may open or start any more
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[int, QUndoStack] = {}
        # The session each stack's commands edit: reopening a document with undo history must
        # show that same session, or an undo would change the database but not the screen.
        self._sessions: dict[int, DocumentSession] = {}
        self._edited_docs: set[int] = set()  # rows of the list to refresh after the repaint
        self._jobs: list[Job] = []
        self._build()
        self._build_actions()
        self._restore_state()
        self._keys_before_ready = KeysBeforeReady(self)
        self._set_usable(False)
        if workspace is not None and annotator is not None:
            self.attach(workspace, annotator)
            QTimer.singleShot(0, self.open_first)

    def show_opening(self, what: str) -> None:
        """The frame's word while the second step runs: which database is being opened."""
        self.setWindowTitle(f"annotator {__version__} — {what}")
        self.statusBar().showMessage(f"Opening {what}…")

    def attach(self, workspace: Workspace, annotator: AnnotatorRecord) -> None:
        """Fill the frame from ``workspace``; ``open_first`` then makes the window usable."""
        self.workspace = workspace
        self.annotator = annotator
        self.schema = workspace.active_schema()
        self.service = workspace.annotations(annotator, self.schema)
        self._attach_document_list()
        self.label_panel.set_schema(self.schema)
        self._show_guidelines()
        self._refresh_recent_menu()
        self._update_title()
        self.statusBar().clearMessage()
        if workspace.db.warnings:  # e.g. no automatic backup could be made: work goes on
            self.statusBar().showMessage("Warning: " + "; ".join(workspace.db.warnings))

    def _set_usable(self, on: bool) -> None:
        """Until the first document is open nothing but Quit and the layout works: the rest is
        shown disabled, and keys are dropped (``KeysBeforeReady``), so that no key typed blind
        acts on a document not yet seen."""
        if not on:
            self._held_actions = [
                a for a in self.actions() if a.isEnabled() and a.objectName() not in FRAME_ACTIONS
            ]
        for action in self._held_actions:  # those disabled for their own reasons stay so
            action.setEnabled(on)
        for widget in (self.search_edit, self.status_filter):
            widget.setEnabled(on)

    # -- layout --

    def _build(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        filters = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("documentSearch")
        self.search_edit.setPlaceholderText("Filter by title…")
        self.search_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        for text, _ in STATUS_FILTERS:
            self.status_filter.addItem(text)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.status_filter)
        left_layout.addLayout(filters)
        self.doc_view = QTableView()  # its model comes with the workspace (attach)
        self.doc_view.setObjectName("documentList")
        self._table_defaults(self.doc_view)
        left_layout.addWidget(self.doc_view, 1)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.search_edit.textChanged.connect(self._filter_timer.start)
        self._row_timer = QTimer(self)
        self._row_timer.setSingleShot(True)
        self._row_timer.setInterval(0)
        self._row_timer.timeout.connect(self._refresh_edited_rows)
        self.status_filter.currentIndexChanged.connect(self._apply_filter)
        # A click, Enter or a double click on a row: start annotating it. Arrow keys only browse.
        self.doc_view.clicked.connect(lambda _index: self.text_view.setFocus())
        self.doc_view.activated.connect(lambda _index: self.text_view.setFocus())

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel()
        self.title_label.setObjectName("documentTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setStyleSheet("font-size: 14pt; font-weight: 600; padding: 6px 10px 0;")
        self.meta_label = QLabel()
        self.meta_label.setObjectName("documentMeta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label.setStyleSheet("color: #666; padding: 0 10px 4px;")
        self.text_view = SpanTextView()
        self.editor = AnnotationEditor(self.text_view, self)
        self.link_arcs = LinkArcs(self.editor, self)  # links as arcs, labels as tags
        self.feedback = StatusFeedback(
            self.statusBar(), self.editor.message, self.editor.prompt, self.undo_group
        )
        self.editor.edited.connect(self._on_edited)
        self.ann_model = AnnotationListModel(self)
        self.ann_view = QTableView()
        self.ann_view.setObjectName("annotationList")
        self.ann_view.setModel(self.ann_model)
        self._table_defaults(self.ann_view)
        self.ann_follow = SelectionFollower(self.ann_view, self._selected_span_row)
        self.editor.selectionChanged.connect(self.ann_follow.follow)
        self.ann_view.clicked.connect(self._on_annotation_clicked)
        self.ann_view.activated.connect(self._on_annotation_clicked)
        text_split = QSplitter(Qt.Orientation.Vertical)
        article = QWidget()
        article_layout = QVBoxLayout(article)
        article_layout.setContentsMargins(0, 0, 0, 0)
        article_layout.setSpacing(0)
        article_layout.addWidget(self.title_label)
        article_layout.addWidget(self.meta_label)
        self.find_bar = FindBar(self.text_view)
        article_layout.addWidget(self.find_bar)
        article_layout.addWidget(self.text_view, 1)
        text_split.addWidget(article)
        text_split.addWidget(self.ann_view)
        centre_layout.addWidget(text_split)
        self.label_panel = LabelPanel(self.editor)
        self.text_split = text_split
        self.guidelines = QTextBrowser()
        self.guidelines.setObjectName("guidelines")
        self.guidelines.setOpenLinks(False)  # nothing in a schema can open or fetch anything
        bar = self.statusBar()
        self.annotator_status = QLabel()
        self.position_status = QLabel()
        self.progress_status = QLabel()
        self.saved_status = QLabel("saved")
        self.saved_status.setObjectName("savedStatus")
        self.wait_status = QLabel()  # an edit waiting for another program's write lock
        self.wait_status.setObjectName("waitStatus")
        self.wait_status.setStyleSheet("color: #a60;")
        self.editor.waitStatus.connect(self.wait_status.setText)
        for widget in (
            self.wait_status,
            self.annotator_status,
            self.position_status,
            self.progress_status,
            self.saved_status,
        ):
            bar.addPermanentWidget(widget)
        self._arrange(left, centre, self.label_panel)  # docks around the article

    def _attach_document_list(self) -> None:
        self.doc_model = DocumentListModel(self.workspace.documents, self.annotator.id, self)
        self.doc_view.setModel(self.doc_model)
        header = self.doc_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths: sizing to contents would read every row of a 100,000-row list.
        metrics = self.doc_view.fontMetrics()
        for column, sample in ((1, "in progress"), (2, "9999")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 12)
        self.doc_follow = SelectionFollower(self.doc_view, self._open_document_row)
        self.doc_view.selectionModel().currentRowChanged.connect(self._on_document_chosen)

    @staticmethod
    def _table_defaults(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setHighlightSections(False)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def _action(self, menu, text: str, slot, shortcut=None, name: str = "") -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        action.setObjectName(name or text)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self._action(file_menu, "Open database…", self.open_database_dialog, "Ctrl+O")
        self._action(file_menu, "Open database URL…", self.open_url_dialog)
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.setEnabled(False)  # filled when the workspace is attached
        self._action(file_menu, "Switch schema…", self.switch_schema_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "Import…", self.import_dialog, "Ctrl+I")
        self._action(file_menu, "Export…", self.export_dialog, "Ctrl+E")
        file_menu.addSeparator()
        self._action(file_menu, "Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = menu.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_group.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            edit.addAction(action)
            self.addAction(action)
        edit.addSeparator()
        self._action(edit, "Delete span\tDel", self.editor.delete_selected, name="deleteSpan")
        self.snap_action = self._action(edit, "Snap to words", self._toggle_snap, "Ctrl+W")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(True)
        edit.addSeparator()
        self._action(
            edit,
            "Mark or unmark boilerplate",
            self.editor.toggle_boilerplate,
            "Ctrl+Shift+B",
            name="markBoilerplate",
        )
        self.skip_action = self._action(
            edit, "Skip boilerplate", self._toggle_skip, "Ctrl+B", name="skipBoilerplate"
        )
        self.skip_action.setCheckable(True)
        self.skip_action.setChecked(True)
        self.corpus_search = WindowSearch(self)  # Ctrl+Shift+F (window_search.py)
        self._action(edit, "Search corpus…", self.corpus_search.show, "Ctrl+Shift+F", "search")

        doc = menu.addMenu("&Document")
        self._action(
            doc,
            "Mark done and next",
            self.mark_done,
            ["Ctrl+Return", "Ctrl+Enter"],
            name="markDone",
        )
        self._action(doc, "Skip and next", self.skip, "Ctrl+Shift+Return", name="skip")
        self._action(doc, "Next unfinished", self.next_unfinished, "Ctrl+N", name="nextUnfinished")
        self._action(doc, "Next document", lambda: self._step_document(1), "Ctrl+PgDown")
        self._action(doc, "Previous document", lambda: self._step_document(-1), "Ctrl+PgUp")
        self._action(doc, "Reopen document", self.reopen, "Ctrl+R", name="reopen")
        self._action(doc, "Find in article…", self.find_bar.open_bar, "Ctrl+F", name="find")
        self._action(doc, "Filter documents", self.search_edit.setFocus, "Ctrl+L", name="filter")
        self._build_title_actions(doc)  # F2: rename a title (window_titles.py)

        team = self._build_team_menu(menu)  # -- team: curation, assignments (window_curation.py)
        self._action(team, "Agreement…", self.show_agreement, "Ctrl+Shift+A", name="agreement")
        self._action(team, "Dashboard…", self.show_dashboard, "Ctrl+Shift+D", name="dashboard")
        self._build_suggest_menu(menu)  # -- suggestions: F4, F5, F6 (window_suggestions.py)
        self.documentOpened.connect(self._show_suggestions)

        view = self._build_view_menu(menu)  # docks back, or the default layout (window_layout.py)
        self.arcs_action = self._action(
            view, "Links and labels on the text", self._toggle_arcs, "Ctrl+Shift+L", "linkArcs"
        )
        self.arcs_action.setCheckable(True)
        # Off until asked for: the arcs and tags sit over the lines above, and reading comes
        # first; Ctrl+Shift+L shows the frames when checking them (and the choice is kept).
        self.arcs_action.setChecked(False)
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "Guidelines", self.toggle_guidelines, "F1", name="guidelines")
        self._action(help_menu, "Keyboard shortcuts", self._show_keys)

    # -- documents --

    def open_first(self) -> None:
        """Open the document last worked on (else the next unfinished one): the window is
        ready. Keys typed until now are dropped (``KeysBeforeReady``)."""
        if self.ready or self.closed:
            return
        # Keys typed while the database opened wait in the window system's queue: delivered
        # (and dropped) now, before there is a document they could act on.
        self._keys_before_ready.drop_pending()
        if self.closed:  # the close button, clicked while the database opened, came first
            return
        last = self.settings.value(self._last_doc_key())
        target = int(last) if last is not None and str(last).isdigit() else None
        if target is None or self.doc_model.row_of(target) is None:
            target = self.workspace.documents.next_unfinished(self.annotator.id)
        if target is None and self.doc_model.rowCount() > 0:
            target = self.doc_model.document_id(0)
        if target is not None:
            self.open_document(target)
        self._set_usable(True)
        self.ready = True
        self.start_due_backup()  # the day's copy of the file, now that work can start

    def _last_doc_key(self) -> str:
        return f"lastDocument/{self.workspace.db.display_name}/{self.annotator.name}"

    def open_document(self, document_id: int, *, focus_text: bool = True) -> None:
        """Show a document. From the list (arrow keys), focus stays there to browse on."""
        # Opening makes tens of thousands of small acyclic records: no work for the cyclic
        # collector, whose passes would only stall the first paint.
        gc.disable()
        try:
            self._open_document(document_id, focus_text)
        finally:
            gc.enable()

    def _open_document(self, document_id: int, focus_text: bool) -> None:
        if self.editor.waiting and self.session is not None:  # after the edits, in order
            self.session.writes.later(lambda: self._open_document(document_id, focus_text))
            return
        started = time.perf_counter()
        try:
            document = self.workspace.documents.get(document_id, verified=True)
        except AnnotatorError as exc:
            QMessageBox.warning(self, "Cannot open document", str(exc))
            return
        stack = self._stacks.get(document_id)
        session = self._sessions.get(document_id)
        if session is None or stack is None or stack.count() == 0:
            session = DocumentSession(
                self.service,
                document,
                self,
                registry=self.workspace.entities(),
                boilerplate=self.workspace.boilerplate,
            )
            session.statusChanged.connect(self._on_status_changed)
            self._sessions[document_id] = session
        previous, self.session = self.session, session
        if previous is not None and previous is not session:
            self._drop_session(previous)
        if stack is None:
            stack = QUndoStack(self.undo_group)
            self._stacks[document_id] = stack
        self.undo_group.setActiveStack(stack)
        self.editor.open(self.session, stack)
        self.ann_model.set_session(self.session)
        self.title_label.setText(document.title or document.key)
        meta = [p for p in (document.source, document.published, document.url) if p]
        self.meta_label.setText("  ·  ".join(meta))
        self.doc_follow.follow()
        self.settings.setValue(self._last_doc_key(), document_id)
        if focus_text:
            self.text_view.setFocus()
        self._update_status_bar()
        self.last_open_ms = (time.perf_counter() - started) * 1000
        self.documentOpened.emit(self.session)

    def _drop_session(self, session: DocumentSession) -> None:
        """Forget a session left behind, unless commands on its undo stack still need it."""
        doc_id = session.document.id
        stack = self._stacks.get(doc_id)
        kept = self._sessions.get(doc_id) is session and stack is not None and stack.count() > 0
        if not kept:
            if self._sessions.get(doc_id) is session:
                del self._sessions[doc_id]
            session.deleteLater()

    def _on_document_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doc_id = self.doc_model.document_id(current.row())
        if doc_id is not None and (self.session is None or self.session.document.id != doc_id):
            self.open_document(doc_id, focus_text=False)

    def _open_document_row(self) -> int | None:
        return self.doc_model.row_of(self.session.document.id) if self.session else None

    def _selected_span_row(self) -> int | None:
        selected = self.editor.selected
        return self.ann_model.row_of(selected) if selected is not None else None

    def _step_document(self, step: int) -> None:
        if self.session is None:
            return
        row = self.doc_model.row_of(self.session.document.id)
        target = self.doc_model.document_id((row or 0) + step)
        if target is not None:
            self.open_document(target)

    def next_unfinished(self) -> None:
        after = self.session.document.id if self.session else None
        target = self._next_document(after)  # gold's next, while curating
        if target is None:
            done = "Every document is done or skipped. Well done."
            self.statusBar().showMessage(
                "No document waits for gold." if self.curating else done, 8000
            )
            return
        if self.doc_model.row_of(target) is None:
            self.status_filter.setCurrentIndex(0)
            self.search_edit.clear()
            self._apply_filter()
        self.open_document(target)

    def mark_done(self) -> None:
        if self.session is None:
            return
        try:
            missing = self.session.service.missing_required(self.session.document.id)
        except AnnotatorError as exc:
            QMessageBox.warning(self, "Cannot mark done", str(exc))
            return
        force = False
        flagged = sorted(
            (s for s in self.session.spans.values() if self.session.in_boilerplate(s)),
            key=lambda s: s.start,
        )
        warning = (
            f"{counted(len(flagged), 'statement')} {'lies' if len(flagged) == 1 else 'lie'} "
            "in boilerplate (dimmed: the site's lines, not the story)."
            if flagged
            else ""
        )
        if missing:
            lines = "\n".join(f"• {label}: {attr} not set" for _, label, attr in missing[:8])
            more = f"\n… and {len(missing) - 8} more" if len(missing) > 8 else ""
            answer = QMessageBox.question(
                self,
                "Required values or links missing",
                f"{counted(len(missing), MISSING, MISSING_PLURAL)} not set:\n{lines}{more}\n\n"
                + (f"{warning}\n\n" if warning else "")
                + "Mark the document done anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.editor.go_to_missing(missing[0][0], missing[0][2])
                return
            force = True
        elif flagged:  # a warning, not a refusal: the annotator may know better
            answer = QMessageBox.question(
                self,
                "Statements in boilerplate",
                f"{warning}\n\nMark the document done anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.editor.select(flagged[0].id, scroll=True)
                return
        if self.editor.set_status("done", force=force):
            self.next_unfinished()

    def reopen(self) -> None:
        """A done (or skipped) document back to in progress, as one undo step."""
        if self.session is None:
            return
        if self.session.status not in ("done", "skipped"):
            self.editor.message.emit("this document is not done or skipped: nothing to reopen")
            return
        if self.editor.set_status("in_progress", force=True):
            self.editor.message.emit("reopened: the document is in progress again")

    def skip(self) -> None:
        if self.session is not None and self.editor.set_status("skipped"):
            self.next_unfinished()

    def _apply_filter(self) -> None:
        statuses = STATUS_FILTERS[self.status_filter.currentIndex()][1]
        self.doc_model.set_filter(statuses, self.search_edit.text())  # the list follows
        self._update_status_bar()

    # -- reacting to edits --

    def _on_edited(self) -> None:
        self.saved_status.setText(f"saved {time.strftime('%H:%M:%S')}")
        if self.session is not None:
            # Remembered now: the annotator may open another document before the timer fires.
            self._edited_docs.add(self.session.document.id)
        self._row_timer.start()  # the list's span count: after the repaint, once per burst

    def _refresh_edited_rows(self) -> None:
        session = self.session
        for document_id in self._edited_docs:
            if (
                session is not None
                and session.document.id == document_id
                and session.service.annotator.id == self.doc_model.annotator_id
            ):  # the open document: its session has the row's figures, no query needed
                self.doc_model.show_row(document_id, session.status, len(session.spans))
            else:  # edited, then left before this ran
                self.doc_model.refresh_document(document_id)
        self._edited_docs.clear()

    def _on_status_changed(self, _status: str) -> None:
        if self.session is not None:
            self.doc_model.refresh_document(self.session.document.id)
        self._update_status_bar()

    def _on_annotation_clicked(self, index: QModelIndex) -> None:
        span_id = self.ann_model.span_id(index.row())
        if span_id is None:
            return
        if self.editor.link_relation is not None:
            self.editor.complete_link(span_id)
        else:
            self.editor.select(span_id, scroll=True)
        self.text_view.setFocus()

    def _toggle_skip(self) -> None:
        """Whether jumps (sentence, paragraph, quote) pass over dimmed boilerplate."""
        self.editor.skip_boilerplate = self.skip_action.isChecked()
        on = "pass over" if self.editor.skip_boilerplate else "stop in"
        self.editor.message.emit(f"jumps now {on} boilerplate (Ctrl+B switches)")

    def _toggle_snap(self) -> None:
        self.editor.snap_words = self.snap_action.isChecked()
        self.settings.setValue("snapWords", self.editor.snap_words)

    def _toggle_arcs(self) -> None:
        on = self.arcs_action.isChecked()
        self.link_arcs.set_enabled(on)
        self.settings.setValue("linkArcs", on)
        shown = "shown" if on else "hidden"
        self.editor.message.emit(f"links and labels on the text {shown} (Ctrl+Shift+L switches)")

    def _update_title(self) -> None:
        who = f"GOLD (curating as {self.annotator.name})" if self.curating else self.annotator.name
        self.setWindowTitle(f"annotator {__version__} — {who} — {self.workspace.db.display_name}")
        self._show_layer()

    def _update_status_bar(self) -> None:
        total = self.doc_model.rowCount()
        row = self.doc_model.row_of(self.session.document.id) if self.session else None
        self.position_status.setText(
            f"{(row or 0) + 1} / {total}" if row is not None else f"– / {total}"
        )
        counts = self.workspace.documents.progress(self.service.annotator.id)
        all_docs = sum(counts.values())
        done = counts["done"] + counts["skipped"]
        pct = 100 * done // all_docs if all_docs else 0
        self.progress_status.setText(
            f"done {counts['done']} · skipped {counts['skipped']} · {pct}% of {all_docs}"
        )

    # -- schema, guidelines, keys --

    def _show_guidelines(self) -> None:
        self.guidelines.setMarkdown(self.schema.guidelines or "*This schema has no guidelines.*")

    def _show_keys(self) -> None:
        lines = ["Select text, then press a label key:"]
        lines += [f"  {lab.hotkey or '-'}\t{lab.name}" for lab in self.schema.labels]
        lines += [
            "",
            "With a statement selected, a link key, then click / Tab + Enter,",
            "or select new text + Enter:",
        ]
        lines += [
            f"  {r.hotkey or '-'}\t{r.name} ({r.source} → {r.target})"
            for r in self.schema.relations
        ]
        lines += [
            "",
            "With a span selected: value keys (see the panel), Del deletes,",
            "Alt+←/→ moves the end, Alt+Shift+←/→ the start, Tab/Shift+Tab steps spans.",
            "Alt+label key: exact characters instead of whole words.",
            "Another label's key on a selected span changes its label.",
            "Linking: Tab to a linked span and Del removes the link.",
            "Alt+↑/↓ sentence, Ctrl+↑/↓ paragraph, Alt+PgUp/PgDn quote (Shift selects).",
            "",
            "Ctrl+Enter done and next · Ctrl+Shift+Enter skip · Ctrl+N next unfinished",
            "Ctrl+Z undo · Ctrl+Shift+Z redo · Ctrl+F find in the article · F1 guidelines",
            "Ctrl+L filter documents · Ctrl+R reopen a done document",
            "Ctrl+Shift+F search every document (Enter on a hit opens it, selected)",
            "Ctrl+Shift+B mark or unmark boilerplate · Ctrl+B jumps skip boilerplate or not",
            "Ctrl+Shift+L links as arcs and labels as tags on the text, or not",
            "Suggestions: Enter accepts the frame · Shift+Enter the span · Del rejects · "
            "F4 / Shift+F4 next / previous · F5 suggest again · F6 hide or show",
            "F2 rename the chosen document's title (its text never changes)",
            "",
            "Ctrl+G curate gold (the keys then edit gold) · F8 / Shift+F8 next / previous",
            "span to decide · in the curation table: Enter or A accepts, 1–9 accepts",
            "annotator 1–9's version · Ctrl+Shift+G accepts every agreed span",
            "Ctrl+Shift+A agreement · Ctrl+Shift+D dashboard (charts, PNG and CSV)",
        ]
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join(lines))

    def switch_schema_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Label schema", "", "YAML (*.yaml *.yml)")
        if path:
            self.switch_schema(Path(path))

    def switch_schema(self, path: Path) -> bool:
        from annotator.core.domain.schema import load_schema  # the parser: needed from here on

        try:
            schema = load_schema(path)
        except AnnotatorError as exc:
            QMessageBox.critical(self, "Invalid schema", str(exc))
            return False
        if not switch_with_preview(self, self.workspace, schema, self.annotator.name):
            return False
        self.schema = schema
        self.service = self._layer_service(schema)  # gold's, while curating
        self.label_panel.set_schema(schema)
        self._show_guidelines()
        self._stacks.clear()
        for old in self._sessions.values():
            if old is not self.session:
                old.deleteLater()
        self._sessions.clear()
        if self.session is not None:
            self.open_document(self.session.document.id)
        self.statusBar().showMessage(f"schema {schema.name} {schema.version} is now active", 6000)
        return True

    # -- window state --

    def _restore_state(self) -> None:
        self._restore_layout()
        snap = self.settings.value("snapWords")
        if snap is not None:
            self.snap_action.setChecked(str(snap).lower() != "false")
            self.editor.snap_words = self.snap_action.isChecked()
        arcs = self.settings.value("linkArcs")
        if arcs is not None:
            self.arcs_action.setChecked(str(arcs).lower() != "false")
            self.link_arcs.set_enabled(self.arcs_action.isChecked())

    def closeEvent(self, event: QCloseEvent) -> None:
        # Nothing to save: every edit was committed when it was made (or waits, and is lost
        # only if the user says so). Only the layout is kept.
        if not self.editor.may_close():
            event.ignore()
            return
        jobs = list(self._jobs)
        for job in jobs:  # every job is told first: waiting on one lets another run on
            job.cancel()
        for job in jobs:
            job.wait()
        if self.dashboard is not None:
            self.dashboard.close()  # which stops its counting
        self._save_layout()
        self.settings.sync()
        self.editor.close()
        if hasattr(self, "workspace"):  # closed while opening: there is none yet
            self.workspace.close()  # returns pooled connections; a later query would reconnect
        self.closed = True
        super().closeEvent(event)


def ask_annotator_name(parent: QWidget | None, default: str) -> str | None:
    name, ok = QInputDialog.getText(
        parent,
        "Who is annotating?",
        "Your name (shown on every annotation you make):",
        QLineEdit.EchoMode.Normal,
        default,
    )
    return name.strip() if ok and name.strip() else None
