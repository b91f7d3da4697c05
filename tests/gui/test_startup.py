"""The window starts in two steps (issue 13): its frame paints before the storage is imported,
then the database opens and the first document shows; until then nothing acts on it.

The first test runs ``annotator gui`` as a user starts it, in a fresh process (only there can
"SQLAlchemy not imported yet" be seen); the others drive ``TwoStepStart``, what ``run`` uses,
with real key presses at the moment the frame has painted and the database is not open yet.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.startup import TwoStepStart

REPO = Path(__file__).resolve().parents[2]
Key = Qt.Key
Mod = Qt.KeyboardModifier
# What needs the workspace: each must be disabled in the frame, and work once it is ready.
NEEDS_WORKSPACE = ("markDone", "Open database…", "Export…", "search", "agreement", "curate")


def test_the_frame_paints_before_the_storage_is_imported_then_the_document_opens(
    tmp_path: Path,
) -> None:
    db = tmp_path / "work.sqlite3"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.startup_driver", str(db)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    painted, ready = seen["painted"], seen["ready"]
    # First paint: the frame, saying what it opens, with no SQLAlchemy and no storage loaded.
    assert painted["visible"]
    assert painted["storage_modules"] == []
    assert painted["status"] == "Opening work.sqlite3…"
    assert painted["rows"] == 0 and painted["document"] == ""
    assert not any(painted["actions"][name] for name in NEEDS_WORKSPACE)
    assert painted["actions"]["Quit"]
    # Then the database is open (the demo loaded into it), the first document shown.
    assert "sqlalchemy" in ready["storage_modules"]
    assert ready["rows"] > 0 and ready["document"] != ""
    assert ready["title"].endswith(str(db)) and "alice" in ready["title"]
    assert all(ready["actions"][name] for name in NEEDS_WORKSPACE)


@pytest.fixture
def plain_database(url: str) -> Iterator[list[int]]:
    """Two documents without annotations (the demo's would ask about required values)."""
    with Workspace(url) as ws:
        ids = [
            ws.documents.add(f"The minister spoke on day {n}.\nMore text.", key=f"d{n}").id
            for n in (1, 2)
        ]
    yield ids


def start(qtbot: QtBot, url: str, settings: QSettings, name: str | None) -> TwoStepStart:
    starter = TwoStepStart(url, name, settings)
    qtbot.addWidget(starter.window)
    starter.window.show()
    return starter


@pytest.fixture
def at_first_paint(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[MainWindow], None]]:
    """Calls made with the frame painted, just before the second step opens the database."""
    calls: list[Callable[[MainWindow], None]] = []
    second_step = TwoStepStart.second_step

    def hooked(self: TwoStepStart) -> None:
        for call in calls:
            call(self.window)
        second_step(self)

    monkeypatch.setattr(TwoStepStart, "second_step", hooked)
    return calls


def test_keys_before_the_window_is_ready_are_ignored_and_work_after(
    qtbot: QtBot,
    url: str,
    settings: QSettings,
    probe: Workspace,
    plain_database: list[int],
    at_first_paint: list[Callable[[MainWindow], None]],
) -> None:
    seen: dict[str, object] = {}

    def type_early(window: MainWindow) -> None:
        window.activateWindow()
        view = window.text_view
        seen["ready"] = window.ready
        seen["enabled"] = [a.objectName() for a in window.actions() if a.isEnabled()]
        seen["rows"] = window.doc_view.model()
        # Pressed now, while the frame shows "Opening…": no document, nothing enabled.
        for key, mods in ((Key.Key_Return, Mod.ControlModifier), (Key.Key_S, Mod.NoModifier)):
            qtbot.keyClick(view, key, mods)
        # Pressed while the database opens (the GUI thread busy): still queued when it is
        # open, delivered then. They must not mark the first document done, unseen.
        QTimer.singleShot(0, lambda: qtbot.keyClick(view, Key.Key_Return, Mod.ControlModifier))

    at_first_paint.append(type_early)
    starter = start(qtbot, url, settings, "alice")
    window = starter.window
    qtbot.waitUntil(lambda: window.ready)
    assert seen["ready"] is False and seen["rows"] is None
    assert not set(NEEDS_WORKSPACE) & set(seen["enabled"])  # type: ignore[arg-type]
    first = window.session.document.id  # type: ignore[union-attr]
    assert first == plain_database[0]
    qtbot.wait(50)  # anything still queued would have arrived
    alice = probe.annotators.get_or_create("alice").id
    assert probe.documents.status(first, alice) == "new"
    assert window.session is not None and window.session.document.id == first
    assert window._keys_before_ready.dropped >= 1
    # Ready: the same key now works, as the user expects.
    assert all(window.findChild(type(window.actions()[0]), n) for n in NEEDS_WORKSPACE)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.text_view.setFocus()
    qtbot.keyClick(window.text_view, Key.Key_Return, Mod.ControlModifier)
    assert probe.documents.status(first, alice) == "done"
    window.close()


def other_programs_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()


def newer_database(path: Path) -> None:
    Workspace(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_annotator'")
    con.commit()
    con.close()


@pytest.mark.parametrize("make", [other_programs_database, newer_database])
def test_a_database_that_cannot_be_opened_gets_its_message_and_the_window_closes(
    qtbot: QtBot,
    db_file: Path,
    url: str,
    settings: QSettings,
    dialogs: list[tuple[str, str]],
    make: Callable[[Path], None],
) -> None:
    make(db_file)
    with pytest.raises(AnnotatorError) as refused:  # what the command line says, too
        Workspace(url, backup=True)
    starter = start(qtbot, url, settings, "alice")
    qtbot.waitUntil(lambda: starter.exit_code is not None)
    assert dialogs == [("annotator", str(refused.value))]
    assert starter.exit_code == 1
    assert not starter.window.isVisible() and not starter.window.ready


def answer_name(text: str | None) -> tuple[QTimer, list[tuple[str, bool]]]:
    """Answer "Who is annotating?" when it shows (Cancel when ``text`` is None), noting its
    title and whether the window's frame was on screen behind it."""
    asked: list[tuple[str, bool]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            parent = dialog.parentWidget()
            asked.append((dialog.windowTitle(), parent is not None and parent.isVisible()))
            if text is None:
                dialog.reject()
            else:
                dialog.setTextValue(text)
                dialog.accept()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(answer)
    poll.start()
    return poll, asked


def test_the_first_start_asks_who_is_annotating_over_the_frame(
    qtbot: QtBot, url: str, settings: QSettings
) -> None:
    poll, asked = answer_name("  Lena  ")
    try:
        starter = start(qtbot, url, settings, None)
        qtbot.waitUntil(lambda: starter.window.ready, timeout=20000)
    finally:
        poll.stop()
    assert asked == [("Who is annotating?", True)]
    assert starter.window.annotator.name == "Lena"
    assert settings.value("annotator") == "Lena"
    starter.window.close()


def test_no_answer_to_who_is_annotating_closes_the_window_opening_nothing(
    qtbot: QtBot, db_file: Path, url: str, settings: QSettings
) -> None:
    poll, asked = answer_name(None)
    try:
        starter = start(qtbot, url, settings, None)
        qtbot.waitUntil(lambda: starter.exit_code is not None, timeout=20000)
    finally:
        poll.stop()
    assert asked == [("Who is annotating?", True)]
    assert starter.exit_code == 0
    assert not starter.window.isVisible()
    assert not db_file.exists()


# -- the day's automatic copy of the file: made once the first document shows --


def automatic_copies(db: Path) -> list[Path]:
    folder = db.parent / "backups"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_the_days_backup_is_made_after_the_first_document_shows(
    qtbot: QtBot,
    db_file: Path,
    url: str,
    settings: QSettings,
    plain_database: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copies_when_shown: list[list[Path]] = []
    open_document = MainWindow.open_document

    def recording(self: MainWindow, doc_id: int) -> None:
        copies_when_shown.append(automatic_copies(db_file))
        open_document(self, doc_id)

    monkeypatch.setattr(MainWindow, "open_document", recording)
    starter = start(qtbot, url, settings, "alice")  # kept: it opens the database
    window = starter.window
    qtbot.waitUntil(lambda: window.ready)
    assert copies_when_shown == [[]]  # the first document showed before any copy was made
    qtbot.waitUntil(lambda: len(automatic_copies(db_file)) == 1)
    qtbot.waitUntil(lambda: not window._jobs)
    (copy,) = automatic_copies(db_file)
    with sqlite3.connect(copy) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    assert "Warning" not in window.statusBar().currentMessage()
    window.close()


def test_closing_while_the_days_backup_runs_waits_for_a_whole_copy(
    qtbot: QtBot,
    db_file: Path,
    url: str,
    settings: QSettings,
    plain_database: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annotator.core.storage import backups

    rolling_backup = backups.rolling_backup

    def slow(path: Path, changed: float) -> Path | None:  # a large file's copy, in time
        import time

        time.sleep(0.5)
        return rolling_backup(path, changed)

    monkeypatch.setattr(backups, "rolling_backup", slow)
    starter = start(qtbot, url, settings, "alice")  # kept: it opens the database
    window = starter.window
    qtbot.waitUntil(lambda: window.ready)
    assert window._jobs and automatic_copies(db_file) == []  # still copying
    window.close()
    (copy,) = automatic_copies(db_file)  # whole when the window is gone, no part left
    assert not copy.name.endswith(".part")
    with sqlite3.connect(copy) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_a_days_backup_that_fails_is_said_and_work_goes_on(
    qtbot: QtBot,
    db_file: Path,
    url: str,
    settings: QSettings,
    probe: Workspace,
    plain_database: list[int],
) -> None:
    (db_file.parent / "backups").write_text("a file where the folder would go")
    starter = start(qtbot, url, settings, "alice")  # kept: it opens the database
    window = starter.window
    qtbot.waitUntil(lambda: window.ready)
    qtbot.waitUntil(
        lambda: (
            window.statusBar()
            .currentMessage()
            .startswith(f"Warning: no automatic backup of {db_file} was made: ")
        )
    )
    window.text_view.setFocus()
    qtbot.keyClick(window.text_view, Key.Key_Return, Mod.ControlModifier)  # mark done
    alice = probe.annotators.get_or_create("alice").id
    assert probe.documents.status(plain_database[0], alice) == "done"
    window.close()


def test_closing_the_window_while_the_database_opens_opens_nothing_after(
    qtbot: QtBot,
    db_file: Path,
    url: str,
    settings: QSettings,
    plain_database: list[int],
    at_first_paint: list[Callable[[MainWindow], None]],
) -> None:
    """The title bar's close, clicked while the GUI thread opens the database, is delivered
    when the queued input is: no document opens on the closed workspace, no backup starts."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QCloseEvent

    def close_soon(window: MainWindow) -> None:
        QCoreApplication.postEvent(window.windowHandle(), QCloseEvent())

    at_first_paint.append(close_soon)
    starter = start(qtbot, url, settings, "alice")
    window = starter.window
    qtbot.waitUntil(lambda: window.closed)
    qtbot.wait(100)
    assert not window.isVisible()
    assert window.session is None and not window.ready
    assert window._jobs == []
    assert automatic_copies(db_file) == []


def test_a_read_failing_after_the_database_opened_is_said_and_the_window_closes(
    qtbot: QtBot,
    url: str,
    settings: QSettings,
    plain_database: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database opened, then the first read fails (a lock taken by another program at that
    moment; injected here): the user is told, and the process ends with 1."""
    from PySide6.QtWidgets import QMessageBox

    from annotator.core.services.documents import DocumentService

    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, _title, text, *_: said.append(text)
    )

    def locked(*_: object, **__: object) -> None:
        raise AnnotatorError("the database is locked by another program")

    monkeypatch.setattr(DocumentService, "next_unfinished", locked)
    starter = start(qtbot, url, settings, "alice")
    qtbot.waitUntil(lambda: starter.exit_code is not None)
    assert starter.exit_code == 1
    assert said == ["the database is locked by another program"]
    assert not starter.window.isVisible()
