"""Opening a database in the test's own process: refusals, locks, waits and warnings.

``test_open_database`` and ``test_concurrency`` check the same through the command line in
subprocesses; these run ``Database`` in-process, so that a planted bug in ``db.py`` is seen
(the mutation job switches a mutant on inside the test process only). Real SQLite files; the
other "program" holding a lock is a plain sqlite3 connection, as another process would be.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.pool import Pool

from annotator.core.domain.errors import AnnotatorError, BusyError, StorageError
from annotator.core.storage import db as db_mod
from annotator.core.storage.db import AuthenticationFailed, CorruptDatabase, Database
from annotator.core.storage.models import Document

SERVER = "postgresql+psycopg://lead:s3cret@127.0.0.1:1/team"  # port 1: nothing listens


@contextmanager
def opened(path: Path | str, **options: bool) -> Iterator[Database]:
    database = Database(str(path), **options)
    try:
        yield database
    finally:
        database.close()


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another program in the middle of a write: it holds the write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def document(key: str, text: str) -> Document:
    """A row as the store writes it (the services are not under test here)."""
    return Document(key=key, title=key, text=text, length=len(text), content_hash=f"h-{key}")


def add_document(session: object, key: str) -> Document:
    doc = document(key, f"Text of {key}.")
    session.add(doc)  # type: ignore[attr-defined]
    return doc


def test_a_new_file_is_made_with_its_folders_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "team.sqlite3"
    with opened(path) as database:
        assert database.path == path and database.warnings == []
    con = sqlite3.connect(path)
    try:
        # WAL: readers go on while someone writes (the window during an import)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    finally:
        con.close()
    assert tables >= db_mod.OUR_TABLES


def test_a_read_only_command_on_a_missing_file_makes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "tema.sqlite3"
    with pytest.raises(AnnotatorError) as info:
        Database(str(path), must_exist=True)
    assert str(info.value) == f"no database at {path}"
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_command_on_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(AnnotatorError) as info:
        Database(str(path), must_exist=True)
    assert str(info.value) == f"no annotator database in sqlite:///{path}: it is empty"
    assert path.read_bytes() == b""


def test_another_programs_database_is_named_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    con = sqlite3.connect(path)
    for table in ("orders", "customers", "stock", "prices", "invoices", "zones"):
        con.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(AnnotatorError) as info:
        Database(str(path))
    assert str(info.value) == (
        f"sqlite:///{path} is not an annotator database (it holds other tables: "
        "customers, invoices, orders, prices, stock); it was left untouched"
    )
    assert path.read_bytes() == before
    assert not path.with_name("shop.sqlite3-wal").exists()


def test_a_folder_that_cannot_be_made_is_one_line_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where a folder should be")
    path = blocker / "team.sqlite3"
    with pytest.raises(AnnotatorError) as info:
        Database(str(path))
    assert type(info.value) is AnnotatorError
    assert str(info.value) == (f"cannot open the database sqlite:///{path}: File exists: {blocker}")


def test_a_folder_where_the_file_should_be_is_named_in_sqlites_words(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite3"
    path.mkdir()
    with pytest.raises(AnnotatorError) as info:
        Database(str(path))
    assert str(info.value) == (
        f"cannot open the database sqlite:///{path}: unable to open database file"
    )


def test_an_up_to_date_database_opens_while_another_program_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening only reads unless the tables must be made or upgraded: a long import in another
    process does not keep the window or a read command from opening."""
    path = tmp_path / "team.sqlite3"
    Database(str(path)).close()
    monkeypatch.setenv(db_mod.BUSY_ENV_VAR, "200")
    with write_lock_held(path):
        for options in ({}, {"must_exist": True}):
            with opened(path, **options) as database, database.read() as session:
                assert session.execute(text("SELECT count(*) FROM documents")).scalar() == 0


def test_a_server_that_is_down_is_one_line_without_the_password() -> None:
    with pytest.raises(AnnotatorError) as info:
        Database(SERVER)
    assert type(info.value) is AnnotatorError  # not "wrong password": the server is down
    message = str(info.value)
    assert message.startswith(
        "cannot open the database postgresql+psycopg://lead:***@127.0.0.1:1/team: "
    )
    assert "s3cret" not in message and "\n" not in message


def test_a_refused_password_is_told_apart_from_other_failures() -> None:
    refused = Exception('FATAL:  password authentication failed for user "lead"\nmore')
    error = db_mod._cannot_open("postgresql+psycopg://lead:***@db/team", refused)
    assert type(error) is AuthenticationFailed
    assert str(error) == (
        "cannot open the database postgresql+psycopg://lead:***@db/team: "
        'FATAL:  password authentication failed for user "lead"'
    )
    # A SQLite file has no password: a path holding the word is just a path.
    missing = OSError(2, "No such file or directory", "/srv/password/team.sqlite3")
    error = db_mod._cannot_open("sqlite:///srv/password/team.sqlite3", missing)
    assert type(error) is AnnotatorError
    assert str(error) == (
        "cannot open the database sqlite:///srv/password/team.sqlite3: "
        "No such file or directory: /srv/password/team.sqlite3"
    )
    assert str(db_mod._cannot_open("sqlite:///x", OSError(28, "No space left on device"))) == (
        "cannot open the database sqlite:///x: No space left on device"
    )
    assert str(db_mod._cannot_open("sqlite:///x", ValueError(""))) == (
        "cannot open the database sqlite:///x: ValueError"
    )


def test_a_server_database_keeps_its_password_for_connecting_only() -> None:
    database = Database(SERVER, migrate=False)  # no connection is made without migrating
    try:
        assert database.url == SERVER
        assert database.path is None and not database.is_sqlite
        assert database.display_name == "postgresql+psycopg://lead:***@127.0.0.1:1/team"
        assert database.remembered_url == "postgresql+psycopg://lead@127.0.0.1:1/team"
    finally:
        database.close()
    assert db_mod.normalise_url(SERVER) == SERVER


def test_a_missing_driver_says_what_to_install() -> None:
    with pytest.raises(AnnotatorError) as info:
        Database("postgresql+pg8000://lead:s3cret@db.example.org/team", migrate=False)
    assert str(info.value) == (
        "cannot open postgresql+pg8000://lead:***@db.example.org/team: the driver 'pg8000' is "
        "not installed (pip install 'annotator[postgres]')"
    )


def test_an_sqlite_uri_filename_is_opened_as_sqlite_understands_it(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite3"
    with opened(path) as database, database.write() as session:
        add_document(session, "a")
    uri = f"sqlite:///file:{path}?mode=ro&uri=true"
    with opened(uri, must_exist=True) as database, database.read() as session:
        assert session.execute(text("SELECT key FROM documents")).scalars().all() == ["a"]


def test_rows_read_or_written_stay_readable_after_the_session(tmp_path: Path) -> None:
    with opened(tmp_path / "team.sqlite3") as database:
        with database.write() as session:
            made = add_document(session, "a")
        assert (made.id, made.key) == (1, "a")  # not expired on commit
        with database.read() as session:
            read = session.get(Document, 1)
        assert read is not None and read.text == "Text of a."


def test_a_write_takes_the_lock_when_it_begins(tmp_path: Path) -> None:
    """Two writers never both hold a read lock and deadlock upgrading it: the second queues."""
    path = tmp_path / "team.sqlite3"
    with opened(path) as database, database.write() as session:
        session.execute(text("SELECT 1"))  # nothing written yet, but the lock is held
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        finally:
            other.close()


def test_a_short_write_gives_up_soon_and_says_nothing_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite3"
    with opened(path) as database:
        with write_lock_held(path):
            with database.read() as session:  # reading goes on meanwhile
                assert session.execute(text("SELECT count(*) FROM documents")).scalar() == 0
            for _ in range(2):  # the second time from the kept session maker
                started = time.monotonic()
                with pytest.raises(BusyError) as info, database.write(busy_timeout_ms=200) as s:
                    add_document(s, "a")
                    s.flush()
                waited = time.monotonic() - started
                assert 0.15 < waited < 5, waited
            assert str(info.value) == (
                "the database is busy (another program is writing); "
                "the change was not saved, try again"
            )
        with database.write(busy_timeout_ms=200) as session:  # the lock is free again
            made = add_document(session, "b")
        assert made.key == "b"  # readable after the commit, as after any write
        with database.read() as session:
            assert session.execute(text("SELECT key FROM documents")).scalars().all() == ["b"]
            # the short wait was for that write only: other sessions wait the full time again
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_the_busy_wait_can_be_set_for_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db_mod.BUSY_ENV_VAR, "300")
    path = tmp_path / "team.sqlite3"
    with opened(path) as database:
        with database.read() as session:
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 300
        with write_lock_held(path):
            started = time.monotonic()
            with pytest.raises(BusyError), database.write() as session:
                add_document(session, "a")
            assert 0.25 < time.monotonic() - started < 5


def test_a_brand_new_file_waits_for_another_reader_before_switching_to_wal(
    tmp_path: Path,
) -> None:
    """Switching to WAL needs the file to itself: the open waits for the reader, then switches
    (the busy wait does it here; ``_use_wal``'s own retry is for a race of two openers)."""
    path = tmp_path / "team.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA user_version = 7")  # a file with a header, but no tables yet
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        with opened(path) as database, database.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        release.join()
        other.close()
    assert time.monotonic() - started >= 0.4


@contextmanager
def exclusive_lock_at_checkout(path: Path, number: int, release_after_s: float) -> Iterator[None]:
    """Another opener of ``path`` takes its exclusive lock when our ``number``-th pooled
    connection is handed out, and lets go ``release_after_s`` later: a race won by the other."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    release = threading.Timer(release_after_s, lambda: other.execute("COMMIT"))
    seen = 0

    def take_the_lock(*_: Any) -> None:
        nonlocal seen
        seen += 1
        if seen == number:
            other.execute("BEGIN EXCLUSIVE")
            release.start()

    event.listen(Pool, "checkout", take_the_lock)
    try:
        yield
    finally:
        event.remove(Pool, "checkout", take_the_lock)
        if seen >= number:  # the timer was started: let it commit before closing
            release.join()
        other.close()


def test_a_new_file_switched_by_two_openers_at_once_opens_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race ``_use_wal`` retries for: another opener holds the new file's exclusive lock just
    as this one switches it to WAL, and SQLite refuses at once instead of waiting (a busy wait
    of 0 here: the refusal seen once among six desktops). The open retries until the other is
    done, then makes its tables in WAL."""
    monkeypatch.setenv(db_mod.BUSY_ENV_VAR, "0")
    path = tmp_path / "team.sqlite3"
    # checkouts while opening: 1 reads what tables there are, 2 switches to WAL
    with (
        exclusive_lock_at_checkout(path, number=2, release_after_s=0.5),
        opened(path) as database,
        database.read() as session,
    ):
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("SELECT count(*) FROM documents")).scalar() == 0


def test_switching_to_wal_gives_up_on_a_lock_held_past_its_wait(tmp_path: Path) -> None:
    """Another opener that keeps the lock past the wait: the refusal is SQLite's own words, and
    it comes before the other lets go (held 3 s here, the wait is 0.2 s)."""
    path = tmp_path / "team.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(3, lambda: other.execute("COMMIT"))
    release.start()
    ours = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match=r"^database is locked$"):
            db_mod._use_wal(ours.cursor(), 0.2)
    finally:
        ours.close()
        release.join()
        other.close()


def test_another_refusal_while_switching_to_wal_is_not_retried(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite3"
    path.write_bytes(b"not a database at all, but long enough to be read as a header" * 4)
    ours = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            db_mod._use_wal(ours.cursor(), 30)
    finally:
        ours.close()


def test_times_are_stored_in_utc_whatever_the_local_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team across time zones compares when things were made: never in one machine's time."""
    monkeypatch.setenv("TZ", "NPT-5:45")  # Kathmandu, UTC+5:45, without needing tzdata
    time.tzset()
    try:
        with opened(tmp_path / "team.sqlite3") as database:
            with database.write() as session:
                add_document(session, "a")
            with database.read() as session:
                made = session.get(Document, 1).created_at  # type: ignore[union-attr]
    finally:
        monkeypatch.undo()
        time.tzset()
    # SQLite keeps no offset: the stored fields are UTC's, a minute or so from now at most
    assert abs(made.replace(tzinfo=UTC).timestamp() - time.time()) < 600


def test_a_full_disk_refuses_the_write_and_keeps_what_was_saved(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    disk = tmpfs("1m")
    path = disk / "team.sqlite3"
    with opened(path) as database:
        with database.write() as session:
            add_document(session, "kept")
        with pytest.raises(StorageError) as info, database.write() as session:
            session.add(document("big", "x" * 4_000_000))
        assert str(info.value) == (
            f"the database {path} refused the change (database or disk is full); "
            "the change was not saved"
        )
        with database.read() as session:
            assert session.execute(text("SELECT key FROM documents")).scalars().all() == ["kept"]


def test_a_damaged_file_names_db_check(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite3"
    with opened(path) as database, database.write() as session:
        for i in range(300):
            session.add(document(f"{i}", f"Sentence {i}. " * 200))
    size = path.stat().st_size
    with open(path, "r+b") as f:
        for page in range(size // 4096 // 2, size // 4096 // 2 + 8):
            f.seek(page * 4096)
            f.write(b"\xde\xad\xbe\xef" * 1024)
    database = Database(str(path))
    try:
        with pytest.raises(CorruptDatabase) as info, database.read() as session:
            session.execute(text("SELECT sum(length(text)) FROM documents")).scalar()
    finally:
        database.close()
    assert str(info.value) == (
        f"the database {path} is damaged (database disk image is malformed); "
        f"run `annotator --db {path} db check` and restore a backup"
    )


def test_values_are_stored_as_compact_utf8_json(tmp_path: Path) -> None:
    """What another tool reading the file sees: the text as written, no escapes."""
    path = tmp_path / "team.sqlite3"
    with opened(path) as database:
        with database.write() as session:
            add_document(session, "a").meta = {"source": "Zürich"}
        with database.read() as session:
            assert session.get(Document, 1).meta == {"source": "Zürich"}  # type: ignore[union-attr]
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT meta FROM documents").fetchone() == ('{"source":"Zürich"}',)
    finally:
        con.close()


def test_busy_wait_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db_mod.BUSY_ENV_VAR, raising=False)
    assert db_mod._busy_timeout_ms() == 30_000
    monkeypatch.setenv(db_mod.BUSY_ENV_VAR, "")
    assert db_mod._busy_timeout_ms() == 30_000
    monkeypatch.setenv(db_mod.BUSY_ENV_VAR, "1500")
    assert db_mod._busy_timeout_ms() == 1500
    assert os.environ[db_mod.BUSY_ENV_VAR] == "1500"
