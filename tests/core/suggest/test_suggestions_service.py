"""Suggestions as a stored layer: computed into the "suggestions" annotator, then accepted
into a person's layer (one transaction, one undo) or rejected, each person for themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from annotator.core.domain.errors import OverlapError, ValidationError
from annotator.core.services.workspace import Workspace
from tests.core.suggest.suggestion_helpers import (
    DRONES,
    MISSILES,
    NATO,
    QUOTE,
    workspace_with_quotes,
)


@pytest.fixture
def ws_doc(db_url: str) -> Iterator[tuple[Workspace, int]]:
    ws, doc = workspace_with_quotes(db_url)
    try:
        yield ws, doc
    finally:
        ws.close()


def places(spans: object) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in spans}  # type: ignore[attr-defined]


def test_compute_stores_frames_in_the_suggestions_layer(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    report = ws.suggestions().compute(engines=["patterns"])
    assert report.documents == 1
    assert report.spans == {"patterns": 4} and report.links == {"patterns": 2}
    layer = ws.annotations("suggestions")
    assert places(layer.spans(doc)) == {
        (*QUOTE, "STATEMENT"),
        (*MISSILES, "WEAPON"),
        (*NATO, "TARGET"),
        (*DRONES, "WEAPON"),
    }
    by_id = {s.id: (s.start, s.end, s.label) for s in layer.spans(doc)}
    links = {(r.label, by_id[r.source_id], by_id[r.target_id]) for r in layer.relations(doc)}
    assert links == {
        ("about", (*QUOTE, "STATEMENT"), (*MISSILES, "WEAPON")),
        ("aimed_at", (*QUOTE, "STATEMENT"), (*NATO, "TARGET")),
    }
    weapon = next(s for s in layer.spans(doc) if s.start == MISSILES[0])
    assert weapon.attributes == {"weapon_type": "ballistic_missile"}
    # Done for the engines (so an export of the layer finds it); no person touched.
    assert ws.documents.statuses(doc) == {"suggestions": "done"}
    assert [a.name for a in ws.annotators.people()] == []


def test_open_frames_group_a_statement_with_its_links(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    frames = service.open_frames(doc, "alice")
    assert [(f.head.label, len(f.parts)) for f in frames] == [("STATEMENT", 2), ("WEAPON", 0)]
    statement = frames[0]
    assert statement.head.engines == ("patterns",)
    assert statement.head.evidence == "pattern /“[^”]*”/"
    assert sorted((link.label, span.label) for link, span in statement.parts) == [
        ("about", "WEAPON"),
        ("aimed_at", "TARGET"),
    ]


def test_rerunning_replaces_open_suggestions_and_keeps_decided_ones(
    ws_doc: tuple[Workspace, int],
) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    drones = next(f.head for f in service.open_frames(doc) if f.head.label == "WEAPON")
    service.reject("alice", drones.id)
    before = {s.id: s for s in service.suggestions(doc)}
    again = service.compute(engines=["patterns"])
    assert again.spans == {"patterns": 4}
    after = {s.id: s for s in service.suggestions(doc)}
    assert drones.id in after  # decided: kept under its id, with its decision
    assert service.suggestions(doc, "alice")[-1].decision == "open"  # a link: still open
    assert {s.id: s.decision for s in service.suggestions(doc, "alice")}[drones.id] == "rejected"
    # The open ones were replaced by new rows at the same places, not duplicated.
    assert set(after) - set(before) and len(after) == len(before)
    assert places(s.span for s in after.values() if s.span) == places(
        s.span for s in before.values() if s.span
    )
    assert len(ws.annotations("suggestions").spans(doc)) == 4


def test_accept_frame_copies_the_frame_into_the_persons_layer(
    ws_doc: tuple[Workspace, int],
) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    statement = service.open_frames(doc, "alice")[0].head
    result = service.accept_frame("alice", statement.id)
    alice = ws.annotations("alice")
    frame = {(*QUOTE, "STATEMENT"), (*MISSILES, "WEAPON"), (*NATO, "TARGET")}
    assert places(alice.spans(doc)) == frame
    mine = {s.id: s for s in alice.spans(doc)}
    assert {(r.label, mine[r.target_id].label) for r in alice.relations(doc)} == {
        ("about", "WEAPON"),
        ("aimed_at", "TARGET"),
    }
    assert {s.label: s.attributes for s in mine.values()}["WEAPON"] == {
        "weapon_type": "ballistic_missile"
    }
    assert {s.label: s.attributes for s in mine.values()}["STATEMENT"] == {"form": "direct"}
    assert places(result.spans) == places(mine.values()) and len(result.relations) == 2
    assert len(result.accepted) == 5  # the statement, two spans, two links
    # Decided for alice only: bob still has the whole frame open.
    assert [f.head.label for f in service.open_frames(doc, "alice")] == ["WEAPON"]
    assert [len(f.parts) for f in service.open_frames(doc, "bob")] == [2, 0]
    decided = {(d.annotator, d.decision) for d in service.decisions()}
    assert decided == {("alice", "accepted")}
    assert {d.result_id for d in service.decisions()} == set(mine) | {
        r.id for r in alice.relations(doc)
    }


def test_accept_frame_reuses_a_span_the_person_already_has(
    ws_doc: tuple[Workspace, int],
) -> None:
    ws, doc = ws_doc
    alice = ws.annotations("alice")
    own = alice.create_span(doc, *MISSILES, "WEAPON", {"weapon_type": "other"})
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    result = service.accept_frame("alice", service.open_frames(doc, "alice")[0].head.id)
    assert result.reused == (own.id,)
    weapons = [s for s in alice.spans(doc) if s.label == "WEAPON"]
    assert weapons == [own]  # not duplicated, and her value stands
    assert any(r.target_id == own.id and r.label == "about" for r in alice.relations(doc))


def test_a_refusal_midway_leaves_nothing(ws_doc: tuple[Workspace, int]) -> None:
    """WEAPON may not overlap: alice's "missiles" refuses the suggested "ballistic missiles"
    after the statement was made in the same transaction; nothing of the frame stays."""
    ws, doc = ws_doc
    alice = ws.annotations("alice")
    missiles = (MISSILES[0] + len("ballistic "), MISSILES[1])
    alice.create_span(doc, *missiles, "WEAPON", {"weapon_type": "other"})
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    head = service.open_frames(doc, "alice")[0].head
    with pytest.raises(OverlapError):
        service.accept_frame("alice", head.id)
    assert places(alice.spans(doc)) == {(*missiles, "WEAPON")}
    assert alice.relations(doc) == []
    assert service.decisions() == []
    # Skipping refusals: the rest of the frame goes in, the refused part is reported.
    result = service.accept_frame("alice", head.id, skip_refused=True)
    assert places(result.spans) == {(*QUOTE, "STATEMENT"), (*NATO, "TARGET")}
    assert len(result.refused) == 1 and "overlap" in result.refused[0][1]
    assert len(alice.relations(doc)) == 1


def test_undo_accept_takes_back_exactly_what_accept_made(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    alice = ws.annotations("alice")
    own = alice.create_span(doc, *NATO, "TARGET")
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    result = service.accept_frame("alice", service.open_frames(doc, "alice")[0].head.id)
    service.undo_accept(result)
    assert alice.spans(doc) == [own] and alice.relations(doc) == []
    assert service.decisions() == []
    assert [len(f.parts) for f in service.open_frames(doc, "alice")] == [2, 0]


def test_accept_span_copies_one_span(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    drones = service.open_frames(doc, "alice")[-1].head
    result = service.accept_span("alice", drones.id)
    (span,) = ws.annotations("alice").spans(doc)
    assert (span.start, span.end, span.label) == (*DRONES, "WEAPON")
    assert span.attributes == {"weapon_type": "drone"} and result.accepted == (drones.id,)
    with pytest.raises(ValidationError, match="accepted already"):
        service.accept_span("alice", drones.id)


def test_rejecting_a_statement_rejects_its_links(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    head = service.open_frames(doc, "alice")[0].head
    rejected = service.reject("alice", head.id)
    assert len(rejected) == 3  # the statement and its two links
    labels = [f.head.label for f in service.open_frames(doc, "alice")]
    assert labels == ["WEAPON", "TARGET", "WEAPON"]  # its spans are open on their own
    assert ws.annotations("alice").spans(doc) == []
    service.reopen("alice", rejected)
    assert [f.head.label for f in service.open_frames(doc, "alice")] == ["STATEMENT", "WEAPON"]


def test_suggestions_cannot_be_accepted_into_the_suggestions_layer(
    ws_doc: tuple[Workspace, int],
) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    with pytest.raises(ValidationError, match="person's layer or gold"):
        service.accept_frame("suggestions", service.open_frames(doc)[0].head.id)


def test_compute_stops_between_documents_when_cancelled(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    second = ws.documents.add("Drones again.", key="art-2").id
    service = ws.suggestions()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 1  # stop before the second document

    report = service.compute([doc, second], ["patterns"], progress=progress)
    assert report.cancelled and report.documents == 1
    assert seen == [(0, 2), (1, 2)]
    layer = ws.annotations("suggestions")
    assert len(layer.spans(doc)) == 4 and layer.spans(second) == []
    # Cancelled while the engines run on a document: that document is not stored at all.
    calls: list[int] = []
    report = service.compute(
        [second], ["patterns"], cancelled=lambda: bool(calls.append(1)) or len(calls) > 1
    )
    assert report.cancelled and report.documents == 0
    assert layer.spans(second) == []


def test_an_accepted_suggestion_changed_afterwards_is_marked_edited(
    ws_doc: tuple[Workspace, int],
) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    drones = service.open_frames(doc, "alice")[-1].head
    service.accept_span("alice", drones.id)
    service.mark_edited("alice", drones.id)
    assert [(d.suggestion_id, d.decision) for d in service.decisions()] == [(drones.id, "edited")]
    other = service.open_frames(doc, "alice")[0].head
    with pytest.raises(ValidationError, match="not accepted by you"):
        service.mark_edited("alice", other.id)


def test_computed_says_whether_a_document_has_suggestions(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    service = ws.suggestions()
    assert not service.computed(doc)
    service.compute([doc], ["patterns"])
    assert service.computed(doc) and service.suggestions(doc)


def test_each_decision_on_a_whole_corpus_closes_exactly_what_its_frame_showed(
    db_url: str,
) -> None:
    """A decision reads only the suggestions around the one decided (a long article has
    thousands), and the window makes the next frames from those it shows. Deciding every frame
    of the demo corpus in turn, accepting and rejecting alternately, each decision closes
    exactly what the frame list read in full showed (an accepted frame's statement, open links
    and their open spans; a rejected head and every open link at its span), and the frames
    made without reading equal those read in full."""
    from annotator.core.services.demo import load_demo

    ws = Workspace(db_url)
    try:
        load_demo(ws, "alice", team=False)
        service = ws.suggestions()
        report = service.compute()
        assert sum(report.spans.values()) > 50  # a corpus, not a toy
        shared = checked = 0
        alice = ws.annotators.get_or_create("alice").id
        for doc in ws.documents.ids(alice):
            for turn in range(10_000):
                frames = service.open_frames(doc, "alice")
                if not frames:
                    break
                frame = frames[turn % len(frames)]
                found = service.suggestions(doc, "alice")
                if frame.head.label == "STATEMENT" and turn % 2 == 0:
                    shared += any(span.decision != "open" for _link, span in frame.parts)
                    shown = {frame.head.id} | {
                        ident
                        for link, span in frame.parts
                        for ident, decision in ((link.id, link.decision), (span.id, span.decision))
                        if decision == "open"
                    }
                    result = service.accept_frame("alice", frame.head.id, skip_refused=True)
                    closed, decision = result.accepted, "accepted"
                    assert set(result.accepted) | {i for i, _ in result.refused} >= {frame.head.id}
                    assert set(result.accepted) == shown - {
                        ident
                        for link_id, _why in result.refused
                        for link, span in frame.parts
                        if link.id == link_id
                        for ident in (link.id, span.id)
                    }
                else:
                    head = frame.head.span
                    assert head is not None
                    at_span = {
                        s.id
                        for s in found
                        if s.relation is not None
                        and s.decision == "open"
                        and head.id in (s.relation.source_id, s.relation.target_id)
                    }
                    closed, decision = service.reject("alice", frame.head.id), "rejected"
                    assert set(closed) == {frame.head.id} | at_span
                # The window's frames after the decision, made from those before it, unread.
                after = service.frames_after(frames, closed, decision)
                assert after == service.open_frames(doc, "alice")
                checked += 1
        assert checked > 30
        assert shared > 0  # a speaker accepted with one statement was still another's
    finally:
        ws.close()
