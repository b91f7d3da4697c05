"""A doccano or Prodigy file imports with its annotations without being told its layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.formats.readers import sniff_jsonl_layout
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace


@pytest.mark.parametrize("fmt", ["native", "doccano", "doccano-rel", "prodigy"])
def test_layout_is_recognised_and_annotations_come_along(
    fmt: str, tmp_path: Path, sqlite_url: str
) -> None:
    with Workspace(sqlite_url) as ws:
        load_demo(ws, "alice", team=False)
        schema = ws.active_schema()
        out = tmp_path / f"{fmt}.jsonl"
        export_dataset(ws.db, schema, out, fmt, ExportOptions(filter=ExportFilter()))
    expected = {
        "native": "native",
        "doccano": "doccano",
        "doccano-rel": "doccano",
        "prodigy": "prodigy",
    }[fmt]
    assert sniff_jsonl_layout(out) == expected
    with Workspace(f"sqlite:///{tmp_path / 'fresh.sqlite3'}") as fresh:
        schema = fresh.active_schema()
        ref = fresh.schemas.register(schema)
        report = import_paths(fresh.db, [out], schema=schema, schema_ref=ref, annotator="bob")
        records = [ln for ln in out.read_text("utf-8").splitlines() if ln.strip()]
        assert len(report.imported_ids) == len(records) >= 4
        assert report.spans > 100  # the demo's pre-annotated articles, not bare texts


def test_plain_records_are_ours(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl"
    path.write_text('{"text": "Headline\\nBody."}\n', encoding="utf-8")
    assert sniff_jsonl_layout(path) == "native"
    path.write_text("not json\n", encoding="utf-8")
    assert sniff_jsonl_layout(path) == "native"  # the native reader names the bad line
