"""The window's Team menu: curating gold, and the team lead's assignments.

Curation mode puts the gold layer in the editor: the same keys, undo and "done" as any layer,
with the curation panel beside it. Each layer keeps its own open sessions and undo stacks, so
leaving the mode and coming back keeps the undo history of both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QMenuBar

from annotator.core.domain.records import AnnotatorRecord
from annotator.core.domain.schema import Schema
from annotator.gui.curation_panel import CurationPanel
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.models.document_list import DocumentListModel

if TYPE_CHECKING:
    from annotator.core.services.annotations import AnnotationService
    from annotator.core.services.curation import CurationService
    from annotator.core.services.workspace import Workspace
    from annotator.gui.assignments_dialog import AssignmentsDialog

GOLD_BADGE = "background: #e69f00; color: #111111; font-weight: 600; padding: 0 6px;"

LayerState = tuple[dict[int, QUndoStack], dict[int, DocumentSession]]


class CurationActions(QMainWindow):
    """Mixed into ``MainWindow``: the Team menu, curation mode and its panel."""

    # Provided by MainWindow.
    workspace: Workspace
    annotator: AnnotatorRecord
    schema: Schema
    service: AnnotationService
    session: DocumentSession | None
    editor: AnnotationEditor
    undo_group: QUndoGroup
    doc_model: DocumentListModel
    annotator_status: QLabel
    documentOpened: SignalInstance
    _stacks: dict[int, QUndoStack]
    _sessions: dict[int, DocumentSession]
    _action: Callable[..., QAction]
    _apply_filter: Callable[[], None]
    _update_title: Callable[[], None]
    _update_status_bar: Callable[[], None]
    open_document: Callable[..., None]

    def _build_team_menu(self, menu_bar: QMenuBar) -> QMenu:
        self.curation: CurationService | None = None
        self._curation_service: CurationService | None = None  # kept: its gold service too
        self._kept_layers: dict[int, LayerState] = {}
        self.curation_panel = CurationPanel(self.editor)
        self.curation_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.curation_dock = QDockWidget("Curation — editing GOLD", self)
        self.curation_dock.setObjectName("curationDock")
        self.curation_dock.setWidget(self.curation_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.curation_dock)
        self.curation_dock.hide()
        self.documentOpened.connect(self.curation_panel.show_session)

        team = menu_bar.addMenu("&Team")
        self.curate_action = self._action(
            team, "Curate gold", lambda: self.set_curation(not self.curating), "Ctrl+G", "curate"
        )
        self.curate_action.setCheckable(True)
        panel = self.curation_panel
        self._curation_actions = [
            self._action(team, "Next span to decide", lambda: panel.step(1), "F8", "nextDecision"),
            self._action(
                team, "Previous span to decide", lambda: panel.step(-1), "Shift+F8", "prevDecision"
            ),
            self._action(
                team, "Accept all agreed", panel.accept_agreed, "Ctrl+Shift+G", "acceptAgreed"
            ),
        ]
        for action in self._curation_actions:
            action.setEnabled(False)
        team.addSeparator()
        self._action(team, "Assignments…", self.assignments_dialog, name="assignments")
        return team

    @property
    def curating(self) -> bool:
        return self.curation is not None

    # -- curation mode --

    def set_curation(self, on: bool) -> None:
        """Edit gold (on) or the annotator's own layer (off), on the same document."""
        self.curate_action.setChecked(self.curating)  # until the switch is made
        if on == self.curating:
            return
        if self.editor.waiting and self.session is not None:  # after the edits, in order
            self.session.writes.later(lambda: self.set_curation(on))
            return
        if on:
            if self._curation_service is None:
                self._curation_service = self.workspace.curation(self.schema)
            self.curation = self._curation_service
            service = self.curation.gold
        else:
            self.curation = None
            service = self.workspace.annotations(self.annotator, self.schema)
        self.curation_panel.set_curation(self.curation)
        self._swap_layer(service)
        self.curate_action.setChecked(on)
        for action in self._curation_actions:
            action.setEnabled(on)
        self._update_title()
        self.statusBar().showMessage(
            "Curating: your edits now go into GOLD (Ctrl+G returns to your own annotations)"
            if on
            else f"Back to your own annotations ({self.annotator.name})",
            8000,
        )

    def _swap_layer(self, service: AnnotationService) -> None:
        """Make ``service``'s layer the one the window edits, and show the open document in it.

        The layer left behind keeps its sessions and stacks; a session without undo history is
        let go, as opening another document would.
        """
        left = self.service.annotator.id
        self._kept_layers[left] = (self._stacks, self._sessions)
        self._stacks, self._sessions = self._kept_layers.pop(service.annotator.id, ({}, {}))
        self.service = service
        self.doc_model.set_annotator(service.annotator.id)
        self._apply_filter()
        previous, self.session = self.session, None
        if previous is None:
            self._update_status_bar()
            return
        stacks, sessions = self._kept_layers[left]
        doc_id = previous.document.id
        stack = stacks.get(doc_id)
        if not (sessions.get(doc_id) is previous and stack is not None and stack.count() > 0):
            if sessions.get(doc_id) is previous:
                del sessions[doc_id]
            previous.deleteLater()  # after the editor has let go of it
        self.open_document(doc_id)

    def _layer_service(self, schema: Schema) -> AnnotationService:
        """The edited layer's service under a new schema; every kept layer is let go (its
        sessions and undo stacks were made under the old schema)."""
        for _stacks, sessions in self._kept_layers.values():
            for session in sessions.values():
                session.deleteLater()
        self._kept_layers.clear()
        self._curation_service = None
        if not self.curating:
            return self.workspace.annotations(self.annotator, schema)
        self._curation_service = self.curation = self.workspace.curation(schema)
        self.curation_panel.set_curation(self.curation)
        return self.curation.gold

    def _next_document(self, after: int | None) -> int | None:
        """Where "next unfinished" goes: the next document gold still needs, while curating."""
        if self.curation is not None:
            return self.curation.next_to_curate(after)
        return self.workspace.documents.next_unfinished(self.annotator.id, after)

    def _show_layer(self) -> None:
        """Say whose annotations the keys edit (gold stands out in the status bar), and show
        the curation panel only while curating (whatever the saved window layout says)."""
        self.curation_dock.setVisible(self.curating)
        if self.curating:
            self.annotator_status.setText(f"editing GOLD (curator: {self.annotator.name})")
            self.annotator_status.setStyleSheet(GOLD_BADGE)
        else:
            self.annotator_status.setText(f"annotator: {self.annotator.name}")
            self.annotator_status.setStyleSheet("")

    # -- assignments --

    def assignments_dialog(self) -> AssignmentsDialog:
        from annotator.gui.assignments_dialog import AssignmentsDialog

        dialog = AssignmentsDialog(self.workspace, self.annotator.name, self)
        dialog.finished.connect(lambda _result: self._apply_filter())  # the queue may change
        dialog.open()
        return dialog
