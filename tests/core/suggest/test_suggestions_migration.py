"""Migration 0007: a database from before suggestions (0004) opens with its data intact and
takes suggestions; the migration goes down and up again, and tolerates a table already there."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from annotator.core.services.workspace import Workspace
from annotator.core.storage.migrations import HEAD, alembic_config
from annotator.core.storage.models import Base
from tests.core.suggest.suggestion_helpers import MISSILES, TEXT

BEFORE = "0004"
NEW_TABLES = {"suggestions", "suggestion_decisions"}


def at_revision(url: str, revision: str, *, downgrade: bool = False) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if downgrade:
            command.downgrade(alembic_config(conn), revision)
        else:
            command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def old_database_with_work(url: str) -> None:
    """Rows as 0004 left them: a document, alice, a schema, her weapon, done (ids from the
    database's own sequences, as the program would have made them)."""
    at_revision(url, BEFORE)
    engine = create_engine(url)
    now = {"now": "2026-01-01 00:00:00"}
    with engine.begin() as conn:

        def insert(sql: str, **values: object) -> int:
            return int(conn.execute(text(sql + " RETURNING id"), {**now, **values}).scalar_one())

        doc = insert(
            "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
            "VALUES ('old', '', :t, :n, '{}', 'h', :now)",
            t=TEXT,
            n=len(TEXT),
        )
        alice = insert(
            "INSERT INTO annotators (name, kind, created_at) VALUES ('alice', 'person', :now)"
        )
        schema = insert(
            "INSERT INTO schemas (name, version, sha256, text, created_at) "
            "VALUES ('old', '1', 'x', '', :now)"
        )
        insert(
            'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
            "attributes, created_at, updated_at) VALUES (:d, :a, :s, :b, :e, 'WEAPON', "
            '\'{"weapon_type": "other"}\', :now, :now)',
            d=doc,
            a=alice,
            s=schema,
            b=MISSILES[0],
            e=MISSILES[1],
        )
        conn.execute(
            text(
                "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                "VALUES (:d, :a, 'done', :now)"
            ),
            {**now, "d": doc, "a": alice},
        )
    engine.dispose()


def test_a_0004_database_opens_with_its_work_and_takes_suggestions(db_url: str) -> None:
    old_database_with_work(db_url)
    assert not NEW_TABLES & tables(db_url)
    with Workspace(db_url) as ws:
        (span,) = ws.annotations("alice").spans(1)
        assert (span.start, span.end, span.attributes) == (*MISSILES, {"weapon_type": "other"})
        assert ws.documents.statuses(1) == {"alice": "done"}
        report = ws.suggestions().compute(engines=["patterns"])
        assert report.spans == {"patterns": 3}
        result = ws.suggestions().accept_span("alice", ws.suggestions().open_frames(1)[0].head.id)
        assert result.reused == (span.id,)  # the same weapon: her span, not a second one
    assert tables(db_url) >= NEW_TABLES


def test_0007_goes_down_and_up_again_keeping_everything_else(db_url: str) -> None:
    old_database_with_work(db_url)
    with Workspace(db_url) as ws:
        ws.suggestions().compute(engines=["patterns"])
    at_revision(db_url, BEFORE, downgrade=True)
    assert not NEW_TABLES & tables(db_url)
    with Workspace(db_url) as ws:  # opening upgrades again
        assert len(ws.annotations("alice").spans(1)) == 1
        assert len(ws.annotations("suggestions").spans(1)) == 3  # the layer's rows stayed
        # The layer's rows lost their engine data: they become the engine "imported"'s,
        # and the patterns run finds the same spans again.
        ws.suggestions().compute(engines=["patterns"])
        found = ws.suggestions().suggestions(1)
        assert {s.engines for s in found} == {("imported", "patterns")}
        assert len(found) == 3
    assert tables(db_url) >= NEW_TABLES


def test_a_table_already_there_is_left_as_it_is(db_url: str) -> None:
    at_revision(db_url, BEFORE)
    engine = create_engine(db_url)
    Base.metadata.tables["suggestions"].create(engine)
    engine.dispose()
    at_revision(db_url, HEAD)
    assert tables(db_url) >= NEW_TABLES
