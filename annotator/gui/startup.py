"""The window's two-step start: the frame painted first, the database opened right after.

Importing the storage (SQLAlchemy and its ORM) and opening the database are most of start-up;
a window that waits for them shows nothing for half a second or more. So the frame (menus,
docks, empty views, "Opening work.sqlite3…") is shown first; when it has painted once, the
second step runs on the GUI thread: the name asked on a first start, the storage imported, the
database opened (migrations), the models filled and the first document opened; the day's
backup follows on a worker. Not on a worker thread: importing is Python work that holds the
interpreter's lock anyway, and the question and any refusal are dialogs of the GUI thread.

Until the first document is open the window's actions are disabled and keys are dropped
(``startup_keys.py``). A database that cannot be opened gets the same message as before, and
the process ends with exit code 1.
"""

from __future__ import annotations

import gc
import os
import traceback
from pathlib import PurePath

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import DATABASE_ENV_VAR
from annotator.gui.app import Cancelled, annotator_name, fill_window, open_workspace, refuse
from annotator.gui.main_window import MainWindow


def opening_name(db_url: str | None) -> str:
    """What the frame says it opens, without the storage: a file's name, never a password."""
    url = db_url if db_url is not None else os.environ.get(DATABASE_ENV_VAR)
    if not url:
        return "the database"
    scheme, sep, rest = url.partition("://")
    if not sep:  # a plain path
        return PurePath(url).name or url
    if scheme.startswith("sqlite"):
        return PurePath(rest.lstrip("/")).name or "the database"
    return "the database server"  # its URL may hold a password: shown once opened, without


class TwoStepStart(QObject):
    """Builds the frame now; opens the database after the frame's first paint."""

    def __init__(
        self, db_url: str | None, name: str | None, settings: QSettings, ask: bool = True
    ) -> None:
        super().__init__()
        self.db_url, self.name, self.settings, self.ask = db_url, name, settings, ask
        self.exit_code: int | None = None  # set when the second step ends the program
        self.window = MainWindow(settings=settings)
        self.window.show_opening(opening_name(db_url))
        self._painted = False
        self.window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.window.removeEventFilter(self)
            # After this paint is flushed to the screen: the posted call runs once it is done.
            QTimer.singleShot(0, self.second_step)
        return False

    def second_step(self) -> None:
        try:
            self._open()
        finally:  # off since start-up began (cli/gui_cmd.py); what is made so far stays
            gc.freeze()
            gc.enable()

    def _open(self) -> None:
        if not self.window.isVisible():  # closed before it painted: nothing to open
            return
        try:
            name = annotator_name(self.name, self.settings, self.ask, self.window)
            workspace, annotator, notes = open_workspace(self.db_url, name, self.settings)
        except Cancelled:
            self._end(0)
            return
        except Exception as exc:
            self._failed(exc)
            return
        try:
            fill_window(self.window, workspace, annotator, notes)
            self.window.open_first()  # in this step: keys queued meanwhile meet a closed door
        except Exception as exc:  # a read failing now (a lock, a lost server) is said too
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        """The database could not be opened or read: said, and the window closes (exit 1), not
        left as a frame that never gets ready."""
        if not isinstance(exc, AnnotatorError):  # a bug: its traceback for the report
            traceback.print_exc()
            exc = AnnotatorError(f"cannot open the database: {exc}")
        refuse(self.window, exc)
        self._end(1)

    def _end(self, code: int) -> None:
        self.exit_code = code
        self.window.close()
