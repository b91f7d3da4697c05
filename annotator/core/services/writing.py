"""The services' write path: a database error becomes an error the user can read and act on.

``Database.guard`` already words what the database itself refused (a lock held past the busy
wait: ``BusyError``; a full disk or a read-only file: ``StorageError``). What is left here is
what the rules did not foresee, such as a constraint another desktop's write now violates: it
too must reach the window as an ``AnnotatorError``, never as a traceback from a key press.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from annotator.core.domain.errors import StorageError
from annotator.core.storage.db import Database


@contextmanager
def guarded_write(db: Database, busy_timeout_ms: int | None = None) -> Iterator[Session]:
    """``db.write()`` whose every failure is an ``AnnotatorError``; either way the transaction
    was rolled back and nothing was saved.

    ``busy_timeout_ms``: how long to queue for another process's write lock before
    ``BusyError`` (None: the database's default, 30 s). The window uses a short wait and
    retries, so that its event loop never blocks for long.
    """
    try:
        with db.write(busy_timeout_ms) as session:
            yield session
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__]
        raise StorageError(
            f"the database refused the edit ({first[0]}); your edit was not saved"
        ) from exc
