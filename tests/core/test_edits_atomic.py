"""Undo puts back exactly what was there, whatever the active schema says now; an edit of
several steps is one transaction; a locked database is a readable error, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.domain.errors import BusyError, NotFoundError, UnknownLabelError
from annotator.core.domain.records import DocumentRecord
from annotator.core.domain.schema import load_schema
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace

TEXT = "Gen. Yılmaz said the missile forces will be doubled, and Colonel Dane agreed with him.\n"


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@pytest.fixture
def doc(workspace: Workspace) -> DocumentRecord:
    return workspace.documents.add(TEXT, key="atomic-01")


@pytest.fixture
def alice(workspace: Workspace) -> AnnotationService:
    return workspace.annotations("alice")


def statement_said_by(alice: AnnotationService, doc: DocumentRecord) -> tuple[int, int, int]:
    statement = alice.create_span(doc.id, *at("the missile forces will be doubled"), "STATEMENT")
    alice.set_attribute(statement.id, "stance", "threatens")
    speaker = alice.create_span(doc.id, *at("Gen. Yılmaz"), "SPEAKER")
    alice.set_attribute(speaker.id, "speaker_type", "official")
    rel = alice.link(statement.id, speaker.id, "said_by")
    return statement.id, speaker.id, rel.id


def switch_to_named_entities(workspace: Workspace) -> AnnotationService:
    """`annotator schema use named_entities.yaml`: a schema without STATEMENT or SPEAKER."""
    workspace.schemas.set_active(load_schema(schemas_dir() / "named_entities.yaml"))
    return workspace.annotations("alice")


def test_undoing_a_delete_after_the_schema_dropped_the_label_restores_it_exactly(
    workspace: Workspace, alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, _ = statement_said_by(alice, doc)
    before = (alice.spans(doc.id), alice.relations(doc.id))
    later = switch_to_named_entities(workspace)

    deleted = later.delete_span(speaker)
    later.restore_span(deleted)

    assert (later.spans(doc.id), later.relations(doc.id)) == before
    again = later.delete_span(statement)
    later.restore_span(again)
    assert (later.spans(doc.id), later.relations(doc.id)) == before


def test_new_edits_on_a_span_outside_the_schema_name_the_label_and_the_schema(
    workspace: Workspace, alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, rel = statement_said_by(alice, doc)
    later = switch_to_named_entities(workspace)
    person = later.create_span(doc.id, *at("Colonel Dane"), "PER")
    kept = later.spans(doc.id)

    message = "label 'SPEAKER' is not in schema named_entities"
    with pytest.raises(UnknownLabelError, match=message):
        later.set_attribute(speaker, "speaker_type", "body")
    with pytest.raises(UnknownLabelError, match=message):
        later.set_attribute(speaker, "speaker_type", None)
    with pytest.raises(UnknownLabelError, match=message):
        later.update_span(speaker, label="PER")
    with pytest.raises(UnknownLabelError, match="label 'STATEMENT' is not in schema"):
        later.link(statement, person.id, "said_by")
    with pytest.raises(UnknownLabelError, match="label 'SPEAKER' is not in schema"):
        later.update_span(person.id, label="SPEAKER")
    assert later.spans(doc.id) == kept
    assert [r.id for r in later.relations(doc.id)] == [rel]


def test_a_replaced_link_stays_when_the_new_target_is_gone(
    workspace: Workspace, db_url: str, alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, rel = statement_said_by(alice, doc)
    other = alice.create_span(doc.id, *at("Colonel Dane"), "SPEAKER")
    with Workspace(db_url) as desk2:
        desk2.annotations("alice").delete_span(other.id)  # another desktop, meanwhile

    with pytest.raises(NotFoundError, match=f"span #{other.id} does not exist"):
        alice.replace_link([rel], statement, other.id, "said_by")
    assert [(r.id, r.target_id) for r in alice.relations(doc.id)] == [(rel, speaker)]


def test_replace_link_and_its_undo_and_redo(alice: AnnotationService, doc: DocumentRecord) -> None:
    statement, _speaker, rel = statement_said_by(alice, doc)
    other = alice.create_span(doc.id, *at("Colonel Dane"), "SPEAKER")
    old = alice.relations(doc.id)
    removed, new = alice.replace_link([rel], statement, other.id, "said_by")
    assert list(removed) == old and alice.relations(doc.id) == [new]
    alice.swap_relations([new], removed)
    assert alice.relations(doc.id) == old
    alice.swap_relations(removed, [new])
    assert alice.relations(doc.id) == [new]


def test_create_and_link_is_all_or_nothing(
    workspace: Workspace, db_url: str, alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, _, _ = statement_said_by(alice, doc)
    spans = alice.spans(doc.id)
    with Workspace(db_url) as desk2:
        desk2.annotations("alice").delete_span(statement)
    with pytest.raises(NotFoundError, match=f"span #{statement} does not exist"):
        alice.create_linked_span(doc.id, *at("missile"), "WEAPON", (statement, "about"))
    assert [s.id for s in alice.spans(doc.id)] == [s.id for s in spans if s.id != statement]


def test_undo_of_a_relabel_brings_back_label_and_values_in_one_step(
    workspace: Workspace, alice: AnnotationService, doc: DocumentRecord
) -> None:
    span = alice.create_span(doc.id, *at("missile"), "WEAPON", {"weapon_type": "drone"})
    alice.update_span(span.id, label="TARGET")
    assert alice.span(span.id).attributes == {}
    later = switch_to_named_entities(workspace)  # WEAPON is gone from the schema now
    assert later.restore_span_state(span) == span
    assert later.span(span.id) == span


def test_a_locked_database_is_a_busy_error_and_nothing_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_SQLITE_BUSY_MS", "150")
    path = tmp_path / "locked.sqlite3"
    with Workspace(f"sqlite:///{path}") as ws:
        doc = ws.documents.add(TEXT, key="locked-01")
        alice = ws.annotations("alice")
        other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(BusyError, match="the database is busy"):
                alice.create_span(doc.id, *at("Gen. Yılmaz"), "SPEAKER")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert alice.spans(doc.id) == []
        assert [s.label for s in [alice.create_span(doc.id, *at("Gen. Yılmaz"), "SPEAKER")]] == [
            "SPEAKER"
        ]
