"""Exports that survive what real data and real machines do to them.

- Scraped text holds U+2028, U+2029 and U+0085, which JSON allows raw but ``str.splitlines()``
  and JavaScript treat as line ends: every JSONL file must still have one record per line.
- A killed export leaves its hidden staging folder beside the target; the next export of that
  target removes it, unless the process that made it is still running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.domain.schema import Schema, parse_schema
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

SCHEMA = """
name: lines
version: "1"
labels:
  - name: STATEMENT
    color: "#f2b134"
    attributes:
      - name: note
        type: text
  - name: SPEAKER
    color: "#4f9de0"
relations:
  - name: said_by
    from: STATEMENT
    to: SPEAKER
exports:
  statements:
    label: STATEMENT
    context_sentences: 1
    fields:
      speaker: said_by
"""

# Every character that splitlines() breaks on but JSON does not escape, in text, title, meta
# (stored JSON that the native export copies as it is) and a free-text attribute.
TEXT = (
    "Border report\u2028second line\n"
    "The minister said\u2029“Our drones\u0085 will fly.” Nobody replied."
)
TITLE = "Border\u2028report\u2029 \u0085"
META = {"caption": "photo\u2028by\u2029staff\u0085"}
NOTE = "seen on\u2028video\u2029unverified\u0085end"
PLAIN = "The general said “no”. Nothing else."
JSONL_FORMATS = ("native", "statements", "doccano", "doccano-rel", "prodigy")


def at(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


@pytest.fixture
def corpus(workspace: Workspace) -> Schema:
    """Two done documents, one full of line separators, each with a statement and a speaker."""
    schema = parse_schema(SCHEMA)
    workspace.schemas.set_active(schema)
    alice = workspace.annotations("alice")
    for key, text, title, meta, quote, speaker in (
        ("seps", TEXT, TITLE, META, "“Our drones\u0085 will fly.”", "The minister"),
        ("plain", PLAIN, "Plain", {}, "“no”", "The general"),
    ):
        doc = workspace.documents.add(text, key=key, title=title, meta=meta)
        st = alice.create_span(doc.id, *at(text, quote), "STATEMENT", {"note": NOTE})
        sp = alice.create_span(doc.id, *at(text, speaker), "SPEAKER")
        alice.link(st.id, sp.id, "said_by")
        alice.set_status(doc.id, "done")
    return schema


def notes(fmt: str, record: dict[str, Any]) -> list[Any]:
    """The free-text attribute values a record carries, wherever its format puts them."""
    if fmt == "native":
        return [s["attributes"].get("note") for s in record["spans"] if s["label"] == "STATEMENT"]
    if fmt == "statements":
        return [record["note"]]
    if fmt == "doccano":
        pairs = zip(record["label"], record["attributes"], strict=True)
        return [a["note"] for (_, _, label), a in pairs if label == "STATEMENT"]
    spans = record["entities"] if fmt == "doccano-rel" else record["spans"]
    return [s["attributes"]["note"] for s in spans if s["label"] == "STATEMENT"]


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
def test_line_separators_keep_one_record_per_line(
    workspace: Workspace, corpus: Schema, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"{fmt}.jsonl"
    result = export_dataset(workspace.db, corpus, path, fmt)
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == result.records == 2
    records = [json.loads(line) for line in lines]
    assert [notes(fmt, r) for r in records] == [[NOTE], [NOTE]]
    seps = records[0]
    if fmt == "statements":
        assert seps["text"] == "“Our drones\u0085 will fly.”"
        assert "The minister said\u2029“Our drones\u0085" in seps["context"]
        assert seps["document_title"] == TITLE
        return
    assert seps["text"] == TEXT
    if fmt == "native":
        assert (seps["title"], seps["meta"]) == (TITLE, META)
        assert [s["text"] for s in seps["spans"]] == [
            "The minister",
            "“Our drones\u0085 will fly.”",
        ]
    elif fmt == "prodigy":
        assert seps["meta"]["title"] == TITLE
        words = [t["text"] for t in seps["tokens"] if not t["text"].isspace()]
        assert words[:4] == ["Border", "report", "second", "line"]
        assert "".join(t["text"] + " " * t["ws"] for t in seps["tokens"]) == seps["text"]
    else:
        assert seps["title"] == TITLE


def spans_of(ws: Workspace) -> dict[str, Any]:
    """Per document: text, title, meta and every span with its attributes, by annotator name."""
    out = {}
    for key in ("seps", "plain"):
        doc = ws.documents.by_key(key)
        assert doc is not None
        spans = sorted(
            (sp.start, sp.end, sp.label, sorted(sp.attributes.items()))
            for sp in ws.annotations("alice").spans(doc.id)
        )
        out[key] = (doc.text, doc.title, doc.meta, spans)
    return out


def test_native_file_with_line_separators_imports_back_the_same(
    workspace: Workspace, corpus: Schema, second_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "backup.jsonl"
    export_dataset(workspace.db, corpus, path, "native")
    assert b"\\u2028" in path.read_bytes()  # escaped, not raw
    with Workspace(second_url) as other:
        ref = other.schemas.register(corpus)
        report = import_paths(other.db, [path], schema=corpus, schema_ref=ref)
        assert len(report.imported_ids) == 2 and report.rejected == []
        assert spans_of(other) == spans_of(workspace)
        again = tmp_path / "again.jsonl"
        export_dataset(other.db, corpus, again, "native")
    assert again.read_bytes() == path.read_bytes()


# -- staging left behind by killed exports --


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def other_live_pid() -> Iterator[int]:
    """Another process that is still running, as a concurrent export would be."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def stage(folder: Path, name: str, pid: int, tag: str, as_dir: bool) -> Path:
    """A staging entry as an export with process id ``pid`` names it."""
    path = folder / f".{name}.{pid}.{tag}.part"
    if as_dir:
        path.mkdir()
        (path / name).write_bytes(b'{"half": "written"')
    else:
        path.write_bytes(b'{"half": "written"')
    return path


@pytest.mark.parametrize("how", ["file", "split folder"])
def test_export_removes_staging_of_dead_exports_of_the_same_target_only(
    workspace: Workspace, corpus: Schema, tmp_path: Path, other_live_pid: int, how: str
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    name = "out" if how == "split folder" else "out.jsonl"
    dead = dead_pid()
    gone = [stage(out, name, dead, "k3x9_a1b", True), stage(out, name, dead, "q0w2e3r4", False)]
    kept = [
        stage(out, name, os.getpid(), "z8y7x6w5", True),  # this process: running now
        stage(out, name, other_live_pid, "m1n2b3v4", True),  # another export, still running
        stage(out, f"{name}.1", dead, "k3x9_a1b", True),  # another target
        stage(out, "other.jsonl", dead, "k3x9_a1b", False),  # another target
    ]
    split = SplitSpec.parse("train=0.5,test=0.5") if how == "split folder" else None
    export_dataset(workspace.db, corpus, out / name, "native", ExportOptions(split=split))
    assert [p for p in gone if p.exists()] == []
    assert [p for p in kept if p.exists()] == kept
    assert (out / name).exists()


KILLED_EXPORT = """
import os, sys
from annotator.core.services.exporting.dataset import export_dataset
from annotator.core.services.workspace import Workspace

def die(done, total):
    if done:  # the staging folder exists and holds part of the file: die as SIGKILL would
        os._exit(9)

with Workspace(sys.argv[1]) as ws:
    export_dataset(ws.db, ws.active_schema(), sys.argv[2], "native", progress=die)
"""


def test_the_next_export_clears_what_a_killed_export_left(
    db_url: str, corpus: Schema, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    died = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, db_url, str(target)], cwd=REPO, check=False
    )
    assert died.returncode == 9
    left = [p.name for p in tmp_path.glob(".out.jsonl.*")]
    assert len(left) == 1 and not target.exists()  # what killed exports used to leave for good
    with Workspace(db_url) as ws:
        export_dataset(ws.db, corpus, target, "native")
    assert [p.name for p in tmp_path.glob(".out.jsonl.*")] == []
    assert len(target.read_text("utf-8").splitlines()) == 2
