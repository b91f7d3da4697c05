"""Renaming a document's title from the document list (F2, or its context menu).

A scrape's headline is found at import, but a team lead may know better. The new title goes
through ``DocumentService.rename``, which checks and commits it; the text is never changed, so
no span moves. The list, the header and the title filter show it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableView,
)

from annotator.core.domain.errors import AnnotatorError
from annotator.gui.document_session import DocumentSession
from annotator.gui.models.document_list import DocumentListModel

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace


class TitleActions(QMainWindow):
    """Mixed into ``MainWindow``: Document → Rename title…"""

    # Provided by MainWindow.
    workspace: Workspace
    session: DocumentSession | None
    doc_model: DocumentListModel
    doc_view: QTableView
    title_label: QLabel
    _action: Callable[..., QAction]

    def _build_title_actions(self, menu: QMenu) -> None:
        rename = self._action(menu, "Rename title…", self.rename_title, "F2", "renameTitle")
        # The same action on the list's own menu: right-click a row, then Rename.
        self.doc_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.doc_view.addAction(rename)

    def _title_target(self) -> int | None:
        """The document whose row is current in the list, else the open one."""
        current = self.doc_view.currentIndex()
        chosen = self.doc_model.document_id(current.row()) if current.isValid() else None
        if chosen is not None:
            return chosen
        return self.session.document.id if self.session is not None else None

    def rename_title(self) -> bool:
        """Ask for the title and store it; True once it is stored."""
        document_id = self._title_target()
        if document_id is None:
            return False
        document = self.workspace.documents.get(document_id)
        title, ok = QInputDialog.getText(
            self,
            "Rename title",
            f"Title of {document.key} (its text stays as it is):",
            QLineEdit.EchoMode.Normal,
            document.title,
        )
        if not ok or title == document.title:
            return False
        try:
            renamed = self.workspace.documents.rename(document_id, title)
        except AnnotatorError as exc:
            QMessageBox.warning(self, "Title not changed", str(exc))
            return False
        self.doc_model.refresh_document(document_id)
        if self.session is not None and self.session.document.id == document_id:
            self.session.document = replace(self.session.document, title=renamed.title)
            self.title_label.setText(renamed.title)
        self.statusBar().showMessage(f"{document.key} is now titled “{renamed.title}”", 6000)
        return True
