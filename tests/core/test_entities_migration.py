"""Migration 0005 (the entity registry) upgrades a database with work in it, and goes back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from annotator.core.services.workspace import Workspace
from annotator.core.storage.migrations import HEAD, alembic_config
from tests.core.test_entities import ONE, speaker
from tests.core.test_migrations import versions

TABLES = {"entities", "entity_aliases", "mention_entities"}


def _migrate(url: str, revision: str, down: bool = False) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_a_0004_database_with_work_gains_the_registry_and_keeps_its_spans(db_url: str) -> None:
    with Workspace(db_url) as ws:  # work as it was at 0004: a document and a speaker
        doc = ws.documents.add(ONE, key="one").id
        span = speaker(ws, "alice", doc, ONE, "He")
    _migrate(db_url, "0004", down=True)
    assert versions(db_url) == ["0004"] and not TABLES & _tables(db_url)
    with Workspace(db_url) as ws:  # opening upgrades it
        assert versions(db_url) == [HEAD] and _tables(db_url) >= TABLES
        alice = ws.annotations("alice")
        assert [s.id for s in alice.spans(doc)] == [span]
        ws.entities().link_new(alice, span, "Aziz Nasirzadeh")
        assert ws.entities().all()[0].mentions == 1
    # and back down: the registry goes, the annotations stay
    _migrate(db_url, "0004", down=True)
    assert not TABLES & _tables(db_url)
    with Workspace(db_url) as ws:
        assert [s.id for s in ws.annotations("alice").spans(doc)] == [span]
        assert ws.entities().all() == []
