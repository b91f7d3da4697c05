"""Starting the window: who annotates, which database, a demo corpus on the very first start."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator import __version__
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import default_annotator
from annotator.core.services.workspace import Workspace, last_opened_file, remember_opened
from annotator.gui.display import missing_display
from annotator.gui.main_window import MainWindow, ask_annotator_name


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("annotator")
    app.setApplicationName("annotator")
    app.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


def open_window(
    db_url: str | None,
    annotator_name: str | None,
    settings: QSettings | None = None,
    ask: bool = True,
) -> MainWindow:
    """Open the workspace and the window; load the demo corpus into an empty database."""
    settings = settings or QSettings()
    name = annotator_name or settings.value("annotator")
    if not name:
        name = ask_annotator_name(None, default_annotator()) if ask else default_annotator()
        if not name:
            raise SystemExit(0)
    settings.setValue("annotator", name)
    # An explicit --db (or $ANNOTATOR_DB) wins; else the database last opened from the window,
    # which the command line opens too; else the default. An empty --db is refused (it would be
    # an in-memory database), never taken as "default".
    _share_last_database(settings)
    workspace = Workspace(db_url, backup=True)
    notes: list[str] = []
    if workspace.documents.count() == 0:
        from annotator.core.services.demo import (
            load_demo,  # only an empty database needs the importer
        )

        notes = load_demo(workspace, str(name)).notes
    annotator = workspace.annotators.person(str(name))
    window = MainWindow(workspace, annotator, settings)
    if notes:  # e.g. the demo's annotations, which the active schema cannot hold
        bar = window.statusBar()
        note = "Note: " + "; ".join(notes)
        bar.showMessage("; ".join(filter(None, [bar.currentMessage(), note])))
    # Everything made so far (modules, Qt wrappers, SQLAlchemy's registries) lives as long as
    # the window: keep it out of the cyclic collector, whose full passes over it otherwise
    # stall opening a large article by 30-50 ms at random.
    gc.freeze()
    return window


def _share_last_database(settings: QSettings) -> None:
    """Earlier versions kept File > Open's database in the window's settings only, where the
    command line could not see it: hand it over once."""
    old = settings.value("database")
    settings.remove("database")
    if isinstance(old, str) and old and not last_opened_file().exists():
        remember_opened(old)


def run(db_url: str | None, annotator_name: str | None) -> int:
    """Open the window and run it until it closes; the exit code of the process."""
    no_display = missing_display()
    if no_display:  # Qt would abort the process with a misleading message
        print(no_display, file=sys.stderr)
        return 1
    app = application()
    try:
        window = open_window(db_url, annotator_name)
    except AnnotatorError as exc:
        QMessageBox.critical(None, "annotator", str(exc))
        return 1
    window.show()
    return app.exec()
