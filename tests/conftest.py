"""Fixtures shared by every test: a real SQLite file, and a real PostgreSQL server when wanted."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

# Set once for the whole session, before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from annotator.core.services.workspace import Workspace
from tests import pg_server

REPO = Path(__file__).resolve().parent.parent

# Property tests draw new examples on every run, which is how they find what nobody thought of.
# CI must judge one change the same way each time, so there ("ci") the examples follow from each
# test alone: a fresh clone run by hand with .ci/run sees what CI will see. Loaded here, before
# any test module's @settings is made from it.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("ANNOTATOR_HYPOTHESIS_PROFILE", "default"))
_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's data folder, settings or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url, reason = pg_server.start_server()
    if url is None:
        pg_server.skip_or_fail(reason)
    try:
        yield url
    finally:
        pg_server.stop_server(url)


_made_databases: list[tuple[str, str]] = []  # (server URL, name): dropped when the session ends


def fresh_pg_database(server_url: str) -> str:
    """A new, empty database on the test server, so tests never see each other's rows."""
    name = f"t{os.getpid()}_{next(_db_counter)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _made_databases.append((server_url, name))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_made_databases() -> Iterator[None]:
    """Each database ~7 MB: a long job on one server (``$ANNOTATOR_TEST_PG_URL``: the mutation
    job runs the suite hundreds of times) would otherwise fill the disk."""
    yield
    while _made_databases:
        server_url, name = _made_databases.pop()
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except SQLAlchemyError:  # a server already stopped: its files go with it
            pass
        finally:
            admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'annotator.sqlite3'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


@pytest.fixture
def second_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'annotator.sqlite3'}"


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    ws = Workspace(db_url)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``tmpfs("256k")``: a real, small tmpfs to fill (a full disk for real), unmounted after.

    Mounting needs root, which the tests have here and in CI; elsewhere the test is skipped
    with the reason.
    """
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        if os.name != "posix" or os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=True)
