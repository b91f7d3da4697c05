"""A link's own values (stance toward each target) in every export that can hold them, and
back from a native file: "threatens Israel" while "supports Hezbollah" must survive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from annotator.core.domain.errors import ExportError, ImportRejected
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from tests.conftest import fresh_pg_database

TEXT = "Iran said it will arm Hezbollah and strike Israel if attacked. Analysts shrugged.\n"
EVERYTHING = ExportFilter(all_layers=True)


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def annotate(ws: Workspace) -> None:
    """One statement with three targets: threatened, supported, and one with no value set."""
    doc = ws.documents.add(TEXT, key="d1", title="Iran").id
    alice = ws.annotations("alice")
    statement = alice.create_span(doc, *at(TEXT[:62]), "STATEMENT", {"stance": "threatens"})
    speaker = alice.create_span(doc, *at("Iran"), "SPEAKER")
    alice.link(statement.id, speaker.id, "said_by")
    for name, value in (("Israel", "threatens"), ("Hezbollah", "supports"), ("Analysts", None)):
        target = alice.create_span(doc, *at(name), "TARGET")
        link = alice.link(statement.id, target.id, "aimed_at")
        if value is not None:
            alice.set_relation_attribute(link.id, "stance_toward", value)
    alice.set_status(doc, "done", force=True)


def export(ws: Workspace, fmt: str, path: Path) -> Path:
    result = ws.export(path, fmt, ExportOptions(filter=EVERYTHING))
    return result.paths[0]


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def second_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


def test_native_keeps_link_values_and_reimports_them(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    annotate(workspace)
    first = export(workspace, "native", tmp_path / "first.jsonl")
    (record,) = lines(first)
    spans = {s["id"]: s["text"] for s in record["spans"]}
    values = {(r["label"], spans[r["to"]]): r["attributes"] for r in record["relations"]}
    assert values == {
        ("said_by", "Iran"): {"stance_toward": None},  # fixed keys, null when unset
        ("aimed_at", "Israel"): {"stance_toward": "threatens"},
        ("aimed_at", "Hezbollah"): {"stance_toward": "supports"},
        ("aimed_at", "Analysts"): {"stance_toward": None},
    }
    with Workspace(second_url) as other:
        schema = other.active_schema()
        report = import_paths(
            other.db, [first], schema=schema, schema_ref=other.schemas.register(schema)
        )
        assert report.rejected == []
        alice = other.annotations("alice")
        doc = other.documents.by_key("d1")
        assert doc is not None
        by_target = {
            TEXT[s.start : s.end]: r.attributes
            for r in alice.relations(doc.id)
            for s in alice.spans(doc.id)
            if s.id == r.target_id
        }
        assert by_target["Israel"] == {"stance_toward": "threatens"}
        assert by_target["Analysts"] == {}  # null is "not set", never stored as a value
        second = export(other, "native", tmp_path / "second.jsonl")
    assert second.read_bytes() == first.read_bytes()


def test_a_native_file_with_a_bad_link_value_is_refused_naming_it(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    annotate(workspace)
    first = export(workspace, "native", tmp_path / "first.jsonl")
    record = lines(first)[0]
    record["relations"][1]["attributes"]["stance_toward"] = "bombs"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        with pytest.raises(ImportRejected) as refused:
            import_paths(other.db, [bad], schema=schema, schema_ref=ref)
        message = str(refused.value)
        assert "bad.jsonl:1: relations[1]: aimed_at.stance_toward" in message
        assert "'bombs' is not an allowed value" in message
        assert other.documents.count() == 0  # nothing was imported


def test_statements_give_each_target_its_stance_toward(
    workspace: Workspace, tmp_path: Path
) -> None:
    annotate(workspace)
    path = export(workspace, "statements", tmp_path / "statements.jsonl")
    (record,) = lines(path)
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text("utf-8"))
    assert manifest["label_lists"]["aimed_at.stance_toward"] == [
        "supports",
        "opposes",
        "threatens",
        "denies",
        "neutral",
    ]
    assert record["stance"] == "threatens"
    assert {m["text"]: m["stance_toward"] for m in record["target"]} == {
        "Israel": "threatens",
        "Hezbollah": "supports",
        "Analysts": None,
    }
    assert "stance_toward" not in record["speaker"][0]  # said_by has no such attribute


def test_doccano_rel_and_prodigy_relation_records_carry_the_values(
    workspace: Workspace, tmp_path: Path
) -> None:
    annotate(workspace)
    (doccano,) = lines(export(workspace, "doccano-rel", tmp_path / "doccano.jsonl"))
    entities = {e["id"]: TEXT[e["start_offset"] : e["end_offset"]] for e in doccano["entities"]}
    assert {(r["type"], entities[r["to_id"]]): r["attributes"] for r in doccano["relations"]} == {
        ("said_by", "Iran"): {"stance_toward": None},
        ("aimed_at", "Israel"): {"stance_toward": "threatens"},
        ("aimed_at", "Hezbollah"): {"stance_toward": "supports"},
        ("aimed_at", "Analysts"): {"stance_toward": None},
    }
    (task,) = lines(export(workspace, "prodigy", tmp_path / "prodigy.jsonl"))
    got = {
        (r["label"], TEXT[r["child_span"]["start"] : r["child_span"]["end"]]): r["attributes"]
        for r in task["relations"]
    }
    assert got[("aimed_at", "Israel")] == {"stance_toward": "threatens"}
    assert got[("aimed_at", "Analysts")] == {"stance_toward": None}


def test_brat_writes_no_attribute_line_on_a_relation_and_the_manifest_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    annotate(workspace)
    out = tmp_path / "brat"
    workspace.export(out, "brat", ExportOptions(filter=EVERYTHING))
    ann = (out / "alice" / "d1.ann").read_text(encoding="utf-8")
    relation_ids = {line.split("\t")[0] for line in ann.splitlines() if line.startswith("R")}
    assert len(relation_ids) == 4
    attribute_targets = [line.split()[2] for line in ann.splitlines() if line.startswith("A")]
    assert attribute_targets and all(t.startswith("T") for t in attribute_targets)
    assert "stance_toward" not in ann
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "stance_toward" not in conf  # brat would refuse Arg:<RELATION>
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    layout = json.dumps(manifest)
    assert "aimed_at.stance_toward" in layout and "not to relations" in layout


@pytest.mark.parametrize(("fmt", "read_as"), [("doccano-rel", "doccano"), ("prodigy", "prodigy")])
def test_doccano_rel_and_prodigy_files_bring_the_values_back(
    workspace: Workspace, second_url: str, tmp_path: Path, fmt: str, read_as: str
) -> None:
    annotate(workspace)
    path = export(workspace, fmt, tmp_path / f"{fmt}.jsonl")
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        report = import_paths(other.db, [path], schema=schema, schema_ref=ref, fmt=read_as)
        assert report.rejected == []
        doc = other.documents.by_key("d1")
        assert doc is not None
        alice = other.annotations("alice")
        words = {s.id: TEXT[s.start : s.end] for s in alice.spans(doc.id)}
        assert {words[r.target_id]: r.attributes for r in alice.relations(doc.id)} == {
            "Iran": {},
            "Israel": {"stance_toward": "threatens"},
            "Hezbollah": {"stance_toward": "supports"},
            "Analysts": {},
        }


def test_a_link_value_outside_the_schema_refuses_the_export_or_goes_out_set_apart(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    """A value the schema lacks (left by an older version, or an import): named and refused;
    allowed, native sets the link apart whole, with its values, and imports it as archived."""
    annotate(workspace)
    alice = workspace.annotations("alice")
    doc = workspace.documents.by_key("d1")
    assert doc is not None
    israel = next(r for r in alice.relations(doc.id) if r.attributes)
    with workspace.db.write() as s:
        s.execute(
            text("UPDATE relations SET attributes = :a WHERE id = :i"),
            {"a": json.dumps({"stance_toward": "bombs"}), "i": israel.id},
        )
    with pytest.raises(ExportError, match=r"value aimed_at\.stance_toward 'bombs' is not in"):
        export(workspace, "native", tmp_path / "refused.jsonl")
    allowed = ExportOptions(filter=EVERYTHING, allow_outside_schema=True)
    path = workspace.export(tmp_path / "kept.jsonl", "native", allowed).paths[0]
    (record,) = lines(path)
    (kept,) = record["archived"]["relations"]
    assert kept["attributes"] == {"stance_toward": "bombs"}
    assert "outside schema" in kept["reason"]
    assert len(record["relations"]) == 3  # the others stay live
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        assert import_paths(other.db, [path], schema=schema, schema_ref=ref).rejected == []
        again = other.export(tmp_path / "again.jsonl", "native", allowed).paths[0]
    (back,) = lines(again)
    assert back["archived"]["relations"][0]["attributes"] == {"stance_toward": "bombs"}
