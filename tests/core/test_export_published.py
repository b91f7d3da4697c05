"""A document's ``published`` date loads as a date with the real ``datasets``, in every split.

pyarrow's JSON reader turns an ISO date string into a timestamp before any Features cast, so a
``published`` typed as a string came back as ``2024-05-01 00:00:00`` in a file of dates only,
and as ``2024-05-01`` where a partial date shared its block: no stable type. Records now carry
the date (typed ``date32``) or null, and the native file keeps the text as given beside it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from annotator.core.formats.writers.published import published_date
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from tests.core.test_export_native_statements import read_jsonl

datasets = pytest.importorskip("datasets")

EVERYTHING = ExportOptions(filter=ExportFilter())
GIVEN = {
    "plain": "2024-05-01",
    "zoned": "2024-05-01T23:30:00-05:00",  # a UTC conversion would make it 2 May
    "utc": "2026-03-15T08:00:00Z",
    "month": "2024-05",
    "year": "2024",
    "words": "May 2024",
    "impossible": "2024-02-30",
    "empty": "",  # a source that gave the field empty: kept as empty, not as null
    "none": None,
}
EXPECTED = {
    "plain": date(2024, 5, 1),
    "zoned": date(2024, 5, 1),
    "utc": date(2026, 3, 15),
}


def add_documents(ws: Workspace, published: dict[str, str | None]) -> None:
    for n, (key, value) in enumerate(published.items()):
        ws.documents.add(f"Document number {n} says {key}.", key=key, published=value)


def load_file(out: Path, cache: Path) -> Any:
    manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
    features = datasets.Features.from_dict(manifest["features"])
    return datasets.load_dataset(
        "json", data_files=str(out), features=features, split="train", cache_dir=str(cache)
    )


def test_a_file_of_dates_loads_them_as_dates_not_timestamps(tmp_path: Path) -> None:
    """Only whole dates in the file: pyarrow reads the column as timestamps."""
    with Workspace(f"sqlite:///{tmp_path / 'dates.sqlite3'}") as ws:
        add_documents(ws, {"a": "2024-05-01", "b": "2024-05-02", "c": None})
        out = tmp_path / "dates.jsonl"
        ws.export(out, "native", EVERYTHING)
    ds = load_file(out, tmp_path / "hf")
    # Typed as a string, these came back as "2024-05-01 00:00:00".
    assert dict(zip(ds["id"], ds["published"], strict=True)) == {
        "a": date(2024, 5, 1),
        "b": date(2024, 5, 2),
        "c": None,
    }
    assert ds.features["published"] == datasets.Value("date32")


def test_partial_and_free_dates_load_as_null_and_come_back_on_import(tmp_path: Path) -> None:
    with Workspace(f"sqlite:///{tmp_path / 'mixed.sqlite3'}") as ws:
        add_documents(ws, GIVEN)
        out = tmp_path / "mixed.jsonl"
        ws.export(out, "native", EVERYTHING)
    ds = load_file(out, tmp_path / "hf")
    loaded = dict(zip(ds["id"], ds["published"], strict=True))
    assert loaded == {key: EXPECTED.get(key) for key in GIVEN}
    records = {r["id"]: r for r in read_jsonl(out)}
    assert records["plain"]["published_as_given"] is None  # the date says it all
    assert records["month"]["published"] is None
    assert records["month"]["published_as_given"] == "2024-05"
    # The native file gives back the text as the source gave it.
    with Workspace(f"sqlite:///{tmp_path / 'restored.sqlite3'}") as other:
        report = import_paths(other.db, [out])
        assert report.rejected == []
        restored = {key: other.documents.by_key(key) for key in GIVEN}
        assert {k: d.published for k, d in restored.items() if d} == GIVEN


def test_every_split_loads_published_as_a_date(tmp_path: Path) -> None:
    """Splits where one holds dates only and another partial dates: one type for all."""
    with Workspace(f"sqlite:///{tmp_path / 'split.sqlite3'}") as ws:
        add_documents(ws, {f"d{n}": f"2024-05-{n + 1:02d}" for n in range(6)})
        add_documents(ws, {f"p{n}": "2024-05" for n in range(6)})
        split = SplitSpec.parse("train=0.5,test=0.5")
        ws.export(tmp_path / "out", "native", ExportOptions(filter=ExportFilter(), split=split))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    files = {p: str(tmp_path / "out" / f["path"]) for p, f in manifest["files"].items()}
    features = datasets.Features.from_dict(manifest["features"])
    loaded = datasets.load_dataset(
        "json", data_files=files, features=features, cache_dir=str(tmp_path / "hf")
    )
    values = []
    for ds in loaded.values():
        assert ds.features["published"] == datasets.Value("date32")
        values += ds["published"]
    assert sorted(v for v in values if v is not None) == [date(2024, 5, d) for d in range(1, 7)]
    assert values.count(None) == 6


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-05-01", "2024-05-01"),
        (" 2024-05-01 ", "2024-05-01"),
        ("2024-05-01 10:30", "2024-05-01"),
        ("2024-05-01T10:30:00+02:00", "2024-05-01"),
        ("2024-05-01x", None),
        ("20240501", None),
        ("2024-13-01", None),
        ("", None),
        (None, None),
    ],
)
def test_published_date_takes_a_whole_leading_date_only(text: str | None, day: str | None) -> None:
    assert published_date(text) == day
