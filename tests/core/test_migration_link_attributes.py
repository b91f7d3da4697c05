"""Migration 0006 gives every existing link, live and archived, empty values, and goes back."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text

from annotator.core.services.workspace import Workspace
from annotator.core.storage.migrations import alembic_config


def _at_0004_with_a_link(url: str) -> tuple[int, int]:
    """A database at revision 0004 holding one link and one archived link, written as 0004's
    code did (no attributes column)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0004")
        conn.execute(
            text(
                "INSERT INTO documents (id, key, title, text, length, meta, "
                "content_hash, created_at) VALUES (1, 'k', 't', 'Iran threatens "
                "Israel.', 22, '{}', 'h', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO annotators (id, name, kind, created_at) VALUES "
                "(1, 'alice', 'person', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO schemas (id, name, version, sha256, text, created_at) "
                "VALUES (1, 's', '1', 'x', 'name: s', CURRENT_TIMESTAMP)"
            )
        )
        for ident, start, end, label in ((1, 0, 22, "STATEMENT"), (2, 14, 20, "TARGET")):
            conn.execute(
                text(
                    "INSERT INTO spans (id, document_id, annotator_id, schema_id, start, "
                    '"end", label, attributes, created_at, updated_at) VALUES (:i, 1, 1, 1, '
                    ":s, :e, :l, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"i": ident, "s": start, "e": end, "l": label},
            )
        conn.execute(
            text(
                "INSERT INTO relations (id, document_id, annotator_id, schema_id, "
                "label, source_id, target_id, created_at) VALUES (7, 1, 1, 1, "
                "'aimed_at', 1, 2, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO archived_relations (id, document_id, annotator_id, "
                "label, source_id, target_id, created_at, schema_name, "
                "schema_version, reason, archived_at) VALUES (8, 1, 1, 'about', 1, "
                "2, CURRENT_TIMESTAMP, 's', '1', 'archived', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    return 7, 8


def archived(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT attributes FROM archived_relations"))]
    finally:
        engine.dispose()


def test_a_0004_database_with_links_upgrades_and_its_links_take_values(db_url: str) -> None:
    live, _ = _at_0004_with_a_link(db_url)
    with Workspace(db_url) as ws:  # opening upgrades to head
        alice = ws.annotations("alice")
        (link,) = alice.relations(1)
        assert (link.id, link.attributes) == (live, {})
        alice.set_relation_attribute(live, "stance_toward", "threatens")
    values = [v if isinstance(v, dict) else json.loads(str(v)) for v in archived(db_url)]
    assert values == [{}]
    with Workspace(db_url) as ws:
        assert ws.annotations("alice").relations(1)[0].attributes == {"stance_toward": "threatens"}
    if db_url.startswith("sqlite"):
        # SQLite copied the table: new links still take ids never given (AUTOINCREMENT kept).
        with Workspace(db_url) as ws:
            alice = ws.annotations("alice")
            alice.unlink(live)
            assert alice.link(1, 2, "aimed_at").id > live


def test_the_migration_goes_back_to_0004_keeping_the_links(db_url: str) -> None:
    _at_0004_with_a_link(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0006")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, label FROM relations")).all()
        columns = conn.execute(text("SELECT * FROM relations")).keys()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(7, "aimed_at")]
    assert "attributes" not in list(columns)
