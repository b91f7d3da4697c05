"""Which database a command opens when none is named, and that it says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.services.workspace import (
    Workspace,
    default_choice,
    last_opened_file,
    remember_opened,
)
from tests.core.test_cli import run


def test_the_last_opened_database_is_the_default_until_it_is_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team.sqlite3"
    Workspace(str(team)).close()
    remember_opened(f"sqlite:///{team}")
    code, out, err = run(capsys, "demo", "--no-team")
    assert code == 0, err
    assert out.endswith(f"into sqlite:///{team}\n")
    code, out, _ = run(capsys, "stats")
    assert out.splitlines()[0] == (
        f"database: sqlite:///{team} (the database the window last opened; --db to choose another)"
    )
    env = tmp_path / "env.sqlite3"
    monkeypatch.setenv("ANNOTATOR_DB", str(env))
    assert default_choice() == (str(env), "$ANNOTATOR_DB")
    monkeypatch.delenv("ANNOTATOR_DB")
    team.unlink()  # moved away: never re-created behind the user's back
    url, why = default_choice()
    assert why == "the default file in your user data folder"
    assert url.endswith("/annotator/annotator.sqlite3") and str(team) not in url


def test_a_remembered_server_keeps_no_password(tmp_path: Path) -> None:
    remember_opened("postgresql+psycopg://lead:s3cret@db.example.org/team")
    kept = last_opened_file().read_text(encoding="utf-8")
    assert kept == "postgresql+psycopg://lead@db.example.org/team\n"
    assert default_choice() == (kept.strip(), "the database the window last opened")
