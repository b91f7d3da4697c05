"""Two processes write while a third reads: the reader never waits out a lock or fails, and
every edit a writer was told had been saved is in the database afterwards."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_pg_database
from tests.core.test_concurrency import (
    assert_database_holds_what_was_acknowledged,
    run_workers,
    shared_documents,
)

REPO = Path(__file__).resolve().parents[2]
EDITS = 300


def _read_while(url: str, busy: threading.Event, out: Path) -> list[dict[str, Any]]:
    """Export and count, again and again, until the writers are done; record each run."""
    runs: list[dict[str, Any]] = []
    n = 0
    while busy.is_set() or n < 2:
        n += 1
        target = out / f"export{n}.jsonl"
        for args in (
            ["export", str(target), "--format", "native", "--status", "any"],
            ["stats"],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "annotator", "--db", url, *args],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=120,
            )
            runs.append({"args": args, "rc": done.returncode, "stderr": done.stderr})
        if target.exists():
            manifest = json.loads(target.with_name(f"{target.name}.manifest.json").read_text())
            lines = target.read_text(encoding="utf-8").splitlines()
            runs[-2]["documents_in_file"] = len(lines)
            runs[-2]["manifest"] = manifest
    return runs


@pytest.mark.faults
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_writers_and_a_reader(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        path = tmp_path / "team.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_server_url"))
    shared_documents(url)
    busy = threading.Event()
    busy.set()
    results: list[dict[str, Any]] = []

    def write() -> None:
        try:
            results.extend(run_workers(url, 2, EDITS, tmp_path))
        finally:
            busy.clear()

    writers = threading.Thread(target=write)
    writers.start()
    reads = tmp_path / "reads"
    reads.mkdir()
    runs = _read_while(url, busy, reads)
    writers.join(timeout=600)
    assert not writers.is_alive()

    for run in runs:
        assert run["rc"] == 0, f"{run['args']} failed while others wrote:\n{run['stderr']}"
        assert "Traceback" not in run["stderr"]
    exports = [r for r in runs if "manifest" in r]
    assert len(exports) >= 2
    for run in exports:
        # Each export is one moment of the database: the file holds what its manifest counts.
        assert run["documents_in_file"] == run["manifest"]["totals"]["documents"]
    assert_database_holds_what_was_acknowledged(url, results, EDITS)
    if backend == "sqlite":
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()
