"""The service API as annotators use it: every write checked, committed, and kept per person."""

from __future__ import annotations

import textwrap
import unicodedata

import pytest
from sqlalchemy import func, select

from annotator.core.domain.errors import (
    IncompleteError,
    NotFoundError,
    OffsetError,
    OverlapError,
    RelationError,
    UnknownLabelError,
    ValidationError,
)
from annotator.core.domain.records import DocumentRecord
from annotator.core.domain.schema import load_schema, parse_schema
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import StoredSchema

TEXT = (
    "Korvath warns Estmar over missile plan\n"
    "“Our missile forces will be doubled within five years,” Gen. Yılmaz said on Saturday.\n"
    "The ministry denied that drones were shipped to Estmar.\n"
)


def at(text: str, fragment: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``fragment``, found, not counted by hand."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


@pytest.fixture
def doc(workspace: Workspace) -> DocumentRecord:
    return workspace.documents.add(TEXT, key="korvath-01")


@pytest.fixture
def alice(workspace: Workspace) -> AnnotationService:
    return workspace.annotations("alice")


@pytest.fixture
def bob(workspace: Workspace) -> AnnotationService:
    return workspace.annotations("bob")


QUOTE = "“Our missile forces will be doubled within five years,”"


# -- offsets --


def test_offsets_past_the_end_are_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    with pytest.raises(OffsetError, match=rf"outside the text \(length {len(TEXT)} characters\)"):
        alice.create_span(doc.id, 10, len(TEXT) + 1, "STATEMENT", {"stance": "threatens"})
    assert alice.spans(doc.id) == []


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 4)])
def test_empty_or_reversed_spans_are_refused(
    alice: AnnotationService, doc: DocumentRecord, start: int, end: int
) -> None:
    with pytest.raises(OffsetError, match="empty or reversed"):
        alice.create_span(doc.id, start, end, "TARGET")


def test_negative_offsets_are_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    with pytest.raises(OffsetError, match="outside the text"):
        alice.create_span(doc.id, -1, 7, "SPEAKER")


def test_offsets_inside_a_combining_sequence_are_refused(workspace: Workspace) -> None:
    # "q" + COMBINING ACUTE has no precomposed form, so it stays two code points after NFC.
    name = "Saq\u0301r"
    assert unicodedata.normalize("NFC", name) == name
    doc = workspace.documents.add(f"Headline\n{name} said the drones were sold.", key="d")
    text = workspace.documents.text(doc.id)
    ann = workspace.annotations("alice")
    mark = text.index("\u0301")
    with pytest.raises(OffsetError, match=r"offset \d+ falls inside a combined character"):
        ann.create_span(doc.id, text.index("Saq"), mark, "SPEAKER")
    with pytest.raises(OffsetError, match="U\\+0301"):
        ann.create_span(doc.id, mark, mark + 2, "SPEAKER")
    span = ann.create_span(doc.id, text.index("Saq"), mark + 2, "SPEAKER")
    assert text[span.start : span.end] == name


# -- the schema --


def test_unknown_label_is_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    with pytest.raises(UnknownLabelError, match="label 'QUOTE' is not in schema") as info:
        alice.create_span(doc.id, *at(TEXT, QUOTE), "QUOTE")
    assert "STATEMENT, SPEAKER, TARGET, WEAPON" in str(info.value)


def test_unknown_attribute_is_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    with pytest.raises(UnknownLabelError, match="label STATEMENT has no attribute 'mood'"):
        alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"mood": "angry"})
    span = alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
    with pytest.raises(UnknownLabelError, match="no attribute 'weapon_type'"):
        alice.set_attribute(span.id, "weapon_type", "drone")


def test_value_not_allowed_is_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    with pytest.raises(UnknownLabelError) as info:
        alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "boasts"})
    assert "STATEMENT.stance: 'boasts' is not an allowed value" in str(info.value)
    assert "supports, opposes, threatens, denies, neutral" in str(info.value)
    span = alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
    with pytest.raises(UnknownLabelError, match="'boasts' is not an allowed value"):
        alice.set_attribute(span.id, "stance", "boasts")
    assert alice.span(span.id).attributes == {"stance": "supports"}


CLAIMS_SCHEMA = textwrap.dedent(
    """\
    name: claims
    version: "1"
    labels:
      - name: CLAIM
        color: "#f2b134"
        attributes:
          - name: topics
            type: multi
            values: [missiles, drones, ships]
          - name: verified
            type: bool
            default: false
          - name: note
            type: text
    """
)


def test_multi_choice_values_are_checked_and_kept_in_schema_order(
    workspace: Workspace, doc: DocumentRecord
) -> None:
    ann = workspace.annotations("alice", parse_schema(CLAIMS_SCHEMA, "claims.yaml"))
    span = ann.create_span(
        doc.id, *at(TEXT, QUOTE), "CLAIM", {"topics": ["ships", "missiles", "ships"]}
    )
    assert ann.span(span.id).attributes["topics"] == ["missiles", "ships"]
    with pytest.raises(UnknownLabelError, match="expects a list of values"):
        ann.set_attribute(span.id, "topics", "drones")
    with pytest.raises(UnknownLabelError, match=r"\['tanks'\] not allowed"):
        ann.set_attribute(span.id, "topics", ["drones", "tanks"])
    assert ann.span(span.id).attributes["topics"] == ["missiles", "ships"]


def test_bool_attributes_take_true_or_false_and_get_their_default(
    workspace: Workspace, doc: DocumentRecord
) -> None:
    ann = workspace.annotations("alice", parse_schema(CLAIMS_SCHEMA, "claims.yaml"))
    span = ann.create_span(doc.id, *at(TEXT, QUOTE), "CLAIM")
    assert ann.span(span.id).attributes == {"verified": False}
    with pytest.raises(UnknownLabelError, match="expects true or false, got 'yes'"):
        ann.set_attribute(span.id, "verified", "yes")
    assert ann.set_attribute(span.id, "verified", True).attributes == {"verified": True}
    with pytest.raises(UnknownLabelError, match="expects text"):
        ann.set_attribute(span.id, "note", 3)
    assert ann.set_attribute(span.id, "verified", None).attributes == {}


# -- overlaps --


def test_overlap_forbidden_for_speaker_but_allowed_for_statement(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    speaker = alice.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")
    with pytest.raises(OverlapError, match="SPEAKER spans may not overlap") as info:
        alice.create_span(doc.id, *at(TEXT, "Yılmaz said"), "SPEAKER")
    assert f"#{speaker.id}" in str(info.value)
    q_start, q_end = at(TEXT, QUOTE)
    alice.create_span(doc.id, q_start, q_end, "STATEMENT", {"stance": "supports"})
    # A shorter statement inside the longer one, and a span of another label across both.
    alice.create_span(doc.id, q_start + 1, q_end - 3, "STATEMENT", {"stance": "supports"})
    alice.create_span(doc.id, *at(TEXT, "missile forces"), "WEAPON", {"weapon_type": "other"})
    assert len(alice.spans(doc.id)) == 4


def test_overlap_rule_is_per_annotator(
    alice: AnnotationService, bob: AnnotationService, doc: DocumentRecord
) -> None:
    alice.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")
    bob.create_span(doc.id, *at(TEXT, "Yılmaz"), "SPEAKER")
    assert [s.label for s in bob.spans(doc.id)] == ["SPEAKER"]


def test_exact_duplicate_span_is_refused(alice: AnnotationService, doc: DocumentRecord) -> None:
    first = alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
    with pytest.raises(OverlapError, match=rf"already exists \(#{first.id}\)"):
        alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "neutral"})
    assert [s.id for s in alice.spans(doc.id)] == [first.id]


def test_resize_into_a_forbidden_overlap_is_refused(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    alice.create_span(doc.id, *at(TEXT, "Estmar"), "TARGET")
    second = alice.create_span(doc.id, *at(TEXT, "Estmar", 1), "TARGET")
    with pytest.raises(OverlapError):
        alice.update_span(second.id, start=at(TEXT, "Estmar")[0])
    assert alice.span(second.id) == second


# -- links --


def _statement_with_speaker(ann: AnnotationService, doc: DocumentRecord) -> tuple[int, int, int]:
    statement = ann.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
    speaker = ann.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")
    weapon = ann.create_span(
        doc.id, *at(TEXT, "missile forces"), "WEAPON", {"weapon_type": "ballistic_missile"}
    )
    return statement.id, speaker.id, weapon.id


def test_relation_between_wrong_labels_is_refused(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, weapon = _statement_with_speaker(alice, doc)
    with pytest.raises(
        RelationError, match="said_by links STATEMENT -> SPEAKER, not STATEMENT -> WEAPON"
    ):
        alice.link(statement, weapon, "said_by")
    with pytest.raises(RelationError, match="not SPEAKER -> STATEMENT"):
        alice.link(speaker, statement, "said_by")
    with pytest.raises(UnknownLabelError, match="relation 'quoted_by' is not in schema"):
        alice.link(statement, speaker, "quoted_by")
    assert alice.relations(doc.id) == []


def test_said_by_allows_one_speaker_per_statement(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, _ = _statement_with_speaker(alice, doc)
    other = alice.create_span(doc.id, *at(TEXT, "The ministry"), "SPEAKER")
    alice.link(statement, speaker, "said_by")
    with pytest.raises(RelationError, match="said_by allows 1 link"):
        alice.link(statement, other.id, "said_by")
    # aimed_at has no maximum
    targets = [alice.create_span(doc.id, *at(TEXT, "Estmar", n), "TARGET").id for n in range(2)]
    for target in targets:
        alice.link(statement, target, "aimed_at")
    assert sorted(r.label for r in alice.relations(doc.id)) == ["aimed_at", "aimed_at", "said_by"]


def test_links_across_documents_are_refused(workspace: Workspace, doc: DocumentRecord) -> None:
    other = workspace.documents.add("Second article\nGen. Yılmaz spoke again.", key="d2")
    ann = workspace.annotations("alice")
    statement = ann.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
    speaker = ann.create_span(other.id, *at(other.text, "Gen. Yılmaz"), "SPEAKER")
    with pytest.raises(RelationError, match="same document"):
        ann.link(statement.id, speaker.id, "said_by")
    assert ann.relations(doc.id) == [] and ann.relations(other.id) == []


# -- each annotator's own work --


def test_annotators_see_and_edit_only_their_own_spans(
    alice: AnnotationService, bob: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, _ = _statement_with_speaker(alice, doc)
    link = alice.link(statement, speaker, "said_by")
    before = alice.spans(doc.id)
    assert bob.spans(doc.id) == [] and bob.relations(doc.id) == []
    with pytest.raises(NotFoundError, match=f"span #{statement} does not exist"):
        bob.update_span(statement, label="TARGET")
    with pytest.raises(NotFoundError):
        bob.delete_span(statement)
    with pytest.raises(NotFoundError):
        bob.set_attribute(statement, "stance", "denies")
    with pytest.raises(NotFoundError):
        bob.span(statement)
    with pytest.raises(NotFoundError):
        bob.unlink(link.id)
    own = bob.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")
    with pytest.raises(NotFoundError):
        bob.link(statement, own.id, "said_by")
    assert alice.spans(doc.id) == before
    assert alice.relations(doc.id) == [link]


# -- delete, undo, update --


def test_delete_removes_links_and_restore_brings_back_the_same_ids(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, weapon = _statement_with_speaker(alice, doc)
    said = alice.link(statement, speaker, "said_by")
    about = alice.link(statement, weapon, "about")
    spans_before = alice.spans(doc.id)
    deleted = alice.delete_span(statement)
    assert deleted.span.id == statement
    assert {r.id for r in deleted.relations} == {said.id, about.id}
    assert alice.relations(doc.id) == []
    assert [s.id for s in alice.spans(doc.id)] == [weapon, speaker]  # in text order
    # Someone adds a span meanwhile: the restored one must still get its own id back.
    alice.create_span(doc.id, *at(TEXT, "Estmar"), "TARGET")
    restored = alice.restore_span(deleted)
    assert restored == next(s for s in spans_before if s.id == statement)
    assert alice.span(statement) == restored
    assert alice.relations(doc.id) == [said, about]


def test_unlink_and_restore_relation(alice: AnnotationService, doc: DocumentRecord) -> None:
    statement, speaker, _ = _statement_with_speaker(alice, doc)
    said = alice.link(statement, speaker, "said_by")
    assert alice.unlink(said.id) == said
    assert alice.relations(doc.id) == []
    alice.restore_relation(said)
    assert alice.relations(doc.id) == [said]


def test_update_span_resizes_and_relabels_dropping_foreign_attributes(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    span = alice.create_span(doc.id, *at(TEXT, "The ministry"), "SPEAKER", {"speaker_type": "body"})
    moved = alice.update_span(span.id, start=at(TEXT, "ministry")[0])
    assert TEXT[moved.start : moved.end] == "ministry"
    assert moved.attributes == {"speaker_type": "body"}
    relabelled = alice.update_span(span.id, label="TARGET")
    assert relabelled.label == "TARGET" and relabelled.attributes == {}
    assert alice.span(span.id) == relabelled
    with pytest.raises(OffsetError):
        alice.update_span(span.id, end=len(TEXT) + 5)
    with pytest.raises(UnknownLabelError):
        alice.update_span(span.id, label="LOCATION")
    assert alice.span(span.id) == relabelled


def test_relabel_refused_while_a_link_needs_the_old_label(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement, speaker, _ = _statement_with_speaker(alice, doc)
    alice.link(statement, speaker, "said_by")
    with pytest.raises(RelationError, match="said_by link"):
        alice.update_span(speaker, label="TARGET")
    assert alice.span(speaker).label == "SPEAKER"


# -- statuses and progress --


def test_done_is_refused_while_required_attributes_are_missing(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    statement = alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT")
    weapon = alice.create_span(doc.id, *at(TEXT, "drones"), "WEAPON")
    alice.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")  # nothing required
    with pytest.raises(IncompleteError) as info:
        alice.set_status(doc.id, "done")
    assert sorted(info.value.missing) == sorted(
        [(statement.id, "STATEMENT", "stance"), (weapon.id, "WEAPON", "weapon_type")]
    )
    message = str(info.value)
    assert "2 required values or links missing" in message
    assert f"STATEMENT #{statement.id}: stance" in message
    assert f"WEAPON #{weapon.id}: weapon_type" in message
    assert alice.status(doc.id) == "in_progress"
    alice.set_attribute(statement.id, "stance", "supports")
    with pytest.raises(IncompleteError):
        alice.set_status(doc.id, "done")
    alice.set_attribute(weapon.id, "weapon_type", "drone")
    alice.set_status(doc.id, "done")
    assert alice.status(doc.id) == "done"


def test_done_with_force_despite_missing_attributes(
    alice: AnnotationService, doc: DocumentRecord
) -> None:
    alice.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT")
    alice.set_status(doc.id, "done", force=True)
    assert alice.status(doc.id) == "done"
    with pytest.raises(ValidationError, match="status 'finished' is not one of"):
        alice.set_status(doc.id, "finished")
    with pytest.raises(NotFoundError):
        alice.set_status(doc.id + 1000, "skipped")


def test_first_edit_marks_the_document_in_progress_for_that_annotator_only(
    workspace: Workspace,
    alice: AnnotationService,
    bob: AnnotationService,
    doc: DocumentRecord,
) -> None:
    assert alice.status(doc.id) == "new"
    alice.create_span(doc.id, *at(TEXT, "Estmar"), "TARGET")
    assert alice.status(doc.id) == "in_progress"
    assert bob.status(doc.id) == "new"
    assert workspace.documents.statuses(doc.id) == {"alice": "in_progress"}


def _four_documents(workspace: Workspace) -> list[int]:
    titles = [
        "Korvath warns Estmar",
        "Estmar denies drone shipments",
        "Halvard signs rocket deal: 100% of launchers to be exported",
        "Dalmora deploys air defences",
    ]
    return [
        workspace.documents.add(f"{title}\nBody of article {n}.", key=f"a{n}", title=title).id
        for n, title in enumerate(titles)
    ]


def test_next_unfinished_skips_done_and_skipped_and_wraps_round(workspace: Workspace) -> None:
    d1, d2, d3, d4 = _four_documents(workspace)
    ann = workspace.annotations("alice")
    ann.set_status(d1, "done")
    ann.set_status(d3, "skipped")
    docs = workspace.documents
    me = ann.annotator.id
    assert docs.next_unfinished(me) == d2
    assert docs.next_unfinished(me, after_id=d2) == d4
    assert docs.next_unfinished(me, after_id=d4) == d2
    for d in (d2, d4):
        ann.set_status(d, "done")
    assert docs.next_unfinished(me) is None
    assert docs.next_unfinished(workspace.annotations("bob").annotator.id, after_id=d1) == d2


def test_progress_counts_every_status(workspace: Workspace) -> None:
    d1, d2, d3, _ = _four_documents(workspace)
    ann = workspace.annotations("alice")
    ann.set_status(d1, "done")
    ann.set_status(d2, "skipped")
    ann.create_span(d3, 0, 7, "SPEAKER")
    assert workspace.documents.progress(ann.annotator.id) == {
        "new": 1,
        "in_progress": 1,
        "done": 1,
        "skipped": 1,
    }
    bob = workspace.annotations("bob")
    assert workspace.documents.progress(bob.annotator.id) == {
        "new": 4,
        "in_progress": 0,
        "done": 0,
        "skipped": 0,
    }


def test_ids_filter_by_status_and_title(workspace: Workspace) -> None:
    d1, d2, d3, d4 = _four_documents(workspace)
    ann = workspace.annotations("alice")
    ann.set_status(d2, "done")
    ann.create_span(d3, 0, 7, "SPEAKER")
    docs, me = workspace.documents, ann.annotator.id
    assert docs.ids(me) == [d1, d2, d3, d4]
    assert docs.ids(me, statuses=["new"]) == [d1, d4]
    assert docs.ids(me, statuses=["done", "in_progress"]) == [d2, d3]
    assert docs.ids(me, search="estmar") == [d1, d2]
    assert docs.ids(me, statuses=["new"], search="ESTMAR") == [d1]
    # "%" and "_" are literal characters, not LIKE wildcards
    assert docs.ids(me, search="100%") == [d3]
    assert docs.ids(me, search="a_") == []
    rows = docs.rows(me, [d3, d1])
    assert [(r.id, r.status, r.span_count) for r in rows] == [
        (d3, "in_progress", 1),
        (d1, "new", 0),
    ]


# -- durability and sharing between desktops --


def test_each_call_commits_a_second_workspace_sees_it(db_url: str) -> None:
    with Workspace(db_url) as first:
        doc = first.documents.add(TEXT, key="korvath-01")
        ann = first.annotations("alice")
        statement = ann.create_span(doc.id, *at(TEXT, QUOTE), "STATEMENT", {"stance": "supports"})
        speaker = ann.create_span(doc.id, *at(TEXT, "Gen. Yılmaz"), "SPEAKER")
        link = ann.link(statement.id, speaker.id, "said_by")
        ann.set_status(doc.id, "done")
        # A second desktop: its own engine and connections, opened while the first is open.
        with Workspace(db_url) as second:
            other = second.annotations("alice")
            assert other.spans(doc.id) == [statement, speaker]
            assert other.relations(doc.id) == [link]
            assert other.status(doc.id) == "done"
            assert second.documents.get(doc.id) == doc
            other.delete_span(speaker.id)
        assert ann.spans(doc.id) == [statement]


def test_schema_is_registered_once_per_content(workspace: Workspace, db_url: str) -> None:
    schema = load_schema(schemas_dir() / "defence_statements.yaml")
    first = workspace.schemas.register(schema)
    assert workspace.schemas.register(schema) == first
    workspace.annotations("alice", schema)
    workspace.annotations("bob", schema)
    with Workspace(db_url) as other:
        assert other.schemas.register(schema) == first
    edited = parse_schema(schema.source_text + "\n# a comment\n", "edited.yaml")
    assert workspace.schemas.register(edited).id != first.id
    with workspace.db.read() as s:
        assert s.scalar(select(func.count()).select_from(StoredSchema)) == 2


def test_active_schema_is_shared_by_every_workspace_on_the_database(
    workspace: Workspace, db_url: str
) -> None:
    assert workspace.active_schema().name == "defence_statements"  # the default on a new db
    ner = load_schema(schemas_dir() / "named_entities.yaml")
    workspace.schemas.set_active(ner)
    with Workspace(db_url) as other:
        assert other.active_schema().name == "named_entities"
        doc = other.documents.add("Gen. Yılmaz visited Vardas", key="ner-1")
        span = other.annotations("bob").create_span(doc.id, 0, 11, "PER")
        assert span.label == "PER"
        with pytest.raises(UnknownLabelError):
            other.annotations("bob").create_span(doc.id, 0, 11, "STATEMENT")
