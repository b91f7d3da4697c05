"""The window's Team → Dashboard… action (Ctrl+Shift+D): one dashboard, kept while the window
lives, made on first use so that neither it nor its chart library slows the window's start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace
    from annotator.gui.dashboard_view import DashboardDialog


class DashboardActions(QMainWindow):
    """Mixed into MainWindow, which provides ``workspace``."""

    workspace: Workspace
    dashboard: DashboardDialog | None = None

    def show_dashboard(self) -> DashboardDialog:
        """Open (or raise) the dashboard and count afresh."""
        # Imported here: the dashboard brings pyqtgraph (and numpy) when it is installed.
        from annotator.gui.dashboard_view import DashboardDialog

        dialog = self.dashboard
        if dialog is None or dialog.workspace is not self.workspace:
            if dialog is not None:
                dialog.close()
            dialog = self.dashboard = DashboardDialog(self.workspace, self)
        else:
            dialog.fill_layers()  # people who started since it was last open
        dialog.show()
        if QGuiApplication.platformName() != "offscreen":  # which cannot raise a window
            dialog.raise_()
        dialog.activateWindow()
        dialog.refresh()
        return dialog
