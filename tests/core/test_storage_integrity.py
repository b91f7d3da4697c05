"""``db check``'s two checks, each problem found and named in a line a user can act on.

The damage is real: two indexes of a real database swapped (SQLite's own check lists the rows
each index misses), rows whose parent is gone (written with foreign keys off, as another
program or a hand edit could), a file that is no database at all. The orphan queries are the
check PostgreSQL gets; they run on any server, so a SQLite file shows what they find.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.core.services.workspace import Workspace
from annotator.core.storage.db import Database
from annotator.core.storage.integrity import orphan_problems, sqlite_problems

TEXT = "“We will respond,” the general said."


def make_database(path: Path) -> Path:
    """One document, a statement linked to its speaker: a row in every table the check reads."""
    with Workspace(str(path)) as ws:
        doc = ws.documents.add(TEXT, key="doc")
        service = ws.annotations("alice")
        statement = service.create_span(doc.id, 0, 18, "STATEMENT", {"stance": "threatens"})
        speaker = service.create_span(doc.id, 19, 34, "SPEAKER", {})
        service.link(statement.id, speaker.id, "said_by")
    return path


def execute(path: Path, *statements: str) -> None:
    """Plain sqlite3, foreign keys off (its default): what a hand edit could do."""
    con = sqlite3.connect(path)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def swap_relation_indexes(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        roots = dict(
            con.execute(
                "SELECT name, rootpage FROM sqlite_master WHERE type = 'index' "
                "AND name IN ('ix_relations_target', 'ix_relations_doc_annotator')"
            ).fetchall()
        )
        con.execute("PRAGMA writable_schema = ON")
        for name, other in (
            ("ix_relations_target", "ix_relations_doc_annotator"),
            ("ix_relations_doc_annotator", "ix_relations_target"),
        ):
            con.execute(
                "UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (roots[other], name)
            )
        con.commit()
    finally:
        con.close()


def test_a_sound_database_has_no_problems(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    assert sorted(sqlite_problems(db)) == []
    assert orphans(db) == []


def test_damaged_indexes_are_named_with_the_rows_they_miss(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    swap_relation_indexes(db)
    assert sorted(sqlite_problems(db)) == [
        "row 1 missing from index ix_relations_doc_annotator",
        "row 1 missing from index ix_relations_target",
    ]


def test_index_damage_and_orphan_rows_are_both_listed(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    swap_relation_indexes(db)
    execute(db, "DELETE FROM annotators")
    problems = sqlite_problems(db)
    assert sorted(problems[:2]) == [
        "row 1 missing from index ix_relations_doc_annotator",
        "row 1 missing from index ix_relations_target",
    ]
    assert "spans row 1: refers to a missing row in annotators" in problems[2:]
    assert "relations row 1: refers to a missing row in annotators" in problems[2:]


def test_a_file_that_is_no_database_is_one_problem_in_sqlites_words(tmp_path: Path) -> None:
    file = tmp_path / "notes.sqlite3"
    file.write_bytes(b"These are my notes, not a database. " * 200)
    assert sqlite_problems(file) == ["file is not a database"]


def test_orphan_rows_are_counted_per_foreign_key_and_named(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    execute(db, "DELETE FROM spans WHERE label = 'SPEAKER'")  # the link's target is gone
    assert orphans(db) == ["relations: 1 row whose target_id refers to a missing row in spans"]
    execute(db, "DELETE FROM annotators")
    problems = orphans(db)
    assert "spans: 1 row whose annotator_id refers to a missing row in annotators" in problems
    assert "relations: 1 row whose annotator_id refers to a missing row in annotators" in problems
    assert "relations: 1 row whose target_id refers to a missing row in spans" in problems


def test_many_orphans_are_counted_in_one_line(tmp_path: Path) -> None:
    db = make_database(tmp_path / "team.sqlite3")
    execute(db, "DELETE FROM documents")
    problems = orphans(db)
    assert "spans: 2 rows whose document_id refer to a missing row in documents" in problems


def test_an_entity_merged_into_a_missing_entity_is_found(tmp_path: Path) -> None:
    """A table that refers to itself: joined to an alias, each row against another row."""
    db = make_database(tmp_path / "team.sqlite3")
    add = (
        "INSERT INTO entities (id, key, kind, name, note, merged_into, created_at) "
        "VALUES ({}, 'k{}', 'person', 'Name {}', '', {}, '2026-01-01')"
    )
    execute(db, add.format(1, 1, 1, "NULL"), add.format(2, 2, 2, 1))  # 2 merged into 1: sound
    assert orphans(db) == []
    execute(db, add.format(3, 3, 3, 9))  # merged into an entity that is gone
    assert orphans(db) == ["entities: 1 row whose merged_into refers to a missing row in entities"]


def orphans(path: Path) -> list[str]:
    opened = Database(str(path))
    try:
        with opened.engine.connect() as conn:
            return orphan_problems(conn)
    finally:
        opened.close()


def test_a_foreign_key_sqlite_cannot_check_is_named_after_a_clean_integrity_check(
    tmp_path: Path,
) -> None:
    """A table added by hand whose foreign key points at a column that is not a key: the pages
    are sound, but SQLite cannot check that key, and says so in its words."""
    db = make_database(tmp_path / "team.sqlite3")
    execute(db, "CREATE TABLE notes(id INTEGER PRIMARY KEY, doc TEXT REFERENCES documents(title))")
    assert sqlite_problems(db) == ['foreign key mismatch - "notes" referencing "documents"']
