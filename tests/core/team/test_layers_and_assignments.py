"""The gold layer and assignments: stored, upgraded in place, exported by name, never lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from annotator.cli.main import main
from annotator.core.domain.assigning import DealSpec, deal
from annotator.core.domain.errors import ValidationError
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.workspace import Workspace
from annotator.core.storage.migrations import HEAD, alembic_config

TEXT = "Moscow (Reuters) - Gen. Ivanov said the missile test “went to plan”.\n"


def add_docs(ws: Workspace, n: int) -> list[int]:
    return [ws.documents.add(f"Doc {i}. " + TEXT, key=f"d{i:03}").id for i in range(n)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out + out.err


def test_a_database_from_before_layers_upgrades_in_place_and_keeps_a_person_named_gold(
    db_url: str,
) -> None:
    with Workspace(db_url) as ws:
        (doc,) = add_docs(ws, 1)
        ws.annotations("alice").create_span(doc, 0, 5, "SPEAKER")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
        # Before layers existed, someone could be called "gold".
        conn.execute(
            text("INSERT INTO annotators (name, created_at) VALUES ('gold', '2026-01-01')")
        )
    engine.dispose()
    with Workspace(db_url) as ws:
        names = {a.name: a.kind for a in ws.annotators.all()}
        assert names == {"alice": "person", "gold (person)": "person"}
        assert [s.label for s in ws.annotations("alice").spans(doc)] == ["SPEAKER"]
        gold = ws.annotators.gold()
        assert (gold.name, gold.kind) == ("gold", "gold")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


@pytest.mark.parametrize("name", ["gold", "Gold", " SUGGESTIONS "])
def test_no_person_may_take_a_layers_name(sqlite_url: str, name: str) -> None:
    with Workspace(sqlite_url) as ws, pytest.raises(ValidationError, match="layer"):
        ws.annotators.person(name)


def test_export_layer_gold_exports_only_gold_and_the_manifest_says_so(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(sqlite_url) as ws:
        (doc,) = add_docs(ws, 1)
        alice = ws.annotations("alice")
        alice.create_span(doc, 8, 14, "SPEAKER")
        alice.set_status(doc, "done", force=True)
        gold = ws.annotations(ws.annotators.gold())
        gold.create_span(doc, 27, 30, "SPEAKER")
        gold.set_status(doc, "done", force=True)
    for layer, expected in (("gold", [(27, 30)]), ("alice", [(8, 14)])):
        out = tmp_path / f"{layer}.jsonl"
        code, said = run(
            capsys, "--db", sqlite_url, "export", str(out), "--format", "doccano", "--layer", layer
        )
        assert code == 0, said
        (record,) = [json.loads(line) for line in out.read_text().splitlines()]
        assert [tuple(x[:2]) for x in record["label"]] == expected
        manifest = json.loads(out.with_name(f"{layer}.jsonl.manifest.json").read_text())
        kind = "gold" if layer == "gold" else "person"
        assert manifest["layers"] == [{"name": layer, "kind": kind}]
    # The default training export is people's work; the native backup keeps every layer.
    out = tmp_path / "default.jsonl"
    assert run(capsys, "--db", sqlite_url, "export", str(out), "--format", "doccano")[0] == 0
    assert [r["label"] for r in map(json.loads, out.read_text().splitlines())] == [
        [[8, 14, "SPEAKER"]]
    ]
    backup = tmp_path / "all.jsonl"
    assert run(capsys, "--db", sqlite_url, "export", str(backup))[0] == 0
    restored = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    with Workspace(restored) as ws:
        ws.import_files([backup])
        gold = ws.annotators.find("gold")
        assert gold is not None and gold.kind == "gold"
        doc = ws.documents.by_key("d000")
        assert doc is not None
        assert [(s.start, s.end) for s in ws.annotations(gold).spans(doc.id)] == [(27, 30)]


def test_suggestions_never_reach_a_training_export_unless_named(
    sqlite_url: str, tmp_path: Path
) -> None:
    with Workspace(sqlite_url) as ws:
        (doc,) = add_docs(ws, 1)
        ws.annotations("suggestions").create_span(doc, 8, 14, "SPEAKER")
        ws.annotations("suggestions").set_status(doc, "done", force=True)
        ws.annotations("bob").create_span(doc, 27, 30, "SPEAKER")
        ws.annotations("bob").set_status(doc, "done", force=True)
        ws.export(tmp_path / "train.jsonl", "doccano")
        named = ExportOptions(filter=ExportFilter(annotators=("suggestions",), statuses=("done",)))
        ws.export(tmp_path / "sugg.jsonl", "doccano", named)
    for name, expected in (("train", [[27, 30, "SPEAKER"]]), ("sugg", [[8, 14, "SPEAKER"]])):
        (record,) = map(json.loads, (tmp_path / f"{name}.jsonl").read_text().splitlines())
        assert record["label"] == expected


def test_deal_gives_every_document_to_two_of_three_evenly_and_the_same_for_a_seed() -> None:
    keys = [f"k{i}" for i in range(30)]
    spec = DealSpec(people=("alice", "bob", "carol"), overlap=2, seed=7)
    given = deal(spec, keys, {})
    assert given == deal(spec, keys, {})
    assert sorted(len(v) for v in given.values()) == [20, 20, 20]
    per_doc = {k: sum(k in v for v in given.values()) for k in keys}
    assert set(per_doc.values()) == {2}
    assert given != deal(DealSpec(people=spec.people, overlap=2, seed=8), keys, {})


def test_deal_twenty_percent_doubly_annotated_with_a_cap() -> None:
    keys = [f"k{i}" for i in range(50)]
    spec = DealSpec(people=("alice", "bob"), overlap=2, overlap_share=0.2, per_person=100)
    given = deal(spec, keys, {})
    per_doc = [sum(k in v for v in given.values()) for k in keys]
    assert per_doc.count(2) == 10 and per_doc.count(1) == 40
    capped = deal(DealSpec(people=("alice", "bob"), per_person=5), keys, {})
    assert [len(v) for v in capped.values()] == [5, 5]


def test_assign_never_moves_or_repeats_work_and_stats_show_progress(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(sqlite_url) as ws:
        docs = add_docs(ws, 6)
        # carol already finished d000 before any assignment
        ws.annotations("carol").set_status(docs[0], "done", force=True)
    code, said = run(
        capsys, "--db", sqlite_url, "assign", "--to", "alice", "--to", "carol", "--seed", "1"
    )
    assert code == 0, said
    with Workspace(sqlite_url) as ws:
        assigned = ws.assignments.assigned()
        assert all(len(v) == 1 for v in assigned.values())
        assert docs[0] not in assigned  # covered by carol's finished work, not dealt again
        assert len(assigned) == 5
        before = dict(assigned)
        alice = ws.annotators.find("alice")
        assert alice is not None
        queue = ws.assignments.queue(alice.id)
        ws.annotations("alice").set_status(queue[0], "in_progress", force=True)
        # The window lists alice's queue first, and "next" stays in it.
        listed = ws.documents.ids(alice.id)
        assert listed[: len(queue)] == queue
        assert ws.documents.next_unfinished(alice.id, queue[0]) == (queue[1:] or queue)[0]
    # A second deal adds nothing; unassign keeps what alice started.
    assert run(capsys, "--db", sqlite_url, "assign", "--to", "alice", "--to", "carol")[0] == 0
    code, said = run(capsys, "--db", sqlite_url, "unassign", "--from", "alice")
    assert code == 0 and "kept 1" in said
    with Workspace(sqlite_url) as ws:
        after = ws.assignments.assigned()
        assert {d for d, v in after.items() if "alice" in v} == {queue[0]}
        assert {d: v for d, v in after.items() if "carol" in v} == {
            d: v for d, v in before.items() if "carol" in v
        }
        with pytest.raises(ValidationError, match="already worked"):
            ws.assignments.set_assigned(queue[0], ["carol"])
    code, said = run(capsys, "--db", sqlite_url, "stats")
    assert code == 0
    line = next(x for x in said.splitlines() if x.startswith("alice:"))
    assert line == "alice: assigned 1, new 5, in progress 1, done 0, skipped 0"
    line = next(x for x in said.splitlines() if x.startswith("carol:"))
    assert "done 1" in line


def test_assign_refuses_a_layer_and_an_overlap_larger_than_the_team(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(sqlite_url) as ws:
        add_docs(ws, 2)
    code, said = run(capsys, "--db", sqlite_url, "assign", "--to", "gold")
    assert code == 1 and "gold layer" in said
    code, said = run(capsys, "--db", sqlite_url, "assign", "--to", "a", "--overlap", "2")
    assert code == 1 and "overlap 2" in said
    with Workspace(sqlite_url) as ws:
        assert ws.assignments.assigned() == {}


def test_the_assignment_table_rows_and_the_queue_part_of_the_list(workspace: Workspace) -> None:
    docs = add_docs(workspace, 4)
    alice = workspace.annotators.person("alice")
    workspace.assignments.set_assigned(docs[2], ["alice", "bob"], by="lead")
    workspace.assignments.set_assigned(docs[3], ["alice"], by="lead")
    workspace.annotations("bob").set_status(docs[2], "done")
    workspace.annotations("carol").set_status(docs[0], "in_progress")
    workspace.gold().set_status(docs[0], "done")  # not a person: not in the table
    rows = workspace.assignments.grid([docs[2], docs[0], 999])
    assert [(r.key, r.assigned, r.statuses) for r in rows] == [
        ("d002", frozenset({"alice", "bob"}), {"bob": "done"}),
        ("d000", frozenset(), {"carol": "in_progress"}),
    ]
    assert workspace.documents.listing(alice.id) == ([docs[2], docs[3], docs[0], docs[1]], 2)
    assert workspace.documents.listing(None, search="d001") == ([docs[1]], 0)
    with pytest.raises(ValidationError, match="needs an annotator"):
        workspace.documents.listing(None, statuses=["done"])
