"""The database the window last opened (File > Open), kept where the command line finds it too.

A user who opens ``team.sqlite3`` in the window and then types ``annotator stats`` means that
database, not another one: so the default of both is this one, after ``--db`` and
``$ANNOTATOR_DB``. It is a one-line file in the user's config folder, never with a password.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

FILE_NAME = "last-database"


def last_opened_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("annotator", appauthor=False)) / FILE_NAME


def last_opened() -> str | None:
    """The URL the window last opened; None if none was, or if that SQLite file is gone."""
    try:
        url = last_opened_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not url:
        return None
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return None
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None  # moved or deleted since: fall back to the default, never re-create it
    return url


def remember_opened(url: str) -> None:
    """Make ``url`` (without its password) the default of the window and the command line."""
    from annotator.core.storage.url import forget_password, sqlite_url

    # A plain file path (File > Open's old setting) is kept as the URL that reopens it:
    # the reader below takes URLs only.
    url = forget_password(url) if "://" in url or not url.strip() else sqlite_url(url)
    if not url:
        return
    file = last_opened_file()
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(url + "\n")
        os.replace(scratch, file)  # a reader sees the old line or the new one, never half
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
