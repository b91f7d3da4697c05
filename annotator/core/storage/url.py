"""Turning what the user typed (a URL or a plain file path) into exactly the database they named.

A plain path is never parsed as a URL: ``what?.sqlite3`` is that file, not ``what`` with a query
string, and ``a%20b.sqlite3`` is not ``a b.sqlite3``. An in-memory or empty URL is refused, since
whatever were written to it would vanish at exit while the command reported success.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import DATABASE_ENV_VAR as ENV_VAR


class NoDatabaseFile(AnnotatorError):
    """A database URL that names no file: empty, or SQLite's in-memory database."""


LAST_OPENED = "the database the window last opened"
DEFAULT_FILE = "the default file in your user data folder"


def default_url() -> str:
    """The database when none is named: see ``default_choice``."""
    return default_choice()[0]


def default_choice() -> tuple[str, str]:
    """(URL, why): ``$ANNOTATOR_DB`` if set, else the database the window last opened (so the
    window and the command line work on the same one), else a SQLite file in the user's data
    folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR], f"${ENV_VAR}"
    from annotator.core.storage.last_opened import last_opened

    last = last_opened()
    if last is not None:
        return last, LAST_OPENED
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("annotator", appauthor=False))
    return sqlite_url(folder / "annotator.sqlite3"), DEFAULT_FILE


def sqlite_url(path: str | Path) -> str:
    """A URL string that reopens exactly ``path`` (special characters are escaped)."""
    return as_text(path_url(path))


# "scheme://user:password@": the password part, hidden when an unreadable URL is repeated.
_PASSWORD = re.compile(r"(://[^/@:]*:)[^@]*@")


def path_url(path: str | Path) -> URL:
    return URL.create(drivername="sqlite", database=str(Path(path).expanduser().resolve()))


def parse(url_or_path: str) -> URL:
    """The URL for ``url_or_path``; anything without ``://`` is a SQLite file path."""
    if not url_or_path.strip():
        raise NoDatabaseFile(
            "the database URL is empty; give a file path or a URL such as sqlite:///path"
        )
    if "://" not in url_or_path:
        return path_url(url_or_path)
    try:
        url = make_url(url_or_path)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        shown = _PASSWORD.sub(r"\1***@", url_or_path)  # an unreadable URL may still hold one
        reason = str(exc).replace(url_or_path, shown)
        raise AnnotatorError(f"cannot open the database {shown!r}: {reason}") from None
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        in_memory = (
            database in ("", ":memory:")
            or database.startswith("file::memory:")
            or url.query.get("mode") == "memory"
        )
        if in_memory:
            raise NoDatabaseFile(
                f"{url_or_path!r} is an in-memory database: nothing written to it would be kept; "
                "give a file path or sqlite:///path"
            )
        if database.startswith("file:"):  # an SQLite URI filename: passed on as written
            return url
        return url._replace(database=str(Path(database).expanduser().resolve()))
    return url


def as_text(url: URL) -> str:
    """``url`` as a string that reopens it, password included (SQLAlchemy's default hides it)."""
    return url.render_as_string(hide_password=False)


def without_password(url: URL) -> str:
    """The URL to remember or show: the password is never stored, the driver finds it again."""
    return as_text(url._replace(password=None))


def display(url: URL) -> str:
    """How a database is named in messages: the file path as is, or the URL without password."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database}"
    return url.render_as_string(hide_password=True)


def forget_password(url_or_path: str) -> str:
    """``url_or_path`` fit to remember: a URL loses its password, a file path stays as is."""
    if "://" not in url_or_path:
        return url_or_path
    try:
        return without_password(make_url(url_or_path))
    except (ArgumentError, ValueError):
        return ""  # unreadable: not remembered at all, lest it hold a password


def with_password(url: str, password: str) -> str:
    """``url`` with ``password``: for one open, kept in memory only, never stored."""
    return as_text(make_url(url).set(password=password))
