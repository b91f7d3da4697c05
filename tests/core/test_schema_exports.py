"""Exports are consistent with the schema they name, before and after a schema change.

Annotations the export's schema lacks (a database changed by an older version) are refused
with their counts and first examples, or go out with --allow-outside-schema, which the
manifest records. The native export stays lossless: what a schema change archived travels in
each record's archived section and imports back as archived, under the schema it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ExportError
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.workspace import Workspace
from tests.conftest import fresh_pg_database
from tests.core.schema_variants import EXPERIMENT_STEPS, experiment, schema_of, variant

LAYERS = ("alice", "gold")


@pytest.fixture
def other_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second, empty database on the same kind of server."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


@pytest.fixture
def annotated(workspace: Workspace) -> Workspace:
    from annotator.core.services.demo import load_demo

    load_demo(workspace, "alice", team=True)
    return workspace


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def what(span: dict[str, Any]) -> tuple[Any, ...]:
    """A span as a reader identifies it: whose, where, which label and values."""
    values = json.dumps(span["attributes"], sort_keys=True)
    return (span["annotator"], span["start"], span["end"], span["label"], values)


def meaning(path: Path) -> dict[str, Any]:
    """What a native file holds, as a reader understands it: per document, each annotator's
    spans, links (by the spans they join), statuses, and the archive with its reasons; not the
    ids or the order rows happened to get."""
    found = {}
    for r in records(path):
        spans = {s["id"]: what(s) for s in r["spans"]}
        archived = r.get("archived", {})
        old = {
            s["id"]: (*what(s), s["schema"]["version"], s["reason"])
            for s in archived.get("spans", [])
        }
        both = {**spans, **old}
        found[r["id"]] = {
            "text": r["text"],
            "spans": sorted(spans.values()),
            "links": sorted((x["label"], both[x["from"]], both[x["to"]]) for x in r["relations"]),
            "status": sorted((s["annotator"], s["status"]) for s in r["status"]),
            "archived": sorted(old.values()),
            "archived_links": sorted(
                (x["label"], both[x["from"]], both[x["to"]], x["reason"])
                for x in archived.get("relations", [])
            ),
            "archived_values": sorted(
                (both[x["span"]], x["attribute"], json.dumps(x["value"]), x["reason"])
                for x in archived.get("values", [])
            ),
        }
    return found


def test_a_database_left_outside_its_schema_refuses_every_export_naming_what_it_lacks(
    annotated: Workspace, tmp_path: Path
) -> None:
    annotated.schemas.set_active(schema_of(experiment()))  # as an older version let it be
    for fmt in ("native", "statements", "brat", "conll"):
        out = tmp_path / f"out-{fmt}"
        with pytest.raises(ExportError) as info:
            annotated.export(out, fmt, ExportOptions())
        message = str(info.value)
        assert "schema defence_statements 2.0 lacks annotations this export would hold" in message
        assert "label WEAPON is not in the schema: " in message
        assert "e.g. demo-01 627-645 (" in message
        assert "--allow-outside-schema" in message
        assert not out.exists() and not list(tmp_path.glob(f"out-{fmt}*"))


def test_allowed_outside_the_schema_the_export_says_so_and_brat_describes_what_it_holds(
    annotated: Workspace, tmp_path: Path
) -> None:
    annotated.schemas.set_active(schema_of(experiment()))
    result = annotated.export(tmp_path / "brat", "brat", ExportOptions(allow_outside_schema=True))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["schema"]["version"] == "2.0"
    found = manifest["outside_schema"]
    assert found["allowed"] is True
    assert found["found"]["label WEAPON is not in the schema"]["unit"] == "spans"
    weapons = sum(
        line.split("\t")[1].startswith("WEAPON ")
        for ann in (tmp_path / "brat").rglob("*.ann")
        for line in ann.read_text(encoding="utf-8").splitlines()
        if line.startswith("T")
    )
    assert weapons == found["found"]["label WEAPON is not in the schema"]["count"] > 0
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "\nWEAPON" in conf and "about\tArg1:STATEMENT, Arg2:WEAPON" in conf


def test_native_allowed_outside_the_schema_sets_them_apart_and_imports_under_it(
    annotated: Workspace, tmp_path: Path, other_url: str
) -> None:
    new = schema_of(experiment())
    annotated.schemas.set_active(new)
    out = tmp_path / "backup.jsonl"
    annotated.export(out, "native", ExportOptions(allow_outside_schema=True))
    first = records(out)[0]
    weapon = next(s for s in first["archived"]["spans"] if s["label"] == "WEAPON")
    assert weapon["schema"] == {"name": "defence_statements", "version": "1.0"}
    assert weapon["reason"].startswith("outside schema defence_statements 2.0: label WEAPON")
    assert all(s["label"] != "WEAPON" for r in records(out) for s in r["spans"])
    with Workspace(other_url) as fresh:
        fresh.schemas.set_active(new)
        fresh.import_files([out])
        again = tmp_path / "again.jsonl"
        fresh.export(again, "native")  # nothing outside now: no option needed
    assert meaning(again) == meaning(out)


def test_migrate_export_native_import_into_a_fresh_database_identical(
    annotated: Workspace, tmp_path: Path, other_url: str
) -> None:
    """The round trip of issue 10: migrate, export native, import under the new schema."""
    new = schema_of(experiment(EXPERIMENT_STEPS))
    annotated.schema_changes.apply(new, "lead")
    out = tmp_path / "backup.jsonl"
    result = annotated.export(out, "native")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["archived"]["counts"]["spans"] > 0
    held = meaning(out)
    assert any(span[3] == "WEAPON" for doc in held.values() for span in doc["archived"])
    assert not any(s[3] == "WEAPON" for doc in held.values() for s in doc["spans"])
    threatens = [r for r in out.read_text(encoding="utf-8").splitlines() if "threatens" in r]
    assert not any('"stance":"threatens"' in r for r in threatens)

    with Workspace(other_url) as fresh:
        fresh.schema_changes.apply(new, "lead")
        fresh.import_files([out])
        again = tmp_path / "again.jsonl"
        fresh.export(again, "native")
        assert meaning(again) == held
        back_again = "- rename_value: {attribute: STATEMENT.stance, from: threat, to: threatens}\n"
        back = fresh.schema_changes.apply(schema_of(variant("3.0", migrations=back_again)), "lead")
        assert any(what == "WEAPON spans" and n.total > 0 for what, n in back.restored)


def test_the_statements_export_after_a_migration_says_what_it_leaves_out(
    annotated: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotated.schema_changes.apply(schema_of(experiment(EXPERIMENT_STEPS)), "lead")
    result = annotated.export(tmp_path / "st.jsonl", "statements", ExportOptions())
    rows = records(tmp_path / "st.jsonl")
    assert rows and all("weapon" not in row for row in rows)
    assert {row["stance"] for row in rows} <= {
        "supports",
        "opposes",
        "threat",
        "denies",
        "neutral",
        None,
    }
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["schema"]["version"] == "2.0"
    assert manifest["archived_not_exported"]["counts"]["spans"] > 0


def test_the_command_line_option_is_recorded(annotated: Workspace, tmp_path: Path) -> None:
    annotated.schemas.set_active(schema_of(experiment()))
    url = annotated.db.url
    out = tmp_path / "ner.conll"
    with pytest.raises(SystemExit) as info:
        main(["--db", url, "export", str(out), "--format", "conll", "--status", "any"])
    assert info.value.code == 1
    with pytest.raises(SystemExit) as info:
        main(["--db", url, "export", str(out), "--format", "conll", "--status", "any",
              "--allow-outside-schema"])  # fmt: skip
    assert info.value.code in (0, None)
    manifest = json.loads(out.with_name("ner.conll.manifest.json").read_text(encoding="utf-8"))
    assert manifest["outside_schema"]["allowed"] is True


MADE = {"schema": {"name": "defence_statements", "version": "1.0"}, "reason": "archived"}


@pytest.mark.parametrize(
    ("archived", "problem"),
    [
        (
            {"spans": [{"id": "A1", "start": 0, "end": 999, "label": "WEAPON",
                        "annotator": "alice", **MADE}]},
            "archived.spans[0]: span 0-999 lies outside the text",
        ),
        (
            {"spans": [{"id": "A1", "start": 0, "end": 4, "label": "WEAPON", "annotator": "alice",
                        "schema": {"name": "defence_statements"}, "reason": "archived"}]},
            "archived.spans[0].schema: must be {name, version}",
        ),
        (
            {"relations": [{"label": "about", "from": "T1", "to": "A7", "annotator": "alice",
                            **MADE}]},
            "archived.relations[0]: refers to span 'A7', which is not in this record",
        ),
        (
            {"values": [{"span": "T1", "attribute": "form", "value": None, **MADE}]},
            "archived.values[0]: must have span, attribute and a value",
        ),
    ],
)  # fmt: skip
def test_a_broken_archived_section_is_refused_naming_where(
    workspace: Workspace, tmp_path: Path, archived: dict[str, Any], problem: str
) -> None:
    from annotator.core.domain.errors import ImportRejected

    record = {
        "id": "k1",
        "text": "Halvard tests a missile.",
        "spans": [{"id": "T1", "start": 0, "end": 7, "label": "SPEAKER", "annotator": "alice"}],
        "archived": archived,
    }
    source = tmp_path / "backup.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        workspace.import_files([source])
    assert problem in str(info.value)
    assert workspace.documents.count() == 0
