"""The window's File menu for databases: open a file or a server, the recent list, passwords.

Passwords are never stored or shown: recent entries keep URLs without them, and a server that
asks for one gets it typed in, kept in memory only. The database opened last is the default of
the next start and of the command line (``remember_opened``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMainWindow, QMenu, QMessageBox

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.records import AnnotatorRecord

MAX_RECENT = 8


class DatabaseActions(QMainWindow):
    """Mixed into ``MainWindow``: switching the database the window works on."""

    # Provided by MainWindow.
    settings: QSettings
    recent_menu: QMenu
    annotator: AnnotatorRecord

    def open_database_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Open or create a database",
            "",
            "SQLite database (*.sqlite3 *.db);;All (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.switch_database(path)

    def open_url_dialog(self) -> None:
        """A team's shared server: postgresql+psycopg://user@host/db (or any SQLAlchemy URL)."""
        url, ok = QInputDialog.getText(
            self,
            "Open database URL",
            "Database URL (postgresql+psycopg://user@host/db):",
            QLineEdit.EchoMode.Normal,
            "postgresql+psycopg://",
        )
        if ok and url.strip():
            self.switch_database(url.strip())

    def switch_database(self, url: str) -> bool:
        """Open ``url`` in a new window; a password is asked for if the server wants one.

        Only the URL without its password is remembered (settings, File > Open recent): the
        driver finds it again (PGPASSWORD, ~/.pgpass, PGPASSFILE), or the user is asked again.
        """
        from annotator.core.services.workspace import (  # the window may not have it yet
            AuthenticationFailed,
            Workspace,
            forget_password,
            remember_opened,
            with_password,
        )

        try:
            try:
                workspace = Workspace(url, backup=True, backup_later=True)
            except AuthenticationFailed as exc:
                password = self._ask_password(forget_password(url), str(exc))
                if password is None:
                    return False
                workspace = Workspace(with_password(url, password), backup=True, backup_later=True)
            annotator = workspace.annotators.get_or_create(self.annotator.name)
        except (AnnotatorError, Exception) as exc:  # a bad URL must not close the window
            QMessageBox.critical(self, "Cannot open database", str(exc))
            return False
        self._remember_recent(workspace.db.remembered_url)
        remember_opened(workspace.db.remembered_url)  # the command line's default too
        from annotator.gui.main_window import MainWindow  # the module that mixes this in

        window = MainWindow(workspace, annotator, self.settings)
        window.show()
        self.close()
        return True

    def _ask_password(self, url: str, reason: str) -> str | None:
        """The password for ``url``, typed unseen and kept in memory for this open only."""
        password, ok = QInputDialog.getText(
            self,
            "Database password",
            f"{reason}\n\nPassword for {url}:",
            QLineEdit.EchoMode.Password,
        )
        return password if ok and password else None

    def _recent(self) -> list[str]:
        """The remembered databases; any password an older version stored is dropped now."""
        from annotator.core.services.workspace import forget_password  # imported by then

        recent = self.settings.value("recentDatabases") or []
        if isinstance(recent, str):
            recent = [recent]
        cleaned = list(dict.fromkeys(u for u in map(forget_password, recent) if u))
        if cleaned != recent:
            self.settings.setValue("recentDatabases", cleaned)
        return cleaned

    def _remember_recent(self, url: str) -> None:
        recent = [u for u in self._recent() if u != url]
        self.settings.setValue("recentDatabases", [url, *recent][:MAX_RECENT])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for url in recent:
            action = self.recent_menu.addAction(url)
            action.triggered.connect(lambda _=False, u=url: self.switch_database(u))
        self.recent_menu.setEnabled(bool(recent))
