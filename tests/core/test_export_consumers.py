"""Exports as their real consumers load them: Hugging Face ``datasets`` on every split file.

The corpus is the demo after two annotators' work (``populate``): statuses by two names,
attributes set on some spans and not on others, so split files differ the way real ones do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.core.domain.text import sentence_bounds
from annotator.core.services.bundled import demo_corpus
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from tests.conftest import REPO
from tests.core.test_export_native_statements import populate, read_jsonl

datasets = pytest.importorskip("datasets")

JSONL_FORMATS = ("native", "statements", "doccano", "doccano-rel", "prodigy")


def _split() -> SplitSpec:
    return SplitSpec.parse("train=0.5,dev=0.25,test=0.25")


def _export(ws: Workspace, out: Path, fmt: str, **kw: Any) -> Any:
    options = ExportOptions(filter=ExportFilter(), split=_split(), **kw)
    return export_dataset(ws.db, ws.active_schema(), out, fmt, options)


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Any:
    with Workspace(f"sqlite:///{tmp_path / 'team.sqlite3'}") as ws:
        yield ws


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
def test_every_split_loads_with_datasets(sqlite_ws: Workspace, tmp_path: Path, fmt: str) -> None:
    populate(sqlite_ws)
    # carol has looked at one document only: her name is in one split file's statuses
    carol = sqlite_ws.annotations("carol")
    found = sqlite_ws.documents.by_key("demo-05")
    assert found is not None
    carol.set_status(found.id, "skipped")
    out = tmp_path / fmt
    _export(sqlite_ws, out, fmt)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {part: str(out / f["path"]) for part, f in manifest["files"].items()}
    cache = str(tmp_path / "hf")
    features = set()
    for path in files.values():  # each split file alone, as the team lead loaded them
        ds = datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)
        features.add(repr(ds.features))
    assert len(features) == 1, f"{fmt}: split files have different columns"
    # datasets 5 stores objects whose keys vary (statuses keyed by name, attributes set on some
    # spans) as opaque Json; 2.x-4.x refuse the file. Fixed keys give typed columns instead.
    # (doccano's own layout puts mixed [start, end, "LABEL"] triples in ``label``: that column
    # alone cannot be typed, whatever the export does.)
    typed = {k: v for k, v in ds.features.items() if not (fmt == "doccano" and k == "label")}
    assert "Json(" not in repr(typed), f"{fmt}: a column's keys vary from record to record"
    loaded = datasets.load_dataset("json", data_files=files, cache_dir=cache)
    assert {k: len(v) for k, v in loaded.items()} == {
        p: manifest["splits"][p]["records"] for p in files
    }
    # A ClassLabel per choice attribute from the manifest, the same for every split.
    stance = datasets.ClassLabel(names=manifest["label_lists"]["STATEMENT.stance"])
    weapon = datasets.ClassLabel(names=manifest["label_lists"]["WEAPON.weapon_type"])
    assert stance.num_classes == 5 and weapon.num_classes >= 2
    if fmt == "statements":  # every split's stance values map into the one ClassLabel
        for part in loaded.values():
            assert all(stance.str2int(v) >= 0 for v in part["stance"] if v is not None)


def test_statement_ids_survive_backup_and_restore(sqlite_ws: Workspace, tmp_path: Path) -> None:
    populate(sqlite_ws)
    schema = sqlite_ws.active_schema()
    backup = tmp_path / "backup.jsonl"
    plain = ExportOptions(filter=ExportFilter())
    export_dataset(sqlite_ws.db, schema, backup, "native", plain)
    before = tmp_path / "before.jsonl"
    export_dataset(sqlite_ws.db, schema, before, "statements", plain)
    rel_before = tmp_path / "rel_before.jsonl"
    export_dataset(sqlite_ws.db, schema, rel_before, "doccano-rel", plain)
    with Workspace(f"sqlite:///{tmp_path / 'restored.sqlite3'}") as other:
        # Row ids differ in the restored database: a span nobody keeps takes id 1 first.
        ref = other.schemas.register(schema)
        report = import_paths(other.db, [backup], schema=schema, schema_ref=ref)
        assert report.rejected == []
        after = tmp_path / "after.jsonl"
        export_dataset(other.db, schema, after, "statements", plain)
        rel_after = tmp_path / "rel_after.jsonl"
        export_dataset(other.db, schema, rel_after, "doccano-rel", plain)
    statements_before, statements_after = read_jsonl(before), read_jsonl(after)
    ids = [r["id"] for r in statements_before]
    assert ids == [r["id"] for r in statements_after]  # the statements' own ids
    assert len(set(ids)) == len(ids)
    speakers = [[m["id"] for m in r["speaker"]] for r in statements_before]
    assert speakers == [[m["id"] for m in r["speaker"]] for r in statements_after]
    # doccano's entity and relation ids (local to a record) point at the same spans too
    assert read_jsonl(rel_before) == read_jsonl(rel_after)


def test_doccano_export_reports_overlapping_spans(sqlite_ws: Workspace, tmp_path: Path) -> None:
    populate(sqlite_ws)
    result = _export(sqlite_ws, tmp_path / "doccano", "doccano")
    assert result.problems["doccano_overlap"].count > 0
    manifest = json.loads((tmp_path / "doccano" / "manifest.json").read_text(encoding="utf-8"))
    assert "overlapping" in manifest["problems"]["doccano_overlap"]["meaning"]


@pytest.mark.parametrize("fmt", ["spacy", "doccano"])
def test_default_export_of_the_demo_refuses_to_write_nothing(tmp_path: Path, fmt: str) -> None:
    """The demo articles' pre-annotations are in progress: the default (done only) selects
    nothing when the team's finished work is left out."""
    if fmt == "spacy":
        pytest.importorskip("spacy")
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with Workspace(url) as ws:
        load_demo(ws, "alice", team=False)
    out = tmp_path / "train"
    # A real process: the exit status is what a script or CI job sees.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "annotator",
            "--db",
            url,
            "export",
            str(out),
            "--format",
            fmt,
            "--split",
            "train=0.8,dev=0.2",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    err = done.stderr
    assert done.returncode != 0, err
    assert "no document is marked done" in err and "--status any" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "demo.sqlite3"]


def test_schema_check_refuses_an_attribute_name_with_two_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two_types.yaml"
    path.write_text(
        "name: two_types\nversion: '1'\nlabels:\n"
        "  - name: STATEMENT\n    color: '#f2b134'\n    attributes:\n"
        "      - name: kind\n        type: choice\n        values: [a, b]\n"
        "  - name: WEAPON\n    color: '#123456'\n    attributes:\n"
        "      - name: kind\n        type: text\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as info:
        main(["schema", "check", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == 1
    assert f"{path}:13" in err and "kind" in err and "choice" in err


ABBREVIATED = re.compile(r"\b(?:Gen|Adm|Lt|Col|Dr|Dec|Jan|No|U\.S|[A-Z])\.\s*\Z")


def test_no_demo_span_crosses_a_sentence_start_after_an_abbreviation() -> None:
    """Statements' context is whole sentences: "Gen. Mehmet Yılmaz" is one name, not two."""
    crossing = []
    for record in read_jsonl(demo_corpus()):
        text = record["text"]
        bounds = sentence_bounds(text)
        for sp in record["spans"]:
            for start, _ in bounds:
                if sp["start"] < start < sp["end"] and (
                    sp["label"] != "STATEMENT"
                    or ABBREVIATED.search(text[:start])
                    or text[start - 2 : start] == "… "
                ):
                    crossing.append((record["id"], sp["label"], text[start - 12 : start + 8]))
    assert crossing == []


@pytest.mark.parametrize(
    "text",
    [
        "Gen. Mehmet Yılmaz spoke on Dec. 29 at pier No. 5.",
        "Lt. Col. Ana Ruiz and Adm. Ola Berg met U.S. officials.",
        "The U.S. Navy and J. Smith agreed.",
        "The plan is ambitious … what matters is the plant.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert sentence_bounds(text) == [(0, len(text))]


def test_real_sentence_ends_still_split() -> None:
    text = "It ended in Dec. Then he left. He said no. Fine… We go."
    assert [text[s:e] for s, e in sentence_bounds(text)] == [
        "It ended in Dec.",
        "Then he left.",
        "He said no.",
        "Fine…",
        "We go.",
    ]
