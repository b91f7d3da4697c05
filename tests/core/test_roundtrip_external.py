"""Round trips: what goes out comes back in the same, through our format and through doccano's
and Prodigy's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ImportRejected
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import ImportReport, import_paths
from annotator.core.services.workspace import Workspace
from tests.conftest import fresh_pg_database
from tests.core.test_export_formats import NESTED, at, build_corpus

EVERYTHING = ExportFilter()  # all statuses: the whole database


@pytest.fixture
def second_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


def native(ws: Workspace, path: Path) -> list[dict[str, Any]]:
    export_dataset(ws.db, ws.active_schema(), path, "native", ExportOptions(filter=EVERYTHING))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def annotations(records: list[dict[str, Any]]) -> tuple[set[Any], set[Any]]:
    """Every span (document, annotator, start, end, label, attributes) and every link
    (document, annotator, label, source span, target span) of a native export."""
    spans, links = set(), set()
    for r in records:
        by_id = {}
        for s in r["spans"]:
            by_id[s["id"]] = (s["start"], s["end"], s["label"])
            attrs = json.dumps(s["attributes"], sort_keys=True)
            spans.add((r["id"], s["annotator"], s["start"], s["end"], s["label"], attrs))
        for rel in r["relations"]:
            links.add(
                (r["id"], rel["annotator"], rel["label"], by_id[rel["from"]], by_id[rel["to"]])
            )
    return spans, links


def import_into(url: str, path: Path, fmt: str) -> tuple[Workspace, ImportReport]:
    ws = Workspace(url)
    schema = ws.active_schema()
    report = import_paths(
        ws.db, [path], schema=schema, schema_ref=ws.schemas.register(schema), fmt=fmt
    )
    return ws, report


def test_native_export_import_export_is_identical(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    build_corpus(workspace)
    first = tmp_path / "first.jsonl"
    native(workspace, first)
    ws, report = import_into(second_url, first, "jsonl")
    with ws:
        assert len(report.imported_ids) == 5 and report.rejected == []
        second = tmp_path / "second.jsonl"
        native(ws, second)
    assert second.read_bytes() == first.read_bytes()
    m1 = json.loads((tmp_path / "first.jsonl.manifest.json").read_text(encoding="utf-8"))
    m2 = json.loads((tmp_path / "second.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert m1["splits"] == m2["splits"]
    assert m1["files"]["all"]["sha256"] == m2["files"]["all"]["sha256"]


@pytest.mark.parametrize("fmt", ["doccano", "doccano-rel", "prodigy"])
def test_external_formats_come_back_with_the_same_annotations(
    workspace: Workspace, second_url: str, tmp_path: Path, fmt: str
) -> None:
    build_corpus(workspace)
    before_spans, before_links = annotations(native(workspace, tmp_path / "before.jsonl"))
    out = tmp_path / f"{fmt}.jsonl"
    result = export_dataset(
        workspace.db, workspace.active_schema(), out, fmt, ExportOptions(filter=EVERYTHING)
    )
    reader = "prodigy" if fmt == "prodigy" else "doccano"
    ws, report = import_into(second_url, out, reader)
    with ws:
        assert report.rejected == [] and report.skipped == []
        after_spans, after_links = annotations(native(ws, tmp_path / "after.jsonl"))
        imported_keys = {ws.documents.get(i).key for i in report.imported_ids}
    # Every document with work (the one done with nothing to mark too) comes back, keys kept.
    assert imported_keys == {"nested", "plain", "combining", "negative", "open"}
    if fmt == "prodigy":
        # bob's "missile" ends inside "missiles": left out of the tokens, reported, with its link.
        missile = ("nested", "bob", *at(NESTED, "missile"), "WEAPON")
        lost = {s for s in before_spans if s[:5] == missile}
        assert len(lost) == 1 and result.misaligned == 1
        assert after_spans == before_spans - lost
        assert after_links == {link for link in before_links if link[4] != missile[2:]}
    elif fmt == "doccano":
        assert after_spans == before_spans
        assert after_links == set()  # the sequence-labelling layout has no links
    else:
        assert after_spans == before_spans
        assert after_links == before_links


def test_prodigy_answers_other_than_accept_are_reported_not_imported(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "db-out.jsonl"
    tasks = [
        {
            "text": "Estmar denies it.",
            "spans": [{"start": 0, "end": 6, "label": "SPEAKER"}],
            "answer": "accept",
            "_annotator_id": "news_ner-dana",
        },
        {"text": "Korvath warns Estmar.", "spans": [], "answer": "reject"},
        {"text": "Something else.", "answer": "ignore"},
    ]
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    ws, report = import_into(sqlite_url, path, "prodigy")
    with ws:
        assert len(report.imported_ids) == 1
        assert report.skipped == [
            f"{path}:2: Prodigy answer 'reject', not accept; not imported",
            f"{path}:3: Prodigy answer 'ignore', not accept; not imported",
        ]
        (doc_id,) = report.imported_ids
        dana = ws.annotations("news_ner-dana")
        assert [(s.start, s.end, s.label) for s in dana.spans(doc_id)] == [(0, 6, "SPEAKER")]


def test_doccano_files_from_doccano_itself(sqlite_url: str, tmp_path: Path) -> None:
    """doccano's own exports: ``label`` or older ``labels``, its numeric ids, extra columns."""
    path = tmp_path / "admin.jsonl"
    lines = [
        {
            "id": 7,
            "text": "Estmar denies shipping rockets.",
            "label": [[0, 6, "SPEAKER"]],
            "Comments": [],
        },
        {"id": 8, "text": "Korvath tests a drone.", "labels": [[16, 21, "WEAPON"]]},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Workspace(sqlite_url) as ws:
        schema = ws.active_schema()
        ref = ws.schemas.register(schema)
        with pytest.raises(ImportRejected, match="no annotator given"):
            import_paths(ws.db, [path], schema=schema, schema_ref=ref, fmt="doccano")
        report = import_paths(
            ws.db, [path], schema=schema, schema_ref=ref, fmt="doccano", annotator="erin"
        )
        assert report.rejected == [] and len(report.imported_ids) == 2
        doc = ws.documents.by_key("7")
        assert doc is not None and doc.meta == {"Comments": []}
        erin = ws.annotations("erin")
        assert [(s.label, doc.text[s.start : s.end]) for s in erin.spans(doc.id)] == [
            ("SPEAKER", "Estmar")
        ]
        other = ws.documents.by_key("8")
        assert other is not None
        assert [other.text[s.start : s.end] for s in erin.spans(other.id)] == ["drone"]


def test_a_bad_doccano_line_is_named(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"text": "Fine.", "label": []})
        + "\n"
        + json.dumps({"text": "Broken.", "label": [[0, "x", "SPEAKER"]]})
        + "\n",
        encoding="utf-8",
    )
    with Workspace(sqlite_url) as ws, pytest.raises(ImportRejected) as info:
        schema = ws.active_schema()
        import_paths(
            ws.db, [path], schema=schema, schema_ref=ws.schemas.register(schema), fmt="doccano"
        )
    assert f"{path}:2: label[0][1]: must be a whole number, got 'x'" in str(info.value)


def test_import_command_reads_doccano(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "d.jsonl"
    record = {"text": "Estmar denies it.", "label": [[0, 6, "SPEAKER"]], "annotator": "fay"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["--db", sqlite_url, "import", "--format", "doccano", str(path)])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    assert out.startswith("imported 1 document with 1 span")
