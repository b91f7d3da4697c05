"""Opening a database: SQLite (default) or PostgreSQL, migrated to the current schema on open."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from annotator.core.domain.errors import AnnotatorError, BusyError, StorageError
from annotator.core.storage import url as url_mod
from annotator.core.storage.backups import last_change
from annotator.core.storage.models import Base
from annotator.core.storage.url import ENV_VAR, default_url, sqlite_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
MAY_MATCH_SQL = "annotator_may_match"  # regex_prefilter.may_match_utf8, on every SQLite connection
BUSY_ENV_VAR = "ANNOTATOR_SQLITE_BUSY_MS"  # tests lower the wait to see a locked file quickly
_MIGRATION_LOCK = 0x616E6E6F  # "anno": PostgreSQL advisory lock key for migrations
# Tables only annotator makes: a database holding none of them (but others) is someone else's.
OUR_TABLES = frozenset(Base.metadata.tables)
_CORRUPT = ("database disk image is malformed",)

__all__ = [
    "ENV_VAR",
    "AuthenticationFailed",
    "CorruptDatabase",
    "Database",
    "default_url",
    "normalise_url",
    "sqlite_url",
]


def normalise_url(url_or_path: str) -> str:
    """Accept a SQLAlchemy URL or a plain path to a SQLite file."""
    return url_mod.as_text(url_mod.parse(url_or_path))


class AuthenticationFailed(AnnotatorError):
    """The server wants a password it was not given (or a different one)."""


class CorruptDatabase(AnnotatorError):
    """SQLite found damaged pages: the user should run ``annotator db check``."""


class Database:
    """An engine plus short-lived sessions. Reads and writes each get their own transaction.

    Opening only reads unless the tables must be made or upgraded: a database that is up to date
    opens while another process holds the write lock (a long import, say). ``must_exist`` is for
    commands that only read: a mistyped path is an error, never a new empty file.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        migrate: bool = True,
        must_exist: bool = False,
        backup: bool = False,
        backup_later: bool = False,
    ) -> None:
        self.url_object = url_mod.parse(default_url() if url is None else url)
        self.url = url_mod.as_text(self.url_object)
        self.is_sqlite = self.url_object.get_backend_name() == "sqlite"
        self.path = Path(self.url_object.database or "") if self.is_sqlite else None
        self.warnings: list[str] = []
        # The daily copy that ``backup_later`` left for ``make_due_backup``: (file, last change).
        self.backup_due: tuple[Path, float] | None = None
        is_file_path = self.path is not None and not str(self.path).startswith("file:")
        if must_exist and is_file_path and not self.path.is_file():  # type: ignore[union-attr]
            raise AnnotatorError(f"no database at {self.path}")
        try:
            if self.path is not None and not must_exist:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = _create_engine(self.url_object, self.is_sqlite)
        except (OSError, SQLAlchemyError) as exc:
            raise _cannot_open(self.display_name, exc) from None
        # Writers on SQLite take the write lock at BEGIN, so two processes never deadlock
        # upgrading read locks ("database is locked"); they queue on the busy timeout instead.
        self._write_engine = self.engine.execution_options(begin_mode="IMMEDIATE")
        self._read_sessions = _session_maker(self.engine)
        self._write_sessions = _session_maker(self._write_engine)
        # Only an existing file opened for writing gets its daily copy: (the file, its last
        # change). The change time is read before any connection: opening a WAL database
        # touches its -wal and -shm files.
        path = self.path if backup and not must_exist else None
        due = _backup_due(path) if path is not None else None
        if migrate:
            try:
                with self.guard(opening=True):
                    self._open(must_exist)
            except (OSError, SQLAlchemyError) as exc:
                self.engine.dispose()
                raise _cannot_open(self.display_name, exc) from None
            except BaseException:  # e.g. a newer revision: no pooled connection left open
                self.engine.dispose()
                raise
            if due is not None and backup_later:
                self.backup_due = due
            elif due is not None:
                warning = _automatic_backup(*due)
                if warning:
                    self.warnings.append(warning)

    def make_due_backup(self) -> str | None:
        """Make the daily copy an open with ``backup_later`` left due; the warning if it failed.

        The window opens its first document first and calls this on a worker thread: the copy
        of a large file (0.2-0.4 s for 114 MB, seconds for a gigabyte) then holds no start-up.
        Safe beside the window's writes: it reads through a connection of its own, and SQLite's
        backup API copies one consistent snapshot while a WAL database goes on being written.
        """
        due, self.backup_due = self.backup_due, None
        return None if due is None else _automatic_backup(*due)

    @property
    def display_name(self) -> str:
        return url_mod.display(self.url_object)

    @property
    def remembered_url(self) -> str:
        """The URL to store in settings or show in a menu: never with the password."""
        return url_mod.without_password(self.url_object)

    def _open(self, must_exist: bool) -> None:
        """Check, in a read transaction, that the database is ours; upgrade only when needed."""
        from annotator.core.storage.migrations import HEAD, current_revision

        with self.engine.connect() as conn, conn.begin():
            tables = set(inspect(conn).get_table_names())
            revision = current_revision(conn)
        if revision == HEAD:
            return
        ours = tables & OUR_TABLES
        if not tables:
            if must_exist:
                raise AnnotatorError(f"no annotator database in {self.display_name}: it is empty")
        elif not ours:
            raise AnnotatorError(
                f"{self.display_name} is not an annotator database (it holds other tables: "
                f"{', '.join(sorted(tables)[:5])}); it was left untouched"
            )
        if self.is_sqlite:
            raw = self.engine.raw_connection()
            try:
                cur = raw.cursor()
                _use_wal(cur, SQLITE_BUSY_TIMEOUT_MS / 1000)
                cur.close()
            finally:
                raw.close()
        self.migrate()

    def migrate(self) -> None:
        """Bring the tables to the newest revision; safe when several processes open at once."""
        from annotator.core.storage.migrations import upgrade_to_head

        with self._write_engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            upgrade_to_head(conn)

    @contextmanager
    def guard(self, *, opening: bool = False) -> Iterator[None]:
        """The database's own refusals as one line a user can act on, never a traceback.

        A damaged SQLite file names ``db check``; a lock held past the busy timeout is a
        ``BusyError`` (trying again can work); anything else the database refused (a full
        disk, a read-only file, a lost server) is a ``StorageError``. In every case the
        transaction was rolled back: nothing of it was saved. While ``opening``, only damage is
        told here: the open path words every other failure as "cannot open".
        """
        try:
            yield
        except (sqlite3.DatabaseError, DBAPIError) as exc:
            # The driver's own cursor (the fast paths) raises sqlite3's errors unwrapped.
            orig = exc.orig if isinstance(exc, DBAPIError) else exc
            reason = _first_line(orig)
            if self.is_sqlite and any(word in reason for word in _CORRUPT):
                raise CorruptDatabase(
                    f"the database {self.path} is damaged ({reason}); "
                    f"run `annotator --db {self.path} db check` and restore a backup"
                ) from None
            if opening or not isinstance(exc, DBAPIError):
                raise
            if isinstance(exc, OperationalError):
                lowered = reason.lower()
                if "locked" in lowered or "busy" in lowered or "lock timeout" in lowered:
                    raise BusyError(
                        "the database is busy (another program is writing); "
                        "the change was not saved, try again"
                    ) from exc
            if isinstance(exc, OperationalError | InternalError):
                where = self.path if self.is_sqlite else self.display_name
                raise StorageError(
                    f"the database {where} refused the change ({reason}); the change was not saved"
                ) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.guard(), self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self, busy_timeout_ms: int | None = None) -> Iterator[Session]:
        """A session whose work is committed when the block ends, or rolled back on error.

        ``busy_timeout_ms`` bounds how long this write queues behind another process's write
        lock (default: the connection's 30 s): the window passes a short wait so that a key
        press never freezes it, and retries the refused edit itself.
        """
        with self.guard(), self._write_sessions() as session, session.begin():
            if busy_timeout_ms is not None:
                # given to the connection before its BEGIN (the "begin" event sets SQLite's wait)
                session.connection(execution_options={"busy_timeout_ms": int(busy_timeout_ms)})
                if not self.is_sqlite:
                    session.execute(text(f"SET LOCAL lock_timeout = '{int(busy_timeout_ms)}ms'"))
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _session_maker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose rows stay readable after commit: callers use them after the block."""
    return sessionmaker(engine, expire_on_commit=False)


def _first_line(exc: object) -> str:
    """An error's first line of text, or its type's name when it has none."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _cannot_open(shown: str, exc: BaseException) -> AnnotatorError:
    """A server that is down, a folder that cannot be made: one line, no traceback."""
    error = _reason(exc)
    if not shown.startswith("sqlite:") and "password" in error.lower():
        return AuthenticationFailed(f"cannot open the database {shown}: {error}")
    return AnnotatorError(f"cannot open the database {shown}: {error}")


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, OSError) and cause.strerror:
        reason = f"{cause.strerror}: {cause.filename}" if cause.filename else cause.strerror
    else:
        reason = _first_line(cause)
    return reason


def _backup_due(path: Path) -> tuple[Path, float] | None:
    """(file, its last change) when it can have a daily copy: a file that is not empty. A
    ``-wal`` removed meanwhile by another process's last close is no reason to refuse the open:
    no copy is due then (the next open makes it)."""
    try:
        return (path, last_change(path)) if path.is_file() and path.stat().st_size else None
    except OSError:
        return None


def _automatic_backup(path: Path, changed: float) -> str | None:
    """A daily copy into ``backups/`` beside the file; a failure warns, never stops work."""
    from annotator.core.storage.backups import rolling_backup

    try:
        rolling_backup(path, changed)
    except (AnnotatorError, OSError, sqlite3.Error) as exc:
        return f"no automatic backup of {path} was made: {_first_line(exc)}"
    return None


def _use_wal(cur: Any, wait_s: float) -> None:
    """Switch a database to WAL, waiting out other processes doing the same.

    Switching needs an exclusive lock, which SQLite can refuse at once, without its busy
    handler, while several desktops open a brand-new file together. A "database is locked"
    on first open was seen once in a full test run (six processes on a new file, the machine
    loaded) and not reproduced since; this retry is the defence for the likeliest cause.
    Already in WAL (every later open), the pragma only reads. Gives up after ``wait_s``.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _busy_timeout_ms() -> int:
    """How long a writer queues for the lock: ``$ANNOTATOR_SQLITE_BUSY_MS`` or 30 s."""
    return int(os.environ.get(BUSY_ENV_VAR) or SQLITE_BUSY_TIMEOUT_MS)


def _create_engine(url: URL, is_sqlite: bool) -> Engine:
    from annotator.core.domain.jsonio import dumps_text, loads
    from annotator.core.domain.regex_prefilter import may_match_utf8

    if not is_sqlite:
        try:
            return create_engine(
                url, pool_pre_ping=True, json_serializer=dumps_text, json_deserializer=loads
            )
        except ModuleNotFoundError as exc:
            raise AnnotatorError(
                f"cannot open {url_mod.display(url)}: the driver {exc.name!r} is not installed "
                "(pip install 'annotator[postgres]')"
            ) from None
    engine = create_engine(url, json_serializer=dumps_text, json_deserializer=loads)
    default_wait = _busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is too late/lazy).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {default_wait}")
        record.info["busy_timeout_ms"] = default_wait
        cur.execute("PRAGMA foreign_keys = ON")
        # WAL is switched on once, by the open that makes or upgrades our tables (it persists in
        # the file): never on every connection, which would change another program's database.
        # FULL: a commit is on disk before the call returns, even across a power cut.
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()
        # The search's quick scan, run on each text's bytes before SQLite decodes it for Python.
        dbapi_conn.create_function(MAY_MATCH_SQL, 2, may_match_utf8, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        options = conn.get_execution_options()
        # A write may ask for its own busy wait (Database.write); the pooled connection keeps
        # the value it was last given, so set it only when it differs (a pragma, no I/O).
        wait = int(options.get("busy_timeout_ms", default_wait))
        if conn.info.get("busy_timeout_ms") != wait:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
            conn.info["busy_timeout_ms"] = wait
        conn.exec_driver_sql(f"BEGIN {options.get('begin_mode', 'DEFERRED')}")

    return engine
