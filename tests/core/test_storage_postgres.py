"""Opening a PostgreSQL database in the test's own process: what only a server shows.

A real server (``pg_server_url``: started by the tests, or ``$ANNOTATOR_TEST_PG_URL``), each
test on its own new database. In-process, so that the mutation job sees a planted bug in
``db.py``'s PostgreSQL code.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from annotator.core.storage.db import Database
from annotator.core.storage.models import Document
from tests.conftest import fresh_pg_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(pg_server_url: str) -> Iterator[Database]:
    opened = Database(fresh_pg_database(pg_server_url))
    try:
        yield opened
    finally:
        opened.close()


def add_document(database: Database, key: str, meta: dict[str, str] | None = None) -> None:
    with database.write() as session:
        text_ = f"Text of {key}."
        session.add(
            Document(
                key=key,
                title=key,
                text=text_,
                length=len(text_),
                content_hash=f"h-{key}",
                meta=meta or {},
            )
        )


def keys(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.execute(text("SELECT key FROM documents ORDER BY key")).scalars())


def test_the_next_edit_after_the_server_dropped_our_connection_is_saved(
    database: Database, pg_server_url: str
) -> None:
    """A server restart or an idle timeout closes the pooled connection between two edits: the
    next edit finds out before using it and connects again, instead of failing once."""
    add_document(database, "before")
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            dropped = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database.url_object.database},
            ).scalar()
    finally:
        admin.dispose()
    assert dropped >= 1  # the pooled connection was there, and is gone now
    add_document(database, "after")
    assert keys(database) == ["after", "before"]


def test_values_are_stored_as_compact_utf8_json(database: Database) -> None:
    """What psql or another tool reading the table sees: the text as written, no escapes."""
    add_document(database, "a", {"source": "Zürich"})
    with database.read() as session:
        assert session.execute(text("SELECT meta::text FROM documents")).scalar() == (
            '{"source":"Zürich"}'
        )
        assert session.get(Document, 1).meta == {"source": "Zürich"}  # type: ignore[union-attr]


def test_reopening_an_up_to_date_database_keeps_its_rows(pg_server_url: str) -> None:
    url = fresh_pg_database(pg_server_url)
    first = Database(url)
    try:
        add_document(first, "kept")
    finally:
        first.close()
    again = Database(url)
    try:
        assert keys(again) == ["kept"]
    finally:
        again.close()
