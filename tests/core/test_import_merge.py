"""Imports that meet existing work: merged per annotator, never silently dropped; and imports
that never make other desktops wait while they read."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from annotator.core.domain.errors import ImportRejected
from annotator.core.services.bundled import demo_corpus
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Document, Span
from tests.conftest import REPO
from tests.core.test_import import annotated_record, jsonl, run

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPO,
        timeout=timeout,
    )


def spans_and_statuses(url: str) -> tuple[int, dict[str, str]]:
    with Workspace(url) as ws:
        with ws.db.read() as s:
            spans = s.scalar(select(func.count()).select_from(Span)) or 0
        alice = ws.annotators.find("alice")
        assert alice is not None
        statuses = {
            ws.documents.get(d).key: ws.documents.status(d, alice.id)
            for d in ws.documents.ids(alice.id)
        }
    return spans, statuses


def annotated_export(tmp_path: Path) -> tuple[str, Path]:
    """A database with alice's demo work (one document marked done) and its native export."""
    url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    assert cli("--db", url, "demo", "--annotator", "alice", "--no-team").returncode == 0
    with Workspace(url) as ws:
        alice = ws.annotators.find("alice")
        assert alice is not None
        first = ws.documents.ids(alice.id)[0]
        ws.annotations(alice).set_status(first, "done", force=True)
    out = tmp_path / "export.jsonl"
    done = cli("--db", url, "export", str(out), "--format", "native", "--status", "any")
    assert done.returncode == 0, done.stderr
    return url, out


def texts_only(export: Path, out: Path) -> Path:
    """The same documents without anyone's annotations (as a colleague's database has them)."""
    records = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    return jsonl(out, *({"id": r["id"], "text": r["text"]} for r in records))


# -- 2, 3: merging annotations onto existing texts --


def test_a_native_export_merges_into_a_database_holding_the_texts(tmp_path: Path) -> None:
    source, export = annotated_export(tmp_path)
    want_spans, want_status = spans_and_statuses(source)
    assert want_spans > 0 and "done" in want_status.values()
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    assert (
        cli("--db", target, "import", str(texts_only(export, tmp_path / "t.jsonl"))).returncode == 0
    )
    done = cli("--db", target, "import", str(export))
    assert done.returncode == 0, done.stderr
    annotated = sum(1 for status in want_status.values() if status != "new")
    assert f"merged {annotated} annotator parts" in done.stdout
    assert spans_and_statuses(target) == (want_spans, want_status)


def test_an_identical_reimport_changes_nothing(tmp_path: Path) -> None:
    source, export = annotated_export(tmp_path)
    before = spans_and_statuses(source)
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(tmp_path / "source.sqlite3", copy)
    for url in (source, f"sqlite:///{copy}"):
        done = cli("--db", url, "import", str(export))
        assert done.returncode == 0, done.stderr
        docs = len(export.read_text(encoding="utf-8").splitlines())
        assert done.stdout.strip().endswith(
            f"imported 0 documents with 0 spans and 0 links; skipped {docs} duplicates; rejected 0"
        )
        assert spans_and_statuses(url) == before


def test_done_comes_back_done_on_a_fresh_database(tmp_path: Path) -> None:
    source, export = annotated_export(tmp_path)
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert cli("--db", fresh, "import", str(export)).returncode == 0
    assert spans_and_statuses(fresh) == spans_and_statuses(source)


def test_an_annotator_with_other_work_there_is_not_half_merged(
    workspace: Workspace, tmp_path: Path
) -> None:
    mine = {**annotated_record("one", "alice"), "status": {"alice": "in_progress"}}
    run(workspace, jsonl(tmp_path / "mine.jsonl", mine))
    theirs = annotated_record("one", "alice")
    theirs["spans"][1]["start"] -= 1  # "(Yılmaz" ... a different SPEAKER span
    theirs["spans"][1].pop("text", None)
    bob = annotated_record("one", "bob")
    bob_spans = [{**s, "id": "B" + s["id"]} for s in bob["spans"]]
    record = {
        **theirs,
        "spans": theirs["spans"] + bob_spans,
        "relations": theirs["relations"] + [{"label": "said_by", "from": "BT1", "to": "BT2"}],
        "status": {"alice": "done", "bob": "done"},
    }
    for span in record["spans"][2:]:
        span["annotator"] = "bob"
    report = run(workspace, jsonl(tmp_path / "theirs.jsonl", record))
    assert report.imported_ids == [] and report.rejected == []
    assert len(report.merged) == 1 and "bob's 2 spans" in report.merged[0]
    assert len(report.not_merged) == 1 and "alice's annotations not merged" in report.not_merged[0]
    assert report.summary().endswith(
        "merged 1 annotator part into existing documents, not merged 1"
    )
    (doc_id,) = workspace.documents.ids(workspace.annotators.get_or_create("alice").id)
    alice = workspace.annotations("alice")
    assert alice.status(doc_id) == "in_progress"  # untouched: not her "done" from the file
    assert workspace.annotations("bob").status(doc_id) == "done"
    with workspace.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Span)) == 4


def test_the_command_line_names_whose_work_was_not_merged(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'work.sqlite3'}"
    first = jsonl(tmp_path / "mine.jsonl", annotated_record("one", "alice"))
    assert cli("--db", db, "import", str(first)).returncode == 0
    theirs = annotated_record("one", "alice")
    theirs["spans"][1]["start"] -= 1
    theirs["spans"][1].pop("text", None)
    done = cli("--db", db, "import", str(jsonl(tmp_path / "theirs.jsonl", theirs)))
    assert done.returncode == 0, done.stderr
    warnings = [ln for ln in done.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and "alice's annotations not merged" in warnings[0], done.stderr
    assert "theirs.jsonl:1" in warnings[0]
    assert done.stdout.strip().endswith("not merged 1")


# -- 1: reading holds no lock --


def test_another_desktop_writes_while_an_import_reads(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"Article {n}\nbody {n}", encoding="utf-8")
    reading, release = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 2:
            reading.set()
            release.wait(30)

    with Workspace(sqlite_url) as ws:
        schema = ws.active_schema()
        ref = ws.schemas.register(schema)
        outcome: list[object] = []
        worker = threading.Thread(
            target=lambda: outcome.append(
                import_paths(ws.db, [folder], schema=schema, schema_ref=ref, progress=progress)
            )
        )
        worker.start()
        try:
            assert reading.wait(30)
            other = sqlite3.connect(make_url(sqlite_url).database, timeout=1, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # "database is locked" after 1 s if held
            other.execute("INSERT INTO settings (key, value) VALUES ('probe', 'x')")
            other.execute("COMMIT")
            other.close()
        finally:
            release.set()
            worker.join(30)
        assert ws.documents.count() == 3


def test_a_fifo_is_refused_by_name_without_blocking(sqlite_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    done = cli("--db", sqlite_url, "import", str(fifo), timeout=60)
    assert done.returncode == 1
    assert f"{fifo}: is a FIFO (named pipe), not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


# -- 4: one bad record is that record's problem --


def test_skip_bad_refuses_only_the_bad_records(sqlite_url: str, tmp_path: Path) -> None:
    twice = annotated_record("twice", "alice")
    twice["relations"] = twice["relations"] * 2
    deep: object = "bottom"
    for _ in range(300):
        deep = {"k": deep}
    nested = {"id": "deep", "text": "Deep meta\nbody", "meta": {"x": deep}}
    good = {"id": "good", "text": "A good article\nbody"}
    path = jsonl(tmp_path / "mixed.jsonl", twice, nested, good)
    refused = cli("--db", sqlite_url, "import", str(path))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    done = cli("--db", sqlite_url, "import", str(path), "--skip-bad")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"rejected: {path}:1: relations[1]: span T1 is already linked to T2" in done.stderr
    assert f"rejected: {path}:2: meta cannot be stored as JSON" in done.stderr
    assert "imported 1 document" in done.stdout and "rejected 2" in done.stdout


# -- 6: imports of the same files at once --


def test_four_imports_of_the_same_folder_at_once(db_url: str, tmp_path: Path) -> None:
    Workspace(db_url).close()  # migrated once, so the race is the import's
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "annotator",
                "--db",
                db_url,
                "demo",
                "--annotator",
                "alice",
                "--no-team",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
            cwd=REPO,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0] * 4, [err for _, err in outs]
    records = [json.loads(line) for line in demo_corpus().read_text(encoding="utf-8").splitlines()]
    with Workspace(db_url) as ws, ws.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == len(records)
        assert s.scalar(select(func.count()).select_from(Span)) == sum(
            len(r["spans"]) for r in records
        )


def test_a_refused_import_still_names_every_problem(workspace: Workspace, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "ids.jsonl", {"id": "x", "text": "One\nbody"})
    run(workspace, path)
    clash = jsonl(tmp_path / "clash.jsonl", {"id": "x", "text": "Other\nbody"})
    with pytest.raises(ImportRejected) as info:
        run(workspace, clash)
    assert "document id 'x' is already used" in str(info.value)
