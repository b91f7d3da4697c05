"""Driven by the format registry: every entry's example runs as a user would type it, every
writer's output is read back (by our reader where there is one, else by the tool it is for),
and every option a format does not take is refused with a message naming it."""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.cli.main import main
from annotator.core.formats.options import EXPORT_OPTIONS, IMPORT_OPTIONS
from annotator.core.formats.registry import READERS, WRITERS
from annotator.core.services.workspace import Workspace
from tests.core.test_export_conll_brat import parse_ann, read_conll

# A valid value for each option a format may refuse (flags alone for switches).
OPTION_VALUES = {
    "split": ["--split", "a=0.5,b=0.5"],
    "seed": ["--split", "a=0.5,b=0.5", "--seed", "3"],
    "stratify": ["--split", "a=0.5,b=0.5", "--stratify", "label"],
    "redeal": ["--split", "a=0.5,b=0.5", "--redeal"],
    "scheme": ["--scheme", "BILOU"],
    "nested": ["--nested", "outermost"],
    "encoding": ["--encoding", "utf-8"],
    "annotator": ["--annotator", "zoe"],
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (int(code) if code is not None else 0), out, err


def example(command: str, db: str) -> list[str]:
    """An entry's example as arguments for ``main``, on the database ``db``."""
    words = shlex.split(command)
    assert words[0] == "annotator" and words[1] in ("export", "import")
    return ["--db", db, *words[1:]]


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run(capsys, "--db", url, "demo", "--annotator", "alice")[0] == 0
    return url


def spans_of(url: str) -> set[tuple[str, int, int, str]]:
    """Every span in the database, by its document's text: what a reader must bring back."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        rows = con.execute(
            'SELECT d.text, s.start, s."end", s.label FROM spans s '
            "JOIN documents d ON d.id = s.document_id"
        )
        return set(rows)
    finally:
        con.close()


def available(name: str) -> bool:
    return WRITERS[name].unavailable_reason() is None


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_example_runs_on_the_demo_and_writes_what_it_says(
    name: str,
    demo_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not available(name):
        pytest.skip(WRITERS[name].unavailable_reason() or "")
    monkeypatch.chdir(tmp_path)
    args = example(WRITERS[name].example, demo_db)
    code, out, err = run(capsys, *args)
    assert code == 0, err
    target = tmp_path / args[3]
    manifest_path = (
        target / "manifest.json"
        if target.is_dir()
        else target.with_name(target.name + ".manifest.json")
    )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["format"] == name
    assert manifest["format_title"] == WRITERS[name].title
    assert manifest["totals"]["records"] > 0
    assert f"to {Path(args[3])}" in out
    data = [p for p in target.rglob("*")] if target.is_dir() else [target]
    assert any(p.is_file() and p.stat().st_size > 0 and p.suffix != ".json" for p in data)


def _example_input(name: str, tmp_path: Path, demo_db: str, capsys: Any) -> None:
    """Make the file an import example names, as a user would have it."""
    args = shlex.split(READERS[name].example)
    path = tmp_path / args[2]
    if name == "txt":
        path.mkdir()
        (path / "first.txt").write_text("Sarnova orders rockets\nThe deal was signed.\n")
        (path / "second.txt").write_text("Estmar tests a radar\nOfficials said it works.\n")
    elif name == "html":
        path.write_text(
            "<html><head><title>Estmar tests a radar</title></head>"
            "<body><p>Officials said the radar works.</p></body></html>"
        )
    else:  # an export of the demo by the writer this reader reads back
        fmt = next(w.name for w in WRITERS.values() if w.read_back == name)
        extra = [] if WRITERS[fmt].every_status else ["--status", "any"]
        code, _, err = run(capsys, "--db", demo_db, "export", str(path), "--format", fmt, *extra)
        assert code == 0, err


@pytest.mark.parametrize("name", list(READERS))
def test_every_reader_example_imports_documents(
    name: str,
    demo_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _example_input(name, tmp_path, demo_db, capsys)
    monkeypatch.chdir(tmp_path)
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    code, out, err = run(capsys, *example(READERS[name].example, fresh))
    assert code == 0, err
    imported = int(out.split("imported ")[1].split()[0])
    assert imported >= 1
    if READERS[name].annotations:
        assert spans_of(fresh), "an annotated format imports its spans"


@pytest.mark.parametrize("name", [w.name for w in WRITERS.values() if w.read_back])
def test_every_writer_with_a_reader_round_trips_the_spans(
    name: str, demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"out{WRITERS[name].extension}"
    extra = [] if WRITERS[name].every_status else ["--status", "any"]
    code, _, err = run(capsys, "--db", demo_db, "export", str(out), "--format", name, *extra)
    assert code == 0, err
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    reader = WRITERS[name].read_back
    assert reader is not None
    code, _, err = run(capsys, "--db", fresh, "import", str(out), "--format", reader)
    assert code == 0, err
    assert spans_of(fresh) == spans_of(demo_db)


def _load_statements(folder: Path) -> int:
    from datasets import load_dataset

    rows = load_dataset("json", data_files=str(folder / "all.jsonl"), split="train")
    return sum(1 for row in rows if row["text"] and isinstance(row["speaker"], list))


def _load_spacy(folder: Path) -> int:
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(folder / "all.spacy").get_docs(spacy.blank("en").vocab))
    return sum(len(doc.spans["sc"]) for doc in docs)


def _load_conll(folder: Path) -> int:
    from seqeval.metrics.sequence_labeling import get_entities

    docs = read_conll(folder / "all.conll")
    rows = [row for doc in docs for sentence in doc for row in sentence]
    return sum(len(get_entities([row[c] for row in rows])) for c in range(1, len(rows[0])))


def _load_brat(folder: Path) -> int:
    n = 0
    for ann in folder.rglob("*.ann"):
        n += len(parse_ann(ann.read_text(encoding="utf-8"), ann.with_suffix(".txt").read_text()))
    return n


# The tool each format without a reader of ours is for, reading it: how many spans it sees.
LOADERS: dict[str, Callable[[Path], int]] = {
    "statements": _load_statements,
    "spacy": _load_spacy,
    "conll": _load_conll,
    "brat": _load_brat,
}


def test_every_writer_is_read_back_or_loaded() -> None:
    unread = {w.name for w in WRITERS.values() if w.read_back is None}
    assert unread == set(LOADERS), "a new format needs a reader or a loader here"
    assert all(w.read_back in READERS for w in WRITERS.values() if w.read_back)


@pytest.mark.parametrize("name", list(LOADERS))
def test_every_writer_without_a_reader_loads_in_its_tool(
    name: str, demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not available(name):
        pytest.skip(WRITERS[name].unavailable_reason() or "")
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "--db", demo_db, "export", str(out), "--format", name, "--status", "any"
    )
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert LOADERS[name](out) > 0
    assert manifest["totals"]["records"] > 0


@pytest.mark.parametrize(
    ("name", "option"),
    [(w.name, o.name) for w in WRITERS.values() for o in EXPORT_OPTIONS if not w.accepts(o.name)],
)
def test_an_export_option_a_format_does_not_take_is_refused(
    name: str, option: str, demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--db", demo_db, "export", str(out), "--format", name, *OPTION_VALUES[option]]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert f"--{option} does not apply to --format {name}" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "option"),
    [(r.name, o.name) for r in READERS.values() for o in IMPORT_OPTIONS if not r.accepts(o.name)],
)
def test_an_import_option_a_format_does_not_take_is_refused(
    name: str, option: str, demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.txt"
    page.write_text("A title\nSome text.\n")
    code, _, err = run(
        capsys, "--db", demo_db, "import", str(page), "--format", name, *OPTION_VALUES[option]
    )
    assert code == 2
    assert f"--{option} does not apply to --format {name}" in err


def test_the_service_refuses_conll_options_for_another_format_too(
    demo_db: str, tmp_path: Path
) -> None:
    from annotator.core.domain.errors import AnnotatorError
    from annotator.core.services.exporting.dataset import ExportOptions

    with Workspace(demo_db) as ws, pytest.raises(AnnotatorError, match="--nested does not apply"):
        ws.export(tmp_path / "x.jsonl", "native", ExportOptions(nested="outermost"))
    assert not (tmp_path / "x.jsonl").exists()


def test_the_cli_offers_exactly_the_registry_and_its_descriptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0
    flat = "".join(out.split())  # click wraps lines where it likes
    assert "[" + "|".join(WRITERS) + "]" in flat
    for entry in WRITERS.values():  # a row each: the name, then its description
        assert entry.name + "".join(entry.description.split())[:40] in flat
    code, out, _ = run(capsys, "import", "--help")
    flat = "".join(out.split())
    assert "[" + "|".join(READERS) + "]" in flat
    for reader in READERS.values():
        assert reader.name + "".join(reader.description.split())[:40] in flat
