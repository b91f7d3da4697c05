"""The window and the command line open the same database: File > Open in the window is what
``annotator stats`` and the next start open, until --db or $ANNOTATOR_DB says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.cli.main import main
from annotator.core.services.workspace import Workspace
from annotator.gui.app import open_window
from annotator.gui.main_window import MainWindow


def stats(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    with pytest.raises(SystemExit) as info:
        main([*args, "stats"])
    out, err = capsys.readouterr()
    assert info.value.code in (0, None), err
    return out.splitlines()


def test_file_open_in_the_window_is_what_the_cli_and_the_next_start_open(
    open_main: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    settings: QSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    team = tmp_path / "team.sqlite3"
    with Workspace(str(team)) as ws:
        ws.documents.add("Estmar tests a radar\nIt works.", key="radar")
    window = open_main()
    assert window.switch_database(str(team))
    new = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    )
    qtbot.addWidget(new)
    try:
        lines = stats(capsys)
        assert lines[0] == (
            f"database: sqlite:///{team} (the database the window last opened; --db to choose "
            "another)"
        )
        assert lines[1] == "documents: 1"
        again = open_window(None, "alice", settings, ask=False)
        qtbot.addWidget(again)
        assert again.workspace.db.display_name == f"sqlite:///{team}"
        again.close()
        again.workspace.close()
    finally:
        new.close()
        new.workspace.close()
    other = tmp_path / "other.sqlite3"
    Workspace(str(other)).close()
    assert stats(capsys, "--db", str(other))[0] == f"database: sqlite:///{other}"


def test_a_database_an_earlier_version_remembered_in_the_window_settings_is_shared(
    qtbot: QtBot, tmp_path: Path, settings: QSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    team = tmp_path / "team.sqlite3"
    with Workspace(str(team)) as ws:
        ws.documents.add("Estmar tests a radar\nIt works.", key="radar")
    settings.setValue("database", f"sqlite:///{team}")
    window = open_window(None, "alice", settings, ask=False)
    qtbot.addWidget(window)
    try:
        assert window.workspace.db.display_name == f"sqlite:///{team}"
        assert stats(capsys)[:2] == [
            f"database: sqlite:///{team} (the database the window last opened; --db to choose "
            "another)",
            "documents: 1",
        ]
        assert settings.value("database") is None  # one place only from now on
    finally:
        window.close()
        window.workspace.close()
