"""The manifest's Hugging Face Features, with the real ``datasets``: every split loads with them.

``datasets`` types each file alone, so a value that is null throughout one split file (a link's
stance set in one split only, a mention attribute nobody chose) makes that split's column
``null`` and the splits disagree. The manifest's ``features`` (computed from the schema) give
every split the same columns; its ``label_lists`` give each choice attribute's ClassLabel.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from annotator.cli import main
from annotator.core.domain.schema import parse_schema
from annotator.core.formats.writers.doccano import report_overlaps
from annotator.core.formats.writers.documents import ExportDocument, ExportSpan
from annotator.core.formats.writers.hf_features import MetaShape
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Unit
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.workspace import Workspace
from tests.core.test_export_formats import KINDS_SCHEMA
from tests.core.test_export_link_attributes import EVERYTHING, annotate
from tests.core.test_export_native_statements import populate, read_jsonl

datasets = pytest.importorskip("datasets")

TYPED_FORMATS = ("native", "statements", "doccano-rel", "prodigy")
NULL = "'null'"  # a column typed null: Value('null') in datasets 5, Value(dtype='null') in 2.x


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Any:
    with Workspace(f"sqlite:///{tmp_path / 'team.sqlite3'}") as ws:
        yield ws


def set_one_stance_toward(ws: Workspace) -> None:
    """bob's aimed_at link on demo-03 gets a stance: one split has the value, the others have
    stance_toward null throughout."""
    found = ws.documents.by_key("demo-03")
    assert found is not None
    bob = ws.annotations("bob")
    links = [r for r in bob.relations(found.id) if r.label == "aimed_at"]
    assert links
    bob.set_relation_attribute(links[0].id, "stance_toward", "opposes")


def export(ws: Workspace, out: Path, fmt: str) -> dict[str, Any]:
    split = SplitSpec.parse("train=0.5,dev=0.25,test=0.25")
    options = ExportOptions(filter=ExportFilter(), split=split)
    export_dataset(ws.db, ws.active_schema(), out, fmt, options)
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def split_files(out: Path, manifest: dict[str, Any]) -> dict[str, str]:
    return {part: str(out / f["path"]) for part, f in manifest["files"].items()}


def without_nulls(value: Any) -> Any:
    """A record with null values left out, at every depth: ``datasets`` gives a key that a record
    lacks (``registry`` without entities) as null."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def with_class_labels(feature: Any, lists: dict[str, list[str]]) -> Any:
    """The manifest's features with each choice attribute a ClassLabel of its label list."""
    if isinstance(feature, list):
        return [with_class_labels(f, lists) for f in feature]
    if not isinstance(feature, dict) or feature.get("_type") == "Value":
        return feature
    return {
        k: {"names": lists[k], "_type": "ClassLabel"}
        if k in lists and f == {"dtype": "string", "_type": "Value"}
        else with_class_labels(f, lists)
        for k, f in feature.items()
    }


@pytest.mark.parametrize("fmt", TYPED_FORMATS)
def test_splits_with_all_null_values_load_together_with_the_manifest_features(
    sqlite_ws: Workspace, tmp_path: Path, fmt: str
) -> None:
    populate(sqlite_ws)
    set_one_stance_toward(sqlite_ws)
    out = tmp_path / fmt
    manifest = export(sqlite_ws, out, fmt)
    files = split_files(out, manifest)
    cache = str(tmp_path / "hf")
    # Without features, datasets types some column null in one split and not in another.
    inferred = {
        part: datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)
        for part, path in files.items()
    }
    assert NULL in repr([ds.features for ds in inferred.values()])
    assert len({repr(ds.features) for ds in inferred.values()}) > 1, "no split differs"
    features = datasets.Features.from_dict(manifest["features"])
    loaded = datasets.load_dataset("json", data_files=files, features=features, cache_dir=cache)
    assert set(loaded) == set(files)
    for part, ds in loaded.items():
        assert ds.features == features
        assert NULL not in repr(ds.features)
        assert len(ds) == manifest["splits"][part]["records"]
        records = read_jsonl(Path(files[part]))
        for row, record in zip(ds, records, strict=True):
            # a date, as the record writes it (a string typed column read "2026-03-14 00:00:00")
            published, given = row.pop("published", None), record.pop("published", None)
            assert published == (given and date.fromisoformat(given))
            assert without_nulls(row) == without_nulls(record)
    # Every choice attribute as a ClassLabel from the manifest's label lists, in every split.
    lists = {key.split(".", 1)[1]: names for key, names in manifest["label_lists"].items()}
    assert {"stance", "weapon_type", "stance_toward"} <= lists.keys()
    labelled = datasets.Features.from_dict(with_class_labels(manifest["features"], lists))
    assert "ClassLabel" in repr(labelled)
    as_ids = datasets.load_dataset("json", data_files=files, features=labelled, cache_dir=cache)
    for part, ds in as_ids.items():
        assert ds.features == labelled
        if fmt == "statements":  # the ids name the values the file holds
            names = lists["stance"]
            held = [r["stance"] for r in read_jsonl(Path(files[part]))]
            assert [None if i is None else names[i] for i in ds["stance"]] == held


def test_the_stance_toward_value_survives_as_a_class_label(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    populate(sqlite_ws)
    set_one_stance_toward(sqlite_ws)
    out = tmp_path / "statements"
    manifest = export(sqlite_ws, out, "statements")
    names = manifest["label_lists"]["aimed_at.stance_toward"]
    labelled = datasets.Features.from_dict(
        with_class_labels(manifest["features"], {"stance_toward": names})
    )
    files = split_files(out, manifest)
    loaded = datasets.load_dataset(
        "json", data_files=files, features=labelled, cache_dir=str(tmp_path / "hf")
    )
    values = [m["stance_toward"] for ds in loaded.values() for row in ds["target"] for m in row]
    assert names.index("opposes") in values
    assert all(v is None or 0 <= v < len(names) for v in values)


def test_doccano_sequence_layout_says_why_it_has_no_features(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    populate(sqlite_ws)
    manifest = export(sqlite_ws, tmp_path / "doccano", "doccano")
    assert manifest["features"] is None
    assert "doccano-rel" in manifest["features_not_given"]


def test_non_jsonl_exports_carry_no_features(sqlite_ws: Workspace, tmp_path: Path) -> None:
    populate(sqlite_ws)
    manifest = export(sqlite_ws, tmp_path / "conll", "conll")
    assert "features" not in manifest and "features_not_given" not in manifest


def test_schema_check_refuses_a_link_attribute_typed_unlike_a_span_attribute(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One column per attribute name covers links too: ``stance`` text on a link and choice on
    a label would be two types in one column."""
    path = tmp_path / "link_types.yaml"
    path.write_text(
        "name: link_types\nversion: '1'\nlabels:\n"
        "  - name: STATEMENT\n    color: '#f2b134'\n    attributes:\n"
        "      - name: stance\n        type: choice\n        values: [a, b]\n"
        "  - name: TARGET\n    color: '#123456'\n"
        "relations:\n"
        "  - name: aimed_at\n    from: STATEMENT\n    to: TARGET\n    attributes:\n"
        "      - name: stance\n        type: text\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as info:
        main(["schema", "check", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == 1
    assert "stance" in err and "one type everywhere" in err


def test_doccano_overlaps_are_the_spans_doccano_drops() -> None:
    """doccano 1.8.4 keeps a span unless it starts before the end of the last span it kept
    (``.ci/doccano`` runs its own code on the demo): C starts after A, the last kept, ends, so
    only B, which overlaps A, is dropped, though C lies inside B."""
    text = "x" * 30
    doc = ExportDocument(1, "d", "t", text, None, None, None, {}, "h")
    a, b, c = (
        ExportSpan(n, "ann", s, e, "L", {}) for n, s, e in ((1, 0, 10), (2, 5, 20), (3, 12, 15))
    )
    problems = ProblemLog()
    report_overlaps(Unit(doc, "ann", [c, b, a]), problems, "train")
    assert problems.count("doccano_overlap") == 1
    assert problems.summaries()["doccano_overlap"].examples[0]["start"] == 5


def test_meta_features_follow_the_values_the_export_held() -> None:
    shape = MetaShape()
    for meta in ('{"byline": "A", "words": 3}', None, '{"words": 2.5, "tag": null}'):
        shape.add_json(meta)
    found, why = shape.features()
    assert why == "" and found is not None
    assert datasets.Features.from_dict({"meta": found})["meta"] == {
        "byline": datasets.Value("string"),
        "words": datasets.Value("float64"),
        "tag": datasets.Value("string"),
    }
    shape.add_json('{"byline": ["A", "B"]}')
    found, why = shape.features()
    assert found is None and "byline" in why


def test_values_outside_the_schema_give_no_features_and_say_why(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    """A value the schema lacks would not fit its column: the manifest gives no features."""
    annotate(sqlite_ws)
    doc = sqlite_ws.documents.by_key("d1")
    assert doc is not None
    link = next(r for r in sqlite_ws.annotations("alice").relations(doc.id) if r.attributes)
    with sqlite_ws.db.write() as s:
        s.execute(
            text("UPDATE relations SET attributes = :a WHERE id = :i"),
            {"a": json.dumps({"stance_toward": "bombs"}), "i": link.id},
        )
    allowed = ExportOptions(filter=EVERYTHING, allow_outside_schema=True)
    reasons = {}
    for fmt in ("native", "doccano-rel"):
        out = tmp_path / f"{fmt}.jsonl"
        sqlite_ws.export(out, fmt, allowed)
        manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
        assert manifest["features"] is None
        reasons[fmt] = manifest["features_not_given"]
    assert "archived" in reasons["native"] and "outside the schema" in reasons["doccano-rel"]


@pytest.mark.parametrize("fmt", ["native", "doccano-rel", "prodigy"])
def test_every_kind_of_attribute_has_its_type_in_every_split(tmp_path: Path, fmt: str) -> None:
    """Multi (a list of strings), bool and text attributes, set in one split only."""
    texts = {"k1": "Rebels struck the depot with drones.", "k2": "Talks follow in Oslo."}
    with Workspace(f"sqlite:///{tmp_path / 'kinds.sqlite3'}") as ws:
        schema = parse_schema(KINDS_SCHEMA)
        ws.schemas.set_active(schema)
        ann = ws.annotations("gus")
        for key, text in texts.items():
            doc = ws.documents.add(text, key=key)
            event = ann.create_span(doc.id, 0, len(text) - 1, "EVENT")
            if key == "k1":
                ann.set_attribute(event.id, "weapons", ["missile", "drone"])
                ann.set_attribute(event.id, "confirmed", True)
                ann.set_attribute(event.id, "note", "seen on video")
            ann.set_status(doc.id, "done")
        split = SplitSpec.parse("train=0.5,test=0.5")
        export_dataset(ws.db, schema, tmp_path / fmt, fmt, ExportOptions(split=split))
    manifest = json.loads((tmp_path / fmt / "manifest.json").read_text(encoding="utf-8"))
    files = split_files(tmp_path / fmt, manifest)
    assert all(manifest["splits"][p]["records"] == 1 for p in files)
    cache = str(tmp_path / "hf")
    features = datasets.Features.from_dict(manifest["features"])
    assert {"weapons", "confirmed", "note"} <= set(repr(features).replace("'", " ").split())
    loaded = datasets.load_dataset("json", data_files=files, features=features, cache_dir=cache)
    for part, ds in loaded.items():
        assert ds.features == features
        (record,) = read_jsonl(Path(files[part]))
        (row,) = ds
        row.pop("published", None), record.pop("published", None)  # null in both here
        assert without_nulls(row) == without_nulls(record)
