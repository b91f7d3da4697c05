"""Automatic adjudication: what enough annotators agree on goes into gold, and nothing else."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ValidationError
from annotator.core.services.workspace import Workspace

TEXT = "Moscow - Gen. Ivanov said the missile test went to plan. Iran denied it.\n"
SPEAKER_1, SPEAKER_2, STATEMENT, IRAN = (0, 6), (7, 20), (21, 56), (57, 61)


def annotate(ws: Workspace, doc: int, who: str, stance: str, extra: bool = False) -> None:
    a = ws.annotations(who)
    a.create_span(doc, *SPEAKER_1, "SPEAKER")
    speaker = a.create_span(doc, *SPEAKER_2, "SPEAKER")
    statement = a.create_span(doc, *STATEMENT, "STATEMENT", {"stance": stance})
    a.link(statement.id, speaker.id, "said_by")
    if extra:
        a.create_span(doc, *IRAN, "SPEAKER")
    a.set_status(doc, "done", force=True)


def three_annotators(ws: Workspace) -> int:
    doc = ws.documents.add(TEXT, key="k1").id
    annotate(ws, doc, "alice", "neutral", extra=True)
    annotate(ws, doc, "bob", "neutral")
    annotate(ws, doc, "carol", "supports")
    return doc


def test_agreed_spans_values_and_links_go_to_gold_and_the_rest_is_reported(
    workspace: Workspace,
) -> None:
    doc = three_annotators(workspace)
    report = workspace.adjudicate(min_agree=2)
    gold = workspace.gold()
    spans = {(s.start, s.end, s.label): s.attributes for s in gold.spans(doc)}
    assert spans == {
        (*SPEAKER_1, "SPEAKER"): {},
        (*SPEAKER_2, "SPEAKER"): {},
        (*STATEMENT, "STATEMENT"): {"stance": "neutral"},  # alice and bob; carol differs
    }
    (link,) = gold.relations(doc)
    by_id = {s.id: (s.start, s.end) for s in gold.spans(doc)}
    assert (link.label, by_id[link.source_id], by_id[link.target_id]) == (
        "said_by",
        STATEMENT,
        SPEAKER_2,
    )
    (outcome,) = report.documents
    assert (outcome.spans_added, outcome.links_added) == (3, 1)
    assert [(u.what, u.key, u.holders) for u in outcome.undecided] == [
        ("span", (*IRAN, "SPEAKER"), ("alice",))
    ]
    assert gold.status(doc) == "in_progress"  # a person marks gold done
    # Again: nothing twice. Unanimity: nothing more, and the stance is left to decide.
    assert workspace.adjudicate(min_agree=2).spans_added == 0
    assert len(gold.spans(doc)) == 3


def test_unanimity_leaves_a_disputed_value_to_decide(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    report = workspace.adjudicate(min_agree=3)
    assert {(s.start, s.end) for s in workspace.gold().spans(doc)} == {SPEAKER_1, SPEAKER_2}
    reasons = {u.key: u.reason for u in report.documents[0].undecided}
    assert reasons[(*STATEMENT, "STATEMENT")] == "same span, different values"
    assert reasons[((*STATEMENT, "STATEMENT"), (*SPEAKER_2, "SPEAKER"), "said_by")] == (
        "its spans are not both agreed"
    )


def test_gold_decisions_are_never_overwritten(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    workspace.gold().create_span(doc, *STATEMENT, "STATEMENT", {"stance": "opposes"})
    workspace.adjudicate(min_agree=2)
    statements = [s for s in workspace.gold().spans(doc) if s.label == "STATEMENT"]
    assert [s.attributes["stance"] for s in statements] == ["opposes"]


def test_only_done_documents_and_named_annotators_count(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    workspace.annotations("bob").set_status(doc, "in_progress")
    report = workspace.adjudicate(min_agree=2, annotators=["alice", "bob"])
    assert report.documents == [] and workspace.gold().spans(doc) == []
    with pytest.raises(ValidationError, match="needs at least 3 annotators"):
        workspace.adjudicate(min_agree=3, annotators=["alice", "bob"])


def test_cli_adjudicate_then_export_gold(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(sqlite_url) as ws:
        three_annotators(ws)
    with pytest.raises(SystemExit) as stop:
        main(["--db", sqlite_url, "adjudicate", "--auto", "--min-agree", "2", "-v"])
    said = capsys.readouterr().out
    assert stop.value.code == 0
    assert "added 3 spans and 1 link" in said and "1 left to decide" in said
    assert "span (57, 61, 'SPEAKER'): 1 of 2 needed (alice)" in said
    out = tmp_path / "gold.jsonl"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "--db",
                sqlite_url,
                "export",
                str(out),
                "--format",
                "statements",
                "--layer",
                "gold",
                "--status",
                "any",
            ]
        )
    assert stop.value.code == 0
    assert out.read_text().count("\n") == 1


def _annotate_in_process(url: str, who: str, stance: str) -> None:
    with Workspace(url) as ws:
        doc = ws.documents.by_key("k1")
        assert doc is not None
        for _ in range(3):  # a few rounds of edits at once with the others
            annotate(ws, doc.id, who, stance)
            ws.annotations(who).set_status(doc.id, "in_progress")
            for span in ws.annotations(who).spans(doc.id):
                ws.annotations(who).delete_span(span.id)
        annotate(ws, doc.id, who, stance)


@pytest.mark.postgres
def test_three_annotators_writing_at_once_on_postgresql_then_adjudication(
    pg_server_url: str,
) -> None:
    from tests.conftest import fresh_pg_database

    url = fresh_pg_database(pg_server_url)
    with Workspace(url) as ws:
        ws.documents.add(TEXT, key="k1")
        for who in ("alice", "bob", "carol"):
            ws.annotators.person(who)
        ws.gold()
    ctx = multiprocessing.get_context("spawn")
    jobs = [
        ctx.Process(target=_annotate_in_process, args=(url, who, stance))
        for who, stance in (("alice", "neutral"), ("bob", "neutral"), ("carol", "supports"))
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(120)
        assert job.exitcode == 0
    with Workspace(url) as ws:
        report = ws.adjudicate(min_agree=2)
        doc = ws.documents.by_key("k1")
        assert doc is not None
        assert (report.spans_added, report.links_added, report.undecided) == (3, 1, 0)
        assert {s.attributes.get("stance") for s in ws.gold().spans(doc.id)} == {None, "neutral"}


def test_what_gold_refuses_is_reported_and_the_rest_goes_in(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    # gold already holds a SPEAKER that overlaps the agreed one at 7-20 (SPEAKER may not overlap)
    workspace.gold().create_span(doc, 7, 12, "SPEAKER")
    report = workspace.adjudicate(min_agree=2)
    reasons = {u.key: u.reason for u in report.documents[0].undecided}
    assert "may not overlap" in reasons[(*SPEAKER_2, "SPEAKER")]
    assert reasons[((*STATEMENT, "STATEMENT"), (*SPEAKER_2, "SPEAKER"), "said_by")].startswith(
        "gold refused it"
    )
    keys = {(s.start, s.end, s.label) for s in workspace.gold().spans(doc)}
    assert keys == {(7, 12, "SPEAKER"), (*SPEAKER_1, "SPEAKER"), (*STATEMENT, "STATEMENT")}
