"""The first start opens the window on the demo, whatever schema is active."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import demo_corpus, schemas_dir
from annotator.core.services.workspace import Workspace
from annotator.gui.app import open_window
from annotator.gui.main_window import MainWindow


def test_first_start_with_another_schema_opens_on_the_demo_texts(
    open_main: Callable[..., MainWindow], url: str
) -> None:
    with Workspace(url) as ws:  # `annotator schema use named_entities.yaml` on a new database
        ws.schemas.set_active(load_schema(schemas_dir() / "named_entities.yaml"))
    window = open_main("alice")
    docs = len(demo_corpus().read_text(encoding="utf-8").splitlines())
    assert window.schema.name == "named_entities"
    assert window.doc_model.rowCount() == docs
    assert window.session is not None and window.session.spans == {}
    message = window.statusBar().currentMessage()
    assert "without their annotations" in message and "named_entities" in message


def test_first_start_with_the_default_schema_opens_on_the_annotated_demo(
    open_main: Callable[..., MainWindow],
) -> None:
    window = open_main("alice")
    records = [json.loads(line) for line in demo_corpus().read_text(encoding="utf-8").splitlines()]
    assert window.schema.name == "defence_statements"
    assert window.doc_model.rowCount() == len(records)
    assert "without their annotations" not in window.statusBar().currentMessage()


def test_the_first_start_asks_who_is_annotating_and_remembers_it(
    qtbot: QtBot, url: str, settings: QSettings
) -> None:
    asked: list[str] = []

    def answer() -> None:
        """Type a name into the question when it shows, as the user would."""
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            asked.append(dialog.windowTitle())
            dialog.setTextValue("  Lena  ")
            dialog.accept()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(answer)
    poll.start()
    try:
        for start in range(2):  # the second start must not ask again
            window = open_window(url, None, settings)
            qtbot.addWidget(window)
            try:
                assert asked == ["Who is annotating?"], start
                assert window.annotator.name == "Lena"
            finally:
                window.close()
                window.workspace.close()
    finally:
        poll.stop()
