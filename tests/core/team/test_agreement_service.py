"""``annotator agreement`` on stored work: what is compared, and figures a user can recompute."""

from __future__ import annotations

import json
import math

import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.cli.main import main
from annotator.core.domain.errors import ValidationError
from annotator.core.services.workspace import Workspace
from tests.core.team.test_adjudication import three_annotators

STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
SENTENCE = "Gen. Ivanov said the test went well. "  # 37 characters


def corpus(ws: Workspace, docs: int = 4, sentences: int = 6) -> dict[str, list[str]]:
    """Alice and bob on the same sentences; bob misses one statement a document and reads some
    stances differently. Returns each annotator's stances on the statements both made."""
    both: dict[str, list[str]] = {"alice": [], "bob": []}
    for d in range(docs):
        doc = ws.documents.add(f"Doc {d}.\n" + SENTENCE * sentences, key=f"d{d}").id
        offset = len(f"Doc {d}.\n")
        for who in ("alice", "bob"):
            a = ws.annotations(who)
            for i in range(sentences):
                if who == "bob" and i == d % sentences:
                    continue  # missed
                base = offset + i * len(SENTENCE)
                stance = STANCES[(i + d) % 5] if who == "alice" or i % 3 else STANCES[i % 2]
                speaker = a.create_span(doc, base, base + 11, "SPEAKER")
                statement = a.create_span(
                    doc, base + 12, base + 36, "STATEMENT", {"stance": stance}
                )
                a.link(statement.id, speaker.id, "said_by")
                if who == "bob" or i != d % sentences:
                    both[who].append(stance)
            a.set_status(doc, "done", force=True)
    return both


def test_span_f1_and_stance_kappa_are_what_a_user_recomputes(workspace: Workspace) -> None:
    stances = corpus(workspace)
    report = workspace.agreement()
    (pair,) = report["pairs"]
    assert pair["annotators"] == ["alice", "bob"] and pair["documents"] == 4
    statements = pair["spans"]["STATEMENT"]
    assert (statements["tp"], statements["fp"], statements["fn"]) == (20, 0, 4)
    assert statements["f1"] == pytest.approx(2 * 20 / (2 * 20 + 4), abs=1e-12)
    kappa = pair["attributes"]["STATEMENT.stance"]
    assert kappa["n"] == 20
    expected = cohen_kappa_score(stances["alice"], stances["bob"])
    assert kappa["cohen_kappa"] == pytest.approx(expected, abs=1e-9)
    assert pair["relations"]["said_by"]["f1"] == 1.0
    assert report["mode"] == "exact" and report["selection"]["statuses"] == ["done"]
    assert set(report["per_document"]) == {"d0", "d1", "d2", "d3"}


def test_only_done_documents_count_unless_asked(workspace: Workspace) -> None:
    corpus(workspace)
    doc = workspace.documents.by_key("d0")
    assert doc is not None
    workspace.annotations("bob").set_status(doc.id, "in_progress")
    assert workspace.agreement()["pairs"][0]["documents"] == 3
    assert workspace.agreement(statuses=None)["pairs"][0]["documents"] == 4
    only = workspace.agreement(documents=["d1"], labels=["SPEAKER"])
    assert only["pairs"][0]["documents"] == 1 and only["labels"] == ["SPEAKER"]
    with pytest.raises(ValidationError, match="not in schema"):
        workspace.agreement(labels=["SPEECH"])


def test_undefined_measures_say_why_and_json_has_no_nan(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(sqlite_url) as ws:
        corpus(ws)
    with pytest.raises(SystemExit) as stop:
        main(["--db", sqlite_url, "agreement", "--annotator", "alice", "--json"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    report = json.loads(text)
    assert report["pairs"] == []
    statements = report["overall"]["spans"]["STATEMENT"]
    assert statements["alpha_u"] is None and "one annotator" in statements["undefined"]
    with pytest.raises(SystemExit) as stop:
        main(["--db", sqlite_url, "agreement"])
    table = capsys.readouterr().out
    assert "exact boundaries" in table and "alice vs bob" in table
    assert not any(math.isnan(float(w)) for w in table.split() if w.replace(".", "").isdigit())


def test_overlap_mode_matches_a_shifted_boundary(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    exact = workspace.agreement(annotators=["alice", "bob"])
    assert exact["pairs"][0]["spans"]["SPEAKER"]["fp"] == 0
    bob = workspace.annotations("bob")
    moved = next(s for s in bob.spans(doc) if s.label == "STATEMENT")
    bob.update_span(moved.id, end=moved.end - 6)  # "plan." left out
    assert (
        workspace.agreement(annotators=["alice", "bob"])["pairs"][0]["spans"]["STATEMENT"]["f1"]
        == 0.0
    )
    relaxed = workspace.agreement(annotators=["alice", "bob"], mode="overlap")
    assert relaxed["mode"] == "overlap"
    assert relaxed["pairs"][0]["spans"]["STATEMENT"]["f1"] == 1.0
