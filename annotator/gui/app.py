"""Starting the window: who annotates, which database, a demo corpus on the very first start.

The window starts in two steps (issue 13): first its frame is built and painted, with no
storage imported (SQLAlchemy and its ORM are most of start-up); then, right after that first
paint, ``open_workspace`` opens the database and the window is filled (``startup.py``).
``open_window`` runs both steps at once, for tests and benchmarks that want the window ready.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator import __version__
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import default_annotator
from annotator.gui.display import missing_display
from annotator.gui.main_window import MainWindow, ask_annotator_name

if TYPE_CHECKING:
    from annotator.core.domain.records import AnnotatorRecord
    from annotator.core.services.workspace import Workspace


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("annotator")
    app.setApplicationName("annotator")
    app.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


class Cancelled(Exception):
    """The first start's question "Who is annotating?" was not answered: nothing opens."""


def annotator_name(
    given: str | None, settings: QSettings, ask: bool, parent: QWidget | None
) -> str:
    """The name to annotate as: given, else remembered, else asked (the first start)."""
    name = given or settings.value("annotator")
    if not name:
        name = ask_annotator_name(parent, default_annotator()) if ask else default_annotator()
        if not name:
            raise Cancelled
    settings.setValue("annotator", name)
    return str(name)


def open_workspace(
    db_url: str | None, name: str, settings: QSettings
) -> tuple[Workspace, AnnotatorRecord, list[str]]:
    """Open (migrate) the database, with the demo corpus loaded into an empty one; the
    workspace, the annotator and notes for the status bar. Imports the storage. The day's
    backup is left for ``MainWindow.start_due_backup``."""
    from annotator.core.services.workspace import Workspace

    # An explicit --db (or $ANNOTATOR_DB) wins; else the database last opened from the window,
    # which the command line opens too; else the default. An empty --db is refused (it would be
    # an in-memory database), never taken as "default".
    _share_last_database(settings)
    workspace = Workspace(db_url, backup=True, backup_later=True)
    try:
        notes: list[str] = []
        if workspace.documents.count() == 0:
            from annotator.core.services.demo import (
                load_demo,  # only an empty database needs the importer
            )

            notes = load_demo(workspace, name).notes
        annotator = workspace.annotators.person(name)
    except BaseException:
        workspace.close()
        raise
    return workspace, annotator, notes


def fill_window(
    window: MainWindow, workspace: Workspace, annotator: AnnotatorRecord, notes: list[str]
) -> None:
    """The second step: the frame gets its workspace; the first document opens next."""
    window.attach(workspace, annotator)
    if notes:  # e.g. the demo's annotations, which the active schema cannot hold
        bar = window.statusBar()
        note = "Note: " + "; ".join(notes)
        bar.showMessage("; ".join(filter(None, [bar.currentMessage(), note])))


def open_window(
    db_url: str | None,
    annotator_name_given: str | None,
    settings: QSettings | None = None,
    ask: bool = True,
) -> MainWindow:
    """Both steps at once: the workspace opened and the window filled before it is shown."""
    settings = settings or QSettings()
    try:
        name = annotator_name(annotator_name_given, settings, ask, None)
    except Cancelled:
        raise SystemExit(0) from None
    workspace, annotator, notes = open_workspace(db_url, name, settings)
    window = MainWindow(settings=settings)
    fill_window(window, workspace, annotator, notes)
    # Everything made so far (modules, Qt wrappers, SQLAlchemy's registries) lives as long as
    # the window: keep it out of the cyclic collector, whose full passes over it otherwise
    # stall opening a large article by 30-50 ms at random (``TwoStepStart`` does the same).
    gc.freeze()
    QTimer.singleShot(0, window.open_first)  # once shown, as the caller does next
    return window


def _share_last_database(settings: QSettings) -> None:
    """Earlier versions kept File > Open's database in the window's settings only, where the
    command line could not see it: hand it over once."""
    from annotator.core.services.workspace import last_opened_file, remember_opened

    old = settings.value("database")
    settings.remove("database")
    if isinstance(old, str) and old and not last_opened_file().exists():
        remember_opened(old)


def run(db_url: str | None, annotator_name_given: str | None) -> int:
    """Show the window's frame, open the database once it is painted, run until it closes;
    the exit code of the process."""
    no_display = missing_display()
    if no_display:  # Qt would abort the process with a misleading message
        print(no_display, file=sys.stderr)
        return 1
    app = application()
    from annotator.gui.startup import TwoStepStart

    start = TwoStepStart(db_url, annotator_name_given, QSettings())
    start.window.show()
    code = app.exec()
    return start.exit_code if start.exit_code is not None else code


def refuse(parent: QWidget | None, exc: AnnotatorError) -> None:
    """The message a database that cannot be opened gets (locked, too new, a bad URL)."""
    QMessageBox.critical(parent, "annotator", str(exc))
