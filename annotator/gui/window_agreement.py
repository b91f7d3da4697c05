"""The window's Team → Agreement… action: one agreement view, kept while the window lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace
    from annotator.gui.agreement_view import AgreementDialog
    from annotator.gui.document_session import DocumentSession


class AgreementActions(QMainWindow):
    """Mixed into MainWindow, which provides ``workspace`` and ``session``."""

    workspace: Workspace
    session: DocumentSession | None
    agreement_dialog: AgreementDialog | None = None

    def show_agreement(self) -> AgreementDialog:
        """Open (or raise) the agreement view and measure afresh."""
        dialog = self._agreement_view()
        dialog.show()
        if QGuiApplication.platformName() != "offscreen":  # which cannot raise a window
            dialog.raise_()
        dialog.activateWindow()
        dialog.refresh()
        return dialog

    def agreement_dialog_ready(self):  # type: ignore[no-untyped-def]
        """The signal the next report arrives by (for tests and scripts that wait on it)."""
        return self._agreement_view().reportReady

    def _agreement_view(self) -> AgreementDialog:
        """The one agreement view, on the database the window has open now."""
        # Imported on first use: the agreement measures are not needed to start annotating.
        from annotator.gui.agreement_view import AgreementDialog

        dialog = self.agreement_dialog
        if dialog is None or dialog.workspace is not self.workspace:
            if dialog is not None:
                dialog.close()
            dialog = self.agreement_dialog = AgreementDialog(
                self.workspace, self._open_document_key, self
            )
        return dialog

    def _open_document_key(self) -> str | None:
        session = self.session
        return None if session is None else session.document.key
