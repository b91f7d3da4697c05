"""Run ``annotator --db DB gui`` as a user starts it, offscreen, and report what the window
showed at its first paint and once its first document was open, as one JSON line.

    python -m tests.gui.startup_driver DB

The event loop the window enters is replaced by one that returns once the window is ready;
nothing else of the start is changed (the command line, the two steps, the database opening).
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

SEEN: dict[str, object] = {}


def _state(window: QMainWindow) -> dict[str, object]:
    """What a user could see and use, and which storage modules the process has loaded."""
    actions = {a.objectName(): a.isEnabled() for a in window.actions()}
    rows = window.doc_view.model().rowCount() if window.doc_view.model() else 0  # type: ignore[attr-defined]
    return {
        "storage_modules": sorted(
            m
            for m in sys.modules
            if m.split(".")[0] == "sqlalchemy" or m.startswith("annotator.core.storage")
        ),
        "visible": window.isVisible(),
        "status": window.statusBar().currentMessage(),
        "title": window.windowTitle(),
        "actions": actions,
        "rows": rows,
        "document": window.title_label.text(),  # type: ignore[attr-defined]
    }


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and "painted" not in SEEN:
            SEEN["painted"] = _state(watched)  # type: ignore[arg-type]
        return False


_first_paint = FirstPaint()
_show = QMainWindow.show


def _show_watched(self: QMainWindow) -> None:
    self.installEventFilter(_first_paint)
    _show(self)


def _exec(app: QApplication) -> int:
    while not any(getattr(w, "ready", False) for w in app.topLevelWidgets()):
        app.processEvents()
    window = next(w for w in app.topLevelWidgets() if getattr(w, "ready", False))
    SEEN["ready"] = _state(window)  # type: ignore[arg-type]
    print(json.dumps(SEEN), flush=True)
    os._exit(0)


def main(db: str) -> None:
    QMainWindow.show = _show_watched  # type: ignore[method-assign]
    QApplication.exec = _exec  # type: ignore[assignment,method-assign]
    sys.argv = ["annotator", "--db", db, "gui", "--annotator", "alice"]
    from annotator.cli.main import main as annotator

    annotator()


if __name__ == "__main__":
    main(sys.argv[1])
