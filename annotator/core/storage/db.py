"""Opening a database: SQLite (default) or PostgreSQL, migrated to the current schema on open."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from annotator.core.domain.errors import AnnotatorError

ENV_VAR = "ANNOTATOR_DB"
SQLITE_BUSY_TIMEOUT_MS = 30_000
BUSY_ENV_VAR = "ANNOTATOR_SQLITE_BUSY_MS"  # tests lower the wait to see a locked file quickly
_MIGRATION_LOCK = 0x616E6E6F  # "anno": PostgreSQL advisory lock key for migrations


def default_url() -> str:
    """``$ANNOTATOR_DB`` if set, else a SQLite file in the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("annotator", appauthor=False))
    return sqlite_url(folder / "annotator.sqlite3")


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def normalise_url(url_or_path: str) -> str:
    """Accept a SQLAlchemy URL or a plain path to a SQLite file."""
    if "://" in url_or_path:
        return url_or_path
    return sqlite_url(url_or_path)


class Database:
    """An engine plus short-lived sessions. Reads and writes each get their own transaction."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = normalise_url(url or default_url())
        try:
            parsed = make_url(self.url)
            self.is_sqlite = parsed.get_backend_name() == "sqlite"
            if self.is_sqlite and parsed.database not in (None, "", ":memory:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _create_engine(self.url, self.is_sqlite)
        except (OSError, SQLAlchemyError) as exc:
            raise _cannot_open(self.url, exc) from None
        # Writers on SQLite take the write lock at BEGIN, so two processes never deadlock
        # upgrading read locks ("database is locked"); they queue on the busy timeout instead.
        self._write_engine = self.engine.execution_options(begin_mode="IMMEDIATE")
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._short_writes: dict[int, sessionmaker[Session]] = {}
        if migrate:
            try:
                self.migrate()
            except (OSError, SQLAlchemyError) as exc:
                self.engine.dispose()
                raise _cannot_open(self.url, exc) from None
            except BaseException:  # e.g. a newer revision: no pooled connection left open
                self.engine.dispose()
                raise

    @property
    def display_name(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the tables to the newest revision; safe when several processes open at once."""
        from annotator.core.storage.migrations import upgrade_to_head

        with self._write_engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            upgrade_to_head(conn)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self, busy_timeout_ms: int | None = None) -> Iterator[Session]:
        """A session whose work is committed when the block ends, or rolled back on error.

        ``busy_timeout_ms`` bounds how long this write queues behind another process's write
        lock (default: the connection's 30 s): the window passes a short wait so that a key
        press never freezes it, and retries the refused edit itself.
        """
        with self._write_maker(busy_timeout_ms)() as session, session.begin():
            if busy_timeout_ms is not None and not self.is_sqlite:
                session.execute(text(f"SET LOCAL lock_timeout = '{int(busy_timeout_ms)}ms'"))
            yield session

    def _write_maker(self, busy_timeout_ms: int | None) -> sessionmaker[Session]:
        if busy_timeout_ms is None:
            return self._write_sessions
        maker = self._short_writes.get(busy_timeout_ms)
        if maker is None:
            engine = self._write_engine.execution_options(busy_timeout_ms=int(busy_timeout_ms))
            maker = self._short_writes[busy_timeout_ms] = sessionmaker(
                engine, expire_on_commit=False
            )
        return maker

    def close(self) -> None:
        self.engine.dispose()


def _cannot_open(url: str, exc: BaseException) -> AnnotatorError:
    """A server that is down, a folder that cannot be made: one line, no traceback."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        shown = repr(url)
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, OSError) and cause.strerror:
        reason = f"{cause.strerror}: {cause.filename}" if cause.filename else cause.strerror
    else:
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return AnnotatorError(f"cannot open the database {shown}: {reason}")


def _use_wal(cur: Any) -> None:
    """Switch a database to WAL, waiting out other processes doing the same.

    Switching needs an exclusive lock, which SQLite can refuse at once, without its busy
    handler, while several desktops open a brand-new file together. A "database is locked"
    on first open was seen once in a full test run (six processes on a new file, the machine
    loaded) and not reproduced since; this retry is the defence for the likeliest cause.
    Already in WAL (every later open), the pragma only reads.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
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


def _create_engine(url: str, is_sqlite: bool) -> Engine:
    from annotator.core.domain.jsonio import dumps_text, loads

    if not is_sqlite:
        try:
            return create_engine(
                url, pool_pre_ping=True, json_serializer=dumps_text, json_deserializer=loads
            )
        except ModuleNotFoundError as exc:
            raise AnnotatorError(
                f"cannot open {url.split('@')[-1]}: the driver {exc.name!r} is not installed "
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
        _use_wal(cur)
        # FULL: a commit is on disk before the call returns, even across a power cut.
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

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
