"""The one-line file that makes the window's last database the command line's default too.

Where it lives (the user's config folder), that it is rewritten whole, and that a line it
cannot use (empty, unreadable, a file since moved) means "no last database", never an error.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.services.workspace import Workspace
from annotator.core.storage.last_opened import last_opened, last_opened_file, remember_opened
from annotator.core.storage.url import parse


def fill(file: Path) -> None:
    """Write ``file`` until its disk is full."""
    fd = os.open(file, os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def test_the_file_is_in_the_users_config_folder(tmp_path: Path) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"])  # set per test by conftest
    assert last_opened_file() == config / "annotator" / "last-database"


def test_the_last_database_opened_replaces_the_one_before(tmp_path: Path) -> None:
    first, second = tmp_path / "first.sqlite3", tmp_path / "Zürich team.sqlite3"
    for path in (first, second):
        Workspace(str(path)).close()
    remember_opened(f"sqlite:///{first}")
    assert last_opened() == f"sqlite:///{first}"
    remember_opened(f"sqlite:///{second}")  # the folder exists now: written again
    again = last_opened()
    assert again is not None and parse(again).database == str(second)
    assert last_opened_file().read_text(encoding="utf-8") == f"{again}\n"
    assert [p.name for p in last_opened_file().parent.iterdir()] == ["last-database"]


@pytest.mark.parametrize(
    "line",
    ["", "\n", "  \n", "not a url://x\n", "postgresql://lead@host:notaport/db\n", "sqlite://\n"],
)
def test_a_line_that_names_no_database_is_no_last_database(line: str) -> None:
    file = last_opened_file()
    file.parent.mkdir(parents=True)
    file.write_text(line, encoding="utf-8")
    assert last_opened() is None


def test_an_unreadable_file_is_no_last_database() -> None:
    file = last_opened_file()
    file.parent.mkdir(parents=True)
    file.write_bytes(b"sqlite:///caf\xe9.sqlite3\n")  # not UTF-8
    assert last_opened() is None


def test_a_server_is_remembered_even_though_it_cannot_be_checked_here() -> None:
    remember_opened("postgresql+psycopg://lead:pw@db.example.org/team")
    assert last_opened() == "postgresql+psycopg://lead@db.example.org/team"


def test_an_unreadable_url_is_not_remembered_lest_it_hold_a_password(tmp_path: Path) -> None:
    kept = tmp_path / "kept.sqlite3"
    Workspace(str(kept)).close()
    remember_opened(f"sqlite:///{kept}")
    remember_opened("postgresql://lead:pw@host:notaport/db")
    assert last_opened() == f"sqlite:///{kept}"


def test_a_full_disk_keeps_the_old_line_and_leaves_no_scratch_file(
    tmp_path: Path, tmpfs: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config folder on its own small disk: the scratch file is written beside the file
    (a rename across disks would fail) and removed when the disk is full."""
    disk = tmpfs("64k")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(disk))
    team = tmp_path / "team.sqlite3"
    Workspace(str(team)).close()
    remember_opened(f"sqlite:///{team}")
    assert last_opened() == f"sqlite:///{team}"
    fill(disk / "filler")
    with pytest.raises(OSError):
        remember_opened(f"sqlite:///{tmp_path / ('long' * 2000)}.sqlite3")
    assert last_opened() == f"sqlite:///{team}"
    assert sorted(p.name for p in (disk / "annotator").iterdir()) == ["last-database"]


@pytest.fixture
def ascii_locale() -> Iterator[None]:
    """A locale whose text encoding is not UTF-8 (ASCII here; cp1252 on many Windows desktops),
    as it is read at each open() that names no encoding."""
    locale.setlocale(locale.LC_CTYPE, "C")
    assert locale.getpreferredencoding(False) != "UTF-8"
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, "")


def test_a_non_ascii_server_name_is_remembered_whatever_the_locale(ascii_locale: None) -> None:
    """The file is UTF-8 on every machine (SQLAlchemy escapes a non-ASCII file path, but not a
    server's name): what one locale wrote, another reads back the same."""
    remember_opened("postgresql+psycopg://lead:pw@bücher.example.org/team")
    assert last_opened_file().read_bytes() == (
        "postgresql+psycopg://lead@bücher.example.org/team\n".encode()
    )
    assert last_opened() == "postgresql+psycopg://lead@bücher.example.org/team"


def test_a_file_path_is_remembered_as_the_url_that_reopens_it(tmp_path: Path) -> None:
    """File > Open's setting of earlier versions held a plain path: handed over, it must be
    read back, not dropped as an unreadable line."""
    path = tmp_path / "old team.sqlite3"
    Workspace(str(path)).close()
    remember_opened(str(path))
    remembered = last_opened()
    assert remembered is not None and parse(remembered).database == str(path.resolve())
