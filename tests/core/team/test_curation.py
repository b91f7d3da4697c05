"""Curation rows and accepting a version into gold, as the curation view uses them."""

from __future__ import annotations

import pytest

from annotator.core.domain.curating import AGREED, DISAGREED, IN_GOLD, SINGLE
from annotator.core.domain.errors import ValidationError
from annotator.core.services.workspace import Workspace
from tests.core.team.test_adjudication import IRAN, SPEAKER_2, STATEMENT, three_annotators


def test_rows_say_what_to_decide_and_accepting_brings_the_links(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    workspace.annotators.person("dave")  # never opened the document: not compared
    curation = workspace.curation()
    work = curation.work("k1")
    states = {r.key: r.state for r in curation.rows(work)}
    assert states == {
        (0, 6, "SPEAKER"): AGREED,
        (*SPEAKER_2, "SPEAKER"): AGREED,
        (*STATEMENT, "STATEMENT"): DISAGREED,
        (*IRAN, "SPEAKER"): SINGLE,
    }
    workspace.adjudicate(min_agree=3)
    work = curation.work("k1")
    rows = curation.rows(work)
    assert [r.state for r in rows] == [IN_GOLD, IN_GOLD, DISAGREED, SINGLE]
    statement = rows[2]
    carol = next(v for v in statement.versions if v.annotator == "carol")
    accepted = curation.accept(work, carol)
    assert accepted.span.attributes == {"stance": "supports"}
    (link,) = accepted.relations  # carol's said_by, to the speaker gold already holds
    assert link.label == "said_by" and link.source_id == accepted.span.id
    assert [r.state for r in curation.rows(curation.work("k1"))][2] == IN_GOLD
    with pytest.raises(ValidationError, match="already holds"):
        curation.accept(work, carol)
    # Undo of an accept is deleting the span: its link goes with it, the rest stays.
    workspace.gold().delete_span(accepted.span.id)
    assert workspace.gold().relations(doc) == []
    assert len(workspace.gold().spans(doc)) == 2


def test_accepting_every_agreed_span_is_one_transaction_with_the_links_between_them(
    workspace: Workspace,
) -> None:
    doc = three_annotators(workspace)
    curation = workspace.curation()
    work = curation.work("k1")
    agreed = [r.versions[0] for r in curation.rows(work) if r.state == AGREED]
    assert len(agreed) == 2
    done = curation.accept_many(work, agreed)
    assert [a.span.label for a in done.accepted] == ["SPEAKER", "SPEAKER"]
    gold = workspace.gold()
    assert {(s.start, s.end) for s in gold.spans(doc)} == {(0, 6), SPEAKER_2}
    # The statement's said_by link comes with it once both of its spans are in gold.
    statement = next(r for r in curation.rows(curation.work("k1")) if r.state == DISAGREED)
    alice = next(v for v in statement.versions if v.annotator == "alice")
    made = curation.accept_many(curation.work("k1"), [alice]).accepted[0]
    assert [(r.label, r.source_id) for r in made.relations] == [("said_by", made.span.id)]

    # Undo of the lot: one transaction; redo puts back every span and link under its id.
    every = [a.span.id for a in (*done.accepted, made)]
    deleted = gold.delete_spans(every)
    assert gold.spans(doc) == [] and gold.relations(doc) == []
    gold.restore_spans(deleted)
    assert sorted(s.id for s in gold.spans(doc)) == sorted(every)
    assert [r.id for r in gold.relations(doc)] == [made.relations[0].id]


def test_a_refused_version_fails_the_batch_or_is_skipped_and_reported(
    workspace: Workspace,
) -> None:
    doc = three_annotators(workspace)
    curation = workspace.curation()
    work = curation.work("k1")
    rows = curation.rows(work)
    statement = next(r for r in rows if r.key == (*STATEMENT, "STATEMENT"))
    alice, carol = (v for v in statement.versions if v.annotator in ("alice", "carol"))
    iran = next(r for r in rows if r.key == (*IRAN, "SPEAKER")).versions[0]
    # Two versions of one span: gold takes the first, the second is refused.
    with pytest.raises(ValidationError, match="already holds"):
        curation.accept_many(work, [iran, alice, carol])
    assert workspace.gold().spans(doc) == []  # nothing of the batch was kept
    done = curation.accept_many(work, [iran, alice, carol], skip_refused=True)
    assert [a.span.start for a in done.accepted] == [IRAN[0], STATEMENT[0]]
    assert [(v.annotator, why) for v, why in done.refused] == [
        ("carol", "gold already holds this span")
    ]


def test_next_document_to_curate_is_one_a_person_finished_and_gold_did_not(
    workspace: Workspace,
) -> None:
    first = three_annotators(workspace)
    second = workspace.documents.add("Another text.\n", key="k2").id
    third = workspace.documents.add("A third text.\n", key="k3").id
    workspace.annotations("bob").set_status(third, "done")
    workspace.annotations("bob").set_status(second, "in_progress")
    curation = workspace.curation()
    assert curation.next_to_curate() == first
    assert curation.next_to_curate(first) == third
    assert curation.next_to_curate(third) == first  # round again
    workspace.gold().set_status(first, "done", force=True)
    assert curation.next_to_curate(third) == third
    workspace.gold().set_status(third, "skipped")
    assert curation.next_to_curate() is None
