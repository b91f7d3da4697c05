"""The daily copies beside a database, and ``db backup``'s copy: what is kept, and when.

Real SQLite files throughout; the full disk is a real small tmpfs (``tmpfs`` fixture). A user
notices a missing copy only on the day they need it, so each rule is checked by its outcome:
which files are in ``backups/``, their names and modes, and the warning when none was made.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace
from annotator.core.storage import backups
from annotator.core.storage.db import Database

DAY = 24 * 3600


def make_database(path: Path, documents: int = 3, body: str = "A sentence. ") -> Path:
    with Workspace(str(path)) as ws:
        for i in range(documents):
            ws.documents.add(f"Headline {i}\n" + body * 20, key=f"k{i}")
    return path


def documents_in(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        con.close()


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_the_first_automatic_backup_is_named_by_its_time_and_readable(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    os.chmod(db, 0o640)
    now = datetime(2026, 3, 4, 5, 6, 7, 890_123, tzinfo=UTC)
    made = backups.rolling_backup(db, backups.last_change(db), now)
    assert made == tmp_path / "backups" / "team-20260304T050607890Z.sqlite3"
    assert backups.automatic_backups(db) == [made]
    assert documents_in(made) == 3
    # As readable as the database it copies: no more (a group could not read it before)
    assert made.stat().st_mode & 0o777 == 0o640


def test_a_backup_is_due_a_day_after_the_newest_and_only_if_the_database_changed(
    tmp_path: Path,
) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    first = backups.rolling_backup(db, 0.0, at(1_700_000_000))
    assert first is not None
    newest = 1_700_000_000.0
    os.utime(first, (newest, newest))
    changed = newest + 60
    assert backups.rolling_backup(db, changed, at(newest + DAY - 1)) is None  # not a day yet
    assert backups.rolling_backup(db, newest, at(newest + 2 * DAY)) is None  # no change since
    second = backups.rolling_backup(db, changed, at(newest + DAY))  # exactly a day: due
    assert second is not None and second != first
    assert backups.automatic_backups(db) == [first, second]


def test_only_the_newest_five_automatic_backups_are_kept(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    start = 1_700_000_000.0
    made = []
    for day in range(7):
        when = start + day * DAY
        copy = backups.rolling_backup(db, when + 1, at(when))
        assert copy is not None, f"day {day}: no backup made"
        os.utime(copy, (when, when))
        made.append(copy)
    assert backups.automatic_backups(db) == made[-backups.KEEP :]
    assert sorted((tmp_path / "backups").iterdir()) == made[-backups.KEEP :]


def test_only_this_databases_automatic_backups_are_counted_or_deleted(tmp_path: Path) -> None:
    """A hand-made copy or another database's backups in the same folder are never rotated."""
    db = make_database(tmp_path / "team.sqlite3")
    assert backups.automatic_backups(db) == []  # no folder yet
    folder = tmp_path / "backups"
    folder.mkdir()
    others = [
        folder / "team-before-the-merge.sqlite3",
        folder / "teams-20260101T000000000Z.sqlite3",
        folder / "other-20260101T000000000Z.sqlite3",
        folder / "team-20260101T000000000Z.db",
        folder / "notes-Z.sqlite3",
    ]
    for other in others:
        other.write_text("mine")
    mine = folder / "team-20260101T000000000Z.sqlite3"
    mine.write_text("old copy")
    assert backups.automatic_backups(db) == [mine]


def test_the_write_ahead_log_counts_as_a_change(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    os.utime(db, (1_000_000, 1_000_000))
    assert backups.last_change(db) == 1_000_000
    wal = tmp_path / "team.sqlite3-wal"
    wal.write_bytes(b"")
    os.utime(wal, (2_000_000, 2_000_000))
    assert backups.last_change(db) == 2_000_000


def test_a_backup_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    target = tmp_path / "nowhere" / "copy.sqlite3"
    with pytest.raises(AnnotatorError) as info:
        backups.backup(db, target)
    assert str(info.value) == f"cannot write {target}: no folder {target.parent}"


def test_the_real_files_log_is_refused_when_the_database_is_named_by_a_symlink(
    tmp_path: Path,
) -> None:
    """SQLite keeps a symlinked database's log beside the real file: ``--force`` onto that log
    would replace commits not yet written back."""
    db = make_database(tmp_path / "team.sqlite3")
    link = tmp_path / "link.sqlite3"
    link.symlink_to(db.name)
    for journal in ("team.sqlite3-wal", "team.sqlite3-shm"):
        target = tmp_path / journal
        with pytest.raises(AnnotatorError) as info:
            backups.backup(link, target, force=True)
        assert str(info.value) == f"{target} is the database itself; choose another file"
    assert documents_in(backups.backup(link, tmp_path / "copy.sqlite3")) == 3


def test_a_hard_link_to_the_database_is_the_database_itself(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    link = tmp_path / "alias.sqlite3"
    os.link(db, link)
    before = db.read_bytes()
    with pytest.raises(AnnotatorError) as info:
        backups.backup(db, link, force=True)
    assert str(info.value) == f"{link} is the database itself; choose another file"
    assert db.read_bytes() == before
    copy = backups.backup(db, tmp_path / "copy.sqlite3")  # any other file is fine
    assert documents_in(copy) == 3
    with pytest.raises(AnnotatorError) as info:
        backups.backup(db, copy)  # a copy already there is replaced only when asked
    assert str(info.value) == f"{copy} already exists; add --force to replace it"


def plain_database(path: Path) -> Path:
    """A SQLite file outside WAL (as ``db backup`` may be given): a writer there locks readers."""
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE notes(body TEXT)")
        con.execute("INSERT INTO notes VALUES ('kept')")
        con.commit()
    finally:
        con.close()
    return path


def test_a_backup_waits_for_a_write_in_progress_only_as_long_as_it_is_told(
    tmp_path: Path,
) -> None:
    """Another program writing (exclusive lock, 2.5 s): told to wait 0.1 s, the backup gives up
    before the writer is done, names the lock and leaves no file; told to wait long enough (as
    every caller does: 30 s, longer than SQLite's own 5 s), it waits and copies."""
    db = plain_database(tmp_path / "team.sqlite3")
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        threading.Timer(2.5, lambda: writer.execute("COMMIT")).start()
        with pytest.raises(AnnotatorError) as info:
            backups.backup(db, tmp_path / "early.sqlite3", wait_s=0.1)
        assert str(info.value) == (
            f"cannot back up {db} to {tmp_path / 'early.sqlite3'}: database is locked"
        )
        assert sorted(p.name for p in tmp_path.iterdir()) == ["team.sqlite3"]
        made = backups.backup(db, tmp_path / "copy.sqlite3", wait_s=30)
    finally:
        writer.close()
    con = sqlite3.connect(made)
    try:
        assert con.execute("SELECT body FROM notes").fetchall() == [("kept",)]
    finally:
        con.close()


def test_a_copy_in_progress_is_a_hidden_part_file_beside_its_target(tmp_path: Path) -> None:
    """Until it is whole, the copy is ``.NAME.RANDOM.part``: hidden, never taken for a backup
    (nor rotated as one), and named after its target if a crash leaves it behind."""
    db = plain_database(tmp_path / "team.sqlite3")
    folder = tmp_path / "backups"
    folder.mkdir()
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN EXCLUSIVE")  # the copy waits for this writer: we can look meanwhile
    copying = threading.Thread(target=backups.backup, args=(db, folder / "copy.sqlite3"))
    copying.start()
    try:
        deadline = time.monotonic() + 30
        while not list(folder.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        names = [p.name for p in folder.iterdir()]
    finally:
        writer.execute("COMMIT")
        copying.join()
        writer.close()
    assert len(names) == 1 and re.fullmatch(r"\.copy\.sqlite3\.[a-z0-9_]{8}\.part", names[0])
    assert [p.name for p in folder.iterdir()] == ["copy.sqlite3"]


def test_a_full_disk_leaves_no_half_copy_and_says_why(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    db = make_database(tmp_path / "team.sqlite3", documents=40, body="x" * 400)
    assert db.stat().st_size > 512 * 1024
    disk = tmpfs("256k")
    target = disk / "copy.sqlite3"
    with pytest.raises(AnnotatorError) as info:
        backups.backup(db, target)
    assert str(info.value) == (f"cannot back up {db} to {target}: database or disk is full")
    assert list(disk.iterdir()) == []  # neither the copy nor its temporary file


def test_a_copy_onto_another_disk_is_written_there(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    """The temporary file is beside the target: renaming it across disks would fail."""
    db = make_database(tmp_path / "team.sqlite3")
    disk = tmpfs("4m")
    copy = backups.backup(db, disk / "copy.sqlite3")
    assert documents_in(copy) == 3
    assert [p.name for p in disk.iterdir()] == ["copy.sqlite3"]


def test_a_daily_backup_that_does_not_fit_warns_and_the_database_still_opens(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    source = make_database(tmp_path / "team.sqlite3", documents=40, body="x" * 400)
    size = source.stat().st_size
    disk = tmpfs(f"{size + size // 2}")  # room for the database, not for a copy beside it
    db = disk / "team.sqlite3"
    db.write_bytes(source.read_bytes())
    opened = Database(str(db), backup=True)
    try:
        [warning] = opened.warnings
        assert warning.startswith(f"no automatic backup of {db} was made: cannot back up {db} to ")
        assert warning.endswith(": database or disk is full")
        with opened.read() as session:
            assert (
                session.connection().exec_driver_sql("SELECT count(*) FROM documents").scalar_one()
                == 40
            )
    finally:
        opened.close()
    assert backups.automatic_backups(db) == []


def test_a_daily_backup_is_made_on_open_for_writing_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named by the time in UTC wherever the user is (their names sort by time)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    db = make_database(tmp_path / "team.sqlite3")
    Database(str(db)).close()  # not unless asked for
    Database(str(db), migrate=True, backup=False).close()
    assert backups.automatic_backups(db) == []
    Database(str(db), must_exist=True, backup=True).close()  # a read-only command
    assert backups.automatic_backups(db) == []
    opened = Database(str(db), backup=True)
    opened.close()
    assert opened.warnings == []
    [made] = backups.automatic_backups(db)
    assert documents_in(made) == 3
    assert (now := datetime.now(UTC)) - timedelta(minutes=5) < made_time(made) <= now
    monkeypatch.delenv("TZ")
    time.tzset()


def test_no_daily_backup_of_a_new_or_empty_file(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    Database(str(new), backup=True).close()
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    Database(str(empty), backup=True).close()
    assert not (tmp_path / "backups").exists()


def test_the_next_daily_backup_on_open_is_made_only_after_a_change(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / "team-20200101T000000000Z.sqlite3"
    old.write_bytes(db.read_bytes())
    two_days_ago = datetime.now(UTC).timestamp() - 2 * DAY
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(db, (two_days_ago - 60, two_days_ago - 60))  # unchanged since that copy
    Database(str(db), backup=True).close()
    assert backups.automatic_backups(db) == [old]
    with Workspace(str(db)) as ws:  # a change: the next open for writing copies it
        ws.documents.add("Headline\nBody.", key="new")
    opened = Database(str(db), backup=True)
    opened.close()
    assert opened.warnings == []
    assert len(backups.automatic_backups(db)) == 2
    assert documents_in(backups.automatic_backups(db)[-1]) == 4


def test_a_later_backup_waits_for_make_due_backup_and_is_made_once(tmp_path: Path) -> None:
    """The window's way: the open returns with the copy still due; it is made on request."""
    db = tmp_path / "team.sqlite3"
    make_database(db)
    with Workspace(str(db), backup=True, backup_later=True) as ws:
        assert backups.automatic_backups(db) == []  # the open itself copied nothing
        assert ws.db.backup_due is not None
        ws.documents.add("Headline\nA fourth article.", key="k3")
        assert ws.db.make_due_backup() is None  # no warning
        made = backups.automatic_backups(db)
        assert len(made) == 1, made
        assert ws.db.make_due_backup() is None  # made once: nothing due any more
        assert backups.automatic_backups(db) == made
    with Workspace(str(made[0]), create=False) as copy:
        assert copy.documents.count() == 4  # taken when made, the fourth article included


def test_a_later_backup_copies_while_a_write_is_open(tmp_path: Path) -> None:
    """The copy runs beside the window's writes (a WAL file): an open write transaction neither
    blocks it nor gets into it, and the write commits afterwards."""
    db = tmp_path / "team.sqlite3"
    make_database(db)
    with Workspace(str(db), backup=True, backup_later=True) as ws:
        writer = sqlite3.connect(db, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO settings (key, value) VALUES ('mid-edit', 'yes')")
            started = time.monotonic()
            assert ws.db.make_due_backup() is None
            assert time.monotonic() - started < 5  # not queued behind the write lock
            writer.execute("COMMIT")
        finally:
            writer.close()
    (copy,) = backups.automatic_backups(db)
    with sqlite3.connect(copy) as con:
        assert con.execute("SELECT count(*) FROM settings WHERE key = 'mid-edit'").fetchone() == (
            0,
        )
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT value FROM settings WHERE key = 'mid-edit'").fetchone() == (
            "yes",
        )


def test_a_later_backup_that_fails_returns_its_warning(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    (tmp_path / "backups").write_text("a file where the folder would go")
    with Workspace(str(db), backup=True, backup_later=True) as ws:
        assert ws.db.warnings == []
        warning = ws.db.make_due_backup()
        assert warning is not None
        assert warning.startswith(f"no automatic backup of {db} was made: ")
        assert "\n" not in warning
        ws.documents.add("Headline\nWork goes on.", key="k3")


def made_time(path: Path) -> datetime:
    """The time in an automatic backup's name (``team-20260304T050607890Z.sqlite3``)."""
    stamp = path.stem.split("-")[-1]
    return datetime.strptime(stamp[:-4], "%Y%m%dT%H%M%S").replace(
        microsecond=int(stamp[-4:-1]) * 1000, tzinfo=UTC
    )


def test_a_log_removed_while_the_open_looks_at_it_makes_no_copy_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's last close deletes the -wal between the check and its stat (a race,
    forced here): the open goes on, with no copy due; the next open makes it."""
    from annotator.core.storage import db as db_mod

    db = make_database(tmp_path / "team.sqlite3")

    def vanished(path: Path) -> float:
        raise FileNotFoundError(2, "No such file or directory", f"{path}-wal")

    monkeypatch.setattr(db_mod, "last_change", vanished)
    with Workspace(str(db), backup=True, backup_later=True) as ws:
        assert ws.db.backup_due is None
        assert ws.documents.count() == 3
    monkeypatch.undo()
    with Workspace(str(db), backup=True) as ws:
        assert ws.db.warnings == []
    assert len(backups.automatic_backups(db)) == 1
