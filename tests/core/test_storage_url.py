"""What the user typed for a database, and how that database is named back to them.

A URL shown or remembered must never carry a password; a plain path is that file; an in-memory
or empty URL is refused with a message that says what to give instead (the work would vanish).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from annotator.core.domain.errors import AnnotatorError
from annotator.core.storage import url as url_mod
from annotator.core.storage.url import NoDatabaseFile

SERVER = "postgresql+psycopg://lead:s3cret@db.example.org:5432/team"


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_url_is_refused_saying_what_to_give(typed: str) -> None:
    with pytest.raises(NoDatabaseFile) as info:
        url_mod.parse(typed)
    assert str(info.value) == (
        "the database URL is empty; give a file path or a URL such as sqlite:///path"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file::memory:?cache=shared",
        "sqlite:///file:team?mode=memory&uri=true",
    ],
)
def test_an_in_memory_database_is_refused_since_nothing_would_be_kept(typed: str) -> None:
    with pytest.raises(NoDatabaseFile) as info:
        url_mod.parse(typed)
    assert str(info.value) == (
        f"{typed!r} is an in-memory database: nothing written to it would be kept; "
        "give a file path or sqlite:///path"
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("not a url://x", "Could not parse SQLAlchemy URL from given URL string"),
        (
            "postgresql://lead@host:notaport/db",
            "invalid literal for int() with base 10: 'notaport'",
        ),
    ],
)
def test_a_url_sqlalchemy_cannot_read_is_named_in_the_refusal(typed: str, reason: str) -> None:
    """A port that is not a number was a traceback (a ValueError), not this one line."""
    with pytest.raises(AnnotatorError) as info:
        url_mod.parse(typed)
    assert str(info.value) == f"cannot open the database {typed!r}: {reason}"


def test_an_unreadable_url_is_repeated_without_its_password() -> None:
    typed = "postgresql://lead:s3cret@host:notaport/db"
    with pytest.raises(AnnotatorError) as info:
        url_mod.parse(typed)
    said = str(info.value)
    assert "s3cret" not in said
    assert said == (
        "cannot open the database 'postgresql://lead:***@host:notaport/db': "
        "invalid literal for int() with base 10: 'notaport'"
    )


def test_a_relative_sqlite_url_becomes_the_absolute_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    parsed = url_mod.parse("sqlite:///team.sqlite3")
    assert parsed.database == str(tmp_path / "team.sqlite3")
    # A plain path with URL-looking characters is that very file, not a query string.
    odd = url_mod.parse("what?.sqlite3")
    assert odd.database == str(tmp_path / "what?.sqlite3")


def test_an_sqlite_uri_filename_is_passed_on_as_written() -> None:
    parsed = url_mod.parse("sqlite:///file:team.sqlite3?mode=ro&uri=true")
    assert parsed.database == "file:team.sqlite3"
    assert parsed.query == {"mode": "ro", "uri": "true"}


def test_a_server_url_is_kept_as_given() -> None:
    parsed = url_mod.parse(SERVER)
    assert (parsed.host, parsed.database, parsed.password) == ("db.example.org", "team", "s3cret")


def test_a_file_path_url_reopens_exactly_that_file(tmp_path: Path) -> None:
    path = tmp_path / "a b%20#c.sqlite3"
    made = url_mod.sqlite_url(path)
    assert made.startswith("sqlite:///")
    assert url_mod.parse(made).database == str(path)


def test_messages_name_a_server_without_its_password_and_a_file_by_its_path(
    tmp_path: Path,
) -> None:
    assert url_mod.display(make_url(SERVER)) == (
        "postgresql+psycopg://lead:***@db.example.org:5432/team"
    )
    file = url_mod.parse(str(tmp_path / "team.sqlite3"))
    assert url_mod.display(file) == f"sqlite:///{tmp_path / 'team.sqlite3'}"
    odd = tmp_path / "a b%20#c?.sqlite3"  # shown as the path is, not URL-escaped
    assert url_mod.display(url_mod.parse(str(odd))) == f"sqlite:///{odd}"


def test_what_is_remembered_never_holds_the_password() -> None:
    assert url_mod.without_password(make_url(SERVER)) == (
        "postgresql+psycopg://lead@db.example.org:5432/team"
    )
    assert url_mod.forget_password(SERVER) == "postgresql+psycopg://lead@db.example.org:5432/team"
    assert url_mod.forget_password("/home/me/team.sqlite3") == "/home/me/team.sqlite3"
    # Unreadable: nothing at all is remembered, lest it hold a password.
    assert url_mod.forget_password("postgresql://lead:pw@host:notaport/db") == ""


def test_the_password_typed_for_one_open_is_in_the_url_used() -> None:
    remembered = "postgresql+psycopg://lead@db.example.org/team"
    assert url_mod.with_password(remembered, "pa:ss") == (
        "postgresql+psycopg://lead:pa%3Ass@db.example.org/team"
    )
