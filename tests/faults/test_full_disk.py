"""A full disk under the database: every write is refused in one line, nothing acknowledged is
lost, and work goes on once there is room again. The disk is a real, small tmpfs."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace
from tests.core.test_crash_safety import content, write_corpus

REPO = Path(__file__).resolve().parents[2]
TEXT = "Headline\nThe general said the missile forces would be doubled within two years."


@pytest.fixture
def small_disk(tmpfs: Callable[[str], Path]) -> Path:
    """A real 2MB tmpfs (see ``tmpfs`` in tests/conftest.py)."""
    return tmpfs("2m")


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk up to ``leave`` free bytes; the filler file, to delete for room again."""
    filler = disk / "filler"
    stats = os.statvfs(disk)
    todo = stats.f_bavail * stats.f_frsize - leave
    with filler.open("wb", buffering=0) as out:
        try:
            while todo > 0:
                todo -= out.write(b"\0" * min(4096, todo))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def integrity_ok(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


@pytest.mark.faults
def test_edits_on_a_full_disk_are_refused_and_nothing_saved_is_lost(small_disk: Path) -> None:
    db = small_disk / "work.sqlite3"
    words = [(i, i + 3) for i in range(9, 60, 4)]
    with Workspace(str(db)) as ws:
        doc = ws.documents.add(TEXT * 40, key="a")
        alice = ws.annotations("alice")
        saved = [alice.create_span(doc.id, s, e, "TARGET") for s, e in words[:5]]
        filler = fill(small_disk)
        refused = 0
        for n in range(200):  # until SQLite's own free pages are used up too
            start = 200 + n * 20
            try:
                saved.append(alice.create_span(doc.id, start, start + 5, "TARGET"))
            except AnnotatorError as exc:
                message = str(exc)
                assert "\n" not in message and "not saved" in message, message
                refused += 1
                break
        assert refused == 1, "the full disk never refused a write"
        # Everything the service acknowledged is readable, then and after room comes back.
        assert {s.id for s in alice.spans(doc.id)} == {s.id for s in saved}
        filler.unlink()
        alice.create_span(doc.id, 3000, 3005, "TARGET")
    integrity_ok(db)
    with Workspace(str(db)) as ws:
        ids = {s.id for s in ws.annotations("alice").spans(ws.documents.by_key("a").id)}
    assert {s.id for s in saved} <= ids and len(ids) == len(saved) + 1


@pytest.mark.faults
def test_an_import_onto_a_full_disk_is_one_line_and_changes_nothing(
    small_disk: Path, tmp_path: Path
) -> None:
    db = small_disk / "work.sqlite3"
    with Workspace(str(db)) as ws:
        ws.documents.add(TEXT, key="first")
        ws.active_schema()  # a database in use has its schema chosen
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 400)  # more than the disk holds
    before = content(f"sqlite:///{db}")
    fill(small_disk, leave=256 * 1024)  # room to open the database, not for the import
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", str(corpus)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    # Besides the one error, at most the warning that the day's backup did not fit either (the
    # text index makes the database a little larger than the room left).
    said = [ln for ln in done.stderr.splitlines() if ln.strip() not in ("", "importing")]
    warned = [ln for ln in said if ln.startswith("warning: no automatic backup")]
    assert all("disk is full" in ln for ln in warned), warned
    assert errors == [ln for ln in said if ln not in warned]
    assert len(errors) == 1 and "disk is full" in errors[0] and str(db) in errors[0], errors
    integrity_ok(db)
    assert content(f"sqlite:///{db}") == before
