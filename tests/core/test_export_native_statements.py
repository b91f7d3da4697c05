"""Exports as the team lead uses them: a lossless native round trip, and statement tables.

The corpus is the bundled demo, pre-annotated for alice, then edited by alice and bob the way a
team works: deletions, new spans, links, and every kind of document status.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from annotator.core.domain.errors import ExportError, IntegrityError
from annotator.core.domain.records import DocumentRecord
from annotator.core.services.bundled import demo_corpus
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Span

RELATION_FIELDS = {"speaker": "said_by", "target": "aimed_at", "weapon": "about"}
EVERYTHING = ExportFilter(all_layers=True)  # every status and layer: what these tests look at


def export(ws: Workspace, fmt: str, path: Path, flt: ExportFilter = EVERYTHING) -> int:
    """``annotator export --format FMT`` as the window and the command line run it (the
    product's one export path, with its manifest); the number of records written."""
    result = ws.export(path, fmt, ExportOptions(filter=flt))
    assert result.paths == (path,)
    return result.records


def at(text_: str, fragment: str) -> tuple[int, int]:
    start = text_.index(fragment)
    return start, start + len(fragment)


def doc(ws: Workspace, key: str) -> DocumentRecord:
    found = ws.documents.by_key(key)
    assert found is not None, key
    return found


def populate(ws: Workspace) -> None:
    """The demo corpus after a day's work by two annotators."""
    # bob opens the database before alice loads the demo: his row id comes first, so any export
    # order that followed row ids rather than names would differ after a round trip.
    bob = ws.annotations("bob")
    report = load_demo(ws, "alice", team=False)
    assert len(report.imported_ids) == 10 and report.spans > 100
    alice = ws.annotations("alice")
    d1, d2, d3 = doc(ws, "demo-01"), doc(ws, "demo-02"), doc(ws, "demo-03")

    # alice reviews demo-01: one speaker mention goes (with its links), one form is changed.
    spans = alice.spans(d1.id)
    alice.delete_span(next(s for s in spans if s.label == "SPEAKER").id)
    statement = next(s for s in spans if s.label == "STATEMENT")
    alice.set_attribute(statement.id, "form", "partial")
    alice.set_status(d1.id, "done")
    alice.set_status(d2.id, "skipped")

    # bob annotates part of demo-01 himself and starts on demo-03.
    quote = (
        "“Our missile forces will be doubled within five years, and the Tarkan-3 will enter "
        "service before the end of 2027,”"
    )
    st = bob.create_span(d1.id, *at(d1.text, quote), "STATEMENT", {"stance": "threatens"})
    start = d1.text.index("Yılmaz told")
    sp = bob.create_span(d1.id, start, start + len("Yılmaz"), "SPEAKER")
    weapon = bob.create_span(
        d1.id, *at(d1.text, "Tarkan-3"), "WEAPON", {"weapon_type": "ballistic_missile"}
    )
    bob.link(st.id, sp.id, "said_by")
    bob.link(st.id, weapon.id, "about")
    bob.set_status(d1.id, "done")
    quote3 = (
        "“This contract makes Sarnova the first customer outside Halvard for Stormbreaker, "
        "and it won’t be the last,”"
    )
    st3 = bob.create_span(d3.id, *at(d3.text, quote3), "STATEMENT")  # stance not chosen yet
    sp3 = bob.create_span(d3.id, *at(d3.text, "Henrik Aas-Sørensen"), "SPEAKER")
    target3 = bob.create_span(d3.id, *at(d3.text, "Sarnova"), "TARGET")
    bob.link(st3.id, sp3.id, "said_by")
    bob.link(st3.id, target3.id, "aimed_at")


def statuses(record: dict[str, Any]) -> dict[str, str]:
    """A native record's statuses ({annotator, status} objects: fixed keys) by annotator."""
    return {s["annotator"]: s["status"] for s in record["status"]}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- native --


def test_native_export_import_export_is_byte_identical(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    populate(workspace)
    first = tmp_path / "first.jsonl"
    assert export(workspace, "native", first) == 10
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        report = import_paths(other.db, [first], schema=schema, schema_ref=ref)
        assert len(report.imported_ids) == 10 and report.rejected == []
        second = tmp_path / "second.jsonl"
        assert export(other, "native", second) == 10
    assert second.read_bytes() == first.read_bytes()

    # The file holds the work, not only the texts.
    records = {r["id"]: r for r in read_jsonl(first)}
    assert statuses(records["demo-01"]) == {"alice": "done", "bob": "done"}
    assert statuses(records["demo-02"]) == {"alice": "skipped"}
    assert statuses(records["demo-03"]) == {"bob": "in_progress"}
    assert statuses(records["demo-06"]) == {"alice": "in_progress"}
    assert {s["annotator"] for s in records["demo-01"]["spans"]} == {"alice", "bob"}
    assert records["demo-01"]["schema"] == {"name": "defence_statements", "version": "1.0"}
    for record in records.values():
        for span in record["spans"]:
            assert span["text"] == record["text"][span["start"] : span["end"]]
        ids = {s["id"] for s in record["spans"]}
        assert all(r["from"] in ids and r["to"] in ids for r in record["relations"])


def test_native_export_of_an_empty_database_is_refused_and_writes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportError, match=r"nothing to export.*No file was written"):
        export(workspace, "native", out / "empty.jsonl")
    assert list(out.iterdir()) == []


def test_native_export_filtered_by_status(workspace: Workspace, tmp_path: Path) -> None:
    populate(workspace)
    path = tmp_path / "skipped.jsonl"
    flt = ExportFilter(statuses=("skipped",))
    assert export(workspace, "native", path, flt) == 1
    (record,) = read_jsonl(path)
    assert record["id"] == "demo-02"
    assert statuses(record) == {"alice": "skipped"}
    assert record["spans"] and {s["annotator"] for s in record["spans"]} == {"alice"}


# -- statements --


def _statement_count(ws: Workspace, annotator: str | None = None) -> int:
    query = select(func.count()).select_from(Span).where(Span.label == "STATEMENT")
    if annotator is not None:
        query = query.where(Span.annotator_id == ws.annotators.get_or_create(annotator).id)
    with ws.db.read() as s:
        return s.scalar(query) or 0


def test_statements_export_on_the_demo_corpus(workspace: Workspace, tmp_path: Path) -> None:
    populate(workspace)
    path = tmp_path / "statements.jsonl"
    count = export(workspace, "statements", path)
    records = read_jsonl(path)
    in_demo = sum(s["label"] == "STATEMENT" for r in read_jsonl(demo_corpus()) for s in r["spans"])
    assert count == len(records) == _statement_count(workspace) == in_demo + 2  # bob's two
    filled = dict.fromkeys(RELATION_FIELDS, 0)
    for rec in records:
        document = doc(workspace, rec["document_id"])
        assert rec["document_title"] == document.title
        assert rec["text"] == document.text[rec["start"] : rec["end"]]
        c0 = rec["context_start"]
        assert rec["context"] == document.text[c0 : c0 + len(rec["context"])]
        assert rec["context"][rec["start"] - c0 : rec["end"] - c0] == rec["text"]
        assert "stance" in rec and "form" in rec
        if rec["annotator"] == "alice":  # the demo's pre-annotations are complete
            assert rec["stance"] in ("supports", "opposes", "threatens", "denies", "neutral")

        # Speaker, target and weapon lists are exactly the statement's links in the store.
        ann = workspace.annotations(rec["annotator"])
        spans = {s.id: s for s in ann.spans(document.id)}
        (statement,) = [
            s
            for s in spans.values()
            if s.label == "STATEMENT" and (s.start, s.end) == (rec["start"], rec["end"])
        ]
        links = ann.relations(document.id)
        for field, relation in RELATION_FIELDS.items():
            expected = sorted(
                (spans[r.target_id].start, spans[r.target_id].end)
                for r in links
                if r.source_id == statement.id and r.label == relation
            )
            assert sorted((m["start"], m["end"]) for m in rec[field]) == expected
            for mention in rec[field]:
                assert mention["text"] == document.text[mention["start"] : mention["end"]]
            filled[field] += len(rec[field])
        assert len(rec["speaker"]) <= 1  # said_by allows one
    assert all(n > 10 for n in filled.values()), filled
    by_bob = [r for r in records if r["annotator"] == "bob"]
    assert sorted((r["document_id"], r["stance"]) for r in by_bob) == [
        ("demo-01", "threatens"),
        ("demo-03", None),
    ]
    (d3,) = [r for r in by_bob if r["document_id"] == "demo-03"]
    assert [m["text"] for m in d3["speaker"]] == ["Henrik Aas-Sørensen"]
    assert [m["text"] for m in d3["target"]] == ["Sarnova"]
    assert d3["weapon"] == []


def test_statements_export_filters_by_annotator_and_status(
    workspace: Workspace, tmp_path: Path
) -> None:
    populate(workspace)

    def statements(**kw: Any) -> list[dict[str, Any]]:
        path = tmp_path / "out.jsonl"
        count = export(workspace, "statements", path, ExportFilter(**kw))
        records = read_jsonl(path)
        assert count == len(records)
        return records

    bobs = statements(annotators=("bob",))
    assert {r["annotator"] for r in bobs} == {"bob"}
    assert len(bobs) == _statement_count(workspace, "bob") == 2
    done = statements(statuses=("done",))
    assert {(r["annotator"], r["document_id"]) for r in done} == {
        ("alice", "demo-01"),
        ("bob", "demo-01"),
    }
    started = statements(annotators=("bob",), statuses=("in_progress",))
    assert [(r["annotator"], r["document_id"]) for r in started] == [("bob", "demo-03")]
    # The demo's pre-annotated articles start in progress for the one who loaded them.
    alices_open = statements(annotators=("alice",), statuses=("in_progress",))
    assert {r["document_id"] for r in alices_open} == {"demo-06", "demo-08"}
    with pytest.raises(ExportError) as nothing:  # new for someone, so no statement of theirs
        statements(statuses=("new",))
    assert str(nothing.value).startswith(
        "nothing to export: 9 documents selected, but none holds what Statements JSONL writes;"
    )


def test_export_for_an_unknown_annotator_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    load_demo(workspace, "alice")
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="no annotator called carol"):
        export(workspace, "statements", out / "x.jsonl", ExportFilter(annotators=("carol",)))
    assert not out.exists() or list(out.iterdir()) == []


# -- integrity and atomic files --


@pytest.mark.parametrize("fmt", ["native", "statements"])
def test_a_changed_text_stops_the_export_and_leaves_no_partial_file(
    workspace: Workspace, tmp_path: Path, fmt: str
) -> None:
    load_demo(workspace, "alice")
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "earlier.jsonl"
    export(workspace, fmt, earlier)
    kept = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(kept) == ["earlier.jsonl", "earlier.jsonl.manifest.json"]
    # Someone edits an article's text behind the tool's back: its spans would now be shifted.
    with workspace.db.write() as s:
        s.execute(text("UPDATE documents SET text = 'Edited. ' || text WHERE key = 'demo-06'"))
    with pytest.raises(IntegrityError, match="document 'demo-06': its text changed after import"):
        export(workspace, fmt, out / "export.jsonl")
    # neither the file, its manifest nor any staging left behind
    assert {p.name: p.read_bytes() for p in out.iterdir()} == kept
    # The earlier export at that path is kept as it was, not half overwritten.
    with pytest.raises(IntegrityError):
        export(workspace, fmt, earlier)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == kept
    with pytest.raises(IntegrityError, match="demo-06"):
        workspace.documents.verify(doc(workspace, "demo-06").id)
    workspace.documents.verify(doc(workspace, "demo-05").id)


def test_a_statements_export_of_done_documents_without_a_statement_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    doc = workspace.documents.add("Gen. Ivanov spoke of drones.\nMore text.", key="k1")
    alice = workspace.annotations("alice")
    alice.create_span(doc.id, 5, 11, "SPEAKER")
    alice.set_status(doc.id, "done")
    with pytest.raises(ExportError) as refused:
        export(workspace, "statements", tmp_path / "s.jsonl")
    assert str(refused.value) == (
        "nothing to export: 1 document selected, but none holds what Statements JSONL writes; "
        "choose another format or check the filters. No file was written."
    )
    assert not (tmp_path / "s.jsonl").exists()
