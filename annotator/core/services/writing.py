"""The services' write path: a database error becomes an error the user can read and act on.

A locked SQLite file (another program writing past the busy timeout) or any other refusal by the
database must reach the window as an ``AnnotatorError``, never as a traceback from a key press.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from annotator.core.domain.errors import BusyError, StorageError
from annotator.core.storage.db import Database

BUSY_MESSAGE = (
    "the database is busy (another program is writing); your edit was not saved, try again"
)


@contextmanager
def guarded_write(db: Database, busy_timeout_ms: int | None = None) -> Iterator[Session]:
    """``db.write()``, with the database's own errors turned into ``BusyError`` or
    ``StorageError``; either way the transaction was rolled back and nothing was saved.

    ``busy_timeout_ms``: how long to queue for another process's write lock before
    ``BusyError`` (None: the database's default, 30 s). The window uses a short wait and
    retries, so that its event loop never blocks for long.
    """
    try:
        with db.write(busy_timeout_ms) as session:
            yield session
    except OperationalError as exc:
        reason = str(exc.orig or exc).lower()  # OperationalError: a DBAPIError, with .orig
        if "locked" in reason or "busy" in reason or "lock timeout" in reason:
            raise BusyError(BUSY_MESSAGE) from exc
        raise StorageError(_refused(exc)) from exc
    except SQLAlchemyError as exc:
        raise StorageError(_refused(exc)) from exc


def _refused(exc: SQLAlchemyError) -> str:
    first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"the database refused the edit ({first}); your edit was not saved"
