"""Copies of a SQLite database made with SQLite's online backup API.

The API copies a consistent snapshot while other processes go on reading and writing; copying
the file itself could catch a write half done, or miss what is still in the ``-wal`` file.
A copy is written to a temporary file beside its target and renamed, so it is whole or absent.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotator.core.domain.errors import AnnotatorError

KEEP = 5  # automatic backups kept per database; older ones are deleted
EVERY = timedelta(days=1)  # no automatic backup when the newest is younger than this
FOLDER = "backups"
BUSY_TIMEOUT_S = 30


def backup(
    source: Path, target: Path, *, force: bool = False, wait_s: float = BUSY_TIMEOUT_S
) -> Path:
    """Copy the SQLite database ``source`` to ``target``; never over the database itself.

    A source another program holds locked (a write in progress, outside WAL) is waited for up
    to ``wait_s`` seconds, far longer than SQLite's own 5 s: a backup should not fail on a
    long import."""
    target = target.expanduser().absolute()
    if not source.is_file():
        raise AnnotatorError(f"no database at {source}")
    if _same_file(source, target) or _is_journal_of(source, target):
        raise AnnotatorError(f"{target} is the database itself; choose another file")
    if target.exists() and not force:
        raise AnnotatorError(f"{target} already exists; add --force to replace it")
    if not target.parent.is_dir():
        raise AnnotatorError(f"cannot write {target}: no folder {target.parent}")
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(source, timeout=wait_s)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, progress=_refuse_when_busy)
            finally:
                dst.close()
        finally:
            src.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp makes the copy private (0600); it is as readable as the database it copies.
        os.chmod(tmp, source.stat().st_mode & 0o777)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise AnnotatorError(f"cannot back up {source} to {target}: {exc}") from None
    return target


def _refuse_when_busy(status: int, _remaining: int, _total: int) -> None:
    """Stop the copy once SQLite's busy wait (``wait_s``) ran out on a locked source.

    Python's ``backup`` would otherwise try again every 0.25 s without end: a writer that
    never lets go would hang the copy (and an open that makes its daily backup) for good.
    """
    if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        raise sqlite3.OperationalError("database is locked")


def _is_journal_of(source: Path, target: Path) -> bool:
    """Whether ``target`` is named as the source's write-ahead log or shared memory file,
    under the source's name or, through a symbolic link, its real file's (which SQLite uses)."""
    names = (source.name, source.resolve().name)
    return target.name in {f"{name}{end}" for name in names for end in ("-wal", "-shm")}


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``b`` is the file ``a`` under any name (a symlink, a hard link); no if it is none."""
    with contextlib.suppress(OSError):  # FileNotFoundError: no file ``b``, so not ``a``
        return a.samefile(b)
    return False


def automatic_backups(database: Path) -> list[Path]:
    """This database's automatic backups, oldest first (their names sort by time)."""
    folder = database.parent / FOLDER
    if not folder.is_dir():
        return []
    start, end = f"{database.stem}-", f"Z{database.suffix}"
    return sorted(p for p in folder.iterdir() if p.name.startswith(start) and p.name.endswith(end))


def last_change(database: Path) -> float:
    """When the database or its write-ahead log was last written (seconds since the epoch)."""
    wal = database.with_name(database.name + "-wal")
    return max(p.stat().st_mtime for p in (database, wal) if p.exists())


def rolling_backup(database: Path, changed: float, now: datetime | None = None) -> Path | None:
    """Back up ``database`` into ``backups/`` beside it when due; keep the newest ``KEEP``.

    Due when there is no automatic backup, or the newest is older than ``EVERY`` and the
    database changed since (``changed``: its ``last_change`` before it was opened).
    Returns the new copy, or None.
    """
    now = now or datetime.now(UTC)
    existing = automatic_backups(database)
    if existing:
        newest = existing[-1].stat().st_mtime
        if now.timestamp() - newest < EVERY.total_seconds():
            return None
        if changed <= newest:
            return None
    folder = database.parent / FOLDER
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"
    made = backup(database, folder / f"{database.stem}-{stamp}{database.suffix}")
    for old in automatic_backups(database)[:-KEEP]:
        old.unlink(missing_ok=True)
    return made
