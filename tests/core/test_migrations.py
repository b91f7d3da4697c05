"""Opening a database brings it to this version's tables, and never misreads a newer one."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from annotator.cli.main import main
from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace
from annotator.core.storage.db import Database
from annotator.core.storage.fulltext import is_index_object
from annotator.core.storage.migrations import alembic_config
from annotator.core.storage.models import Base

FIRST = "0001"


def head() -> str:
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None
    return found


def versions(url: str) -> list[str]:
    """The rows of alembic_version: exactly one when the database is sound."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def test_a_database_at_the_first_revision_is_upgraded_on_open(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), FIRST)
    engine.dispose()
    assert versions(db_url) == [FIRST]
    with Workspace(db_url) as ws:
        doc = ws.documents.add("Headline\nGen. Yılmaz said so.", key="k1")
        span = ws.annotations("alice").create_span(doc.id, 9, 20, "SPEAKER")
    assert versions(db_url) == [head()]
    # Opening again (and again) changes nothing and loses nothing.
    for _ in range(2):
        with Workspace(db_url) as ws:
            assert ws.documents.count() == 1
            assert ws.annotations("alice").spans(doc.id) == [span]
        assert versions(db_url) == [head()]


def test_models_and_migrations_agree(db_url: str) -> None:
    """A model changed without a migration would only break on someone else's database."""
    Database(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    # The text search index is the database's own (FTS5, pg_trgm): no model.
                    "include_object": lambda _obj, name, *_: not is_index_object(name),
                },
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_a_database_from_a_newer_version_is_refused(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Database(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    with pytest.raises(AnnotatorError) as info:
        Database(db_url)
    assert str(info.value) == (
        "this database was made by a newer version of annotator (revision "
        "0099_from_the_future); upgrade annotator to open it"
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db_url, "stats"])
    assert exit_info.value.code == 1
    _, err = capsys.readouterr()
    assert "error: this database was made by a newer version of annotator" in err
    assert "Traceback" not in err
    assert versions(db_url) == ["0099_from_the_future"]  # left as it was
