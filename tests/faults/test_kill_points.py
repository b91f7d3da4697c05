"""SIGKILL at each named commit point of an import and a schema switch.

``ANNOTATOR_FAULT_POINT=NAME`` makes the process kill itself there (``domain/faults.py``). Each
run proves where it died: the process says it reached the point, stops there
(``ANNOTATOR_FAULT_PAUSE=1``), and the test checks from outside whether it holds the database's
write lock at that moment (inside the write transaction, or outside it, as the point's name
says) before it sends the SIGKILL and sees the process die of it. After each kill the database
passes SQLite's integrity and foreign-key checks, holds either nothing of the interrupted job
or all of it, and the same command then succeeds. The export's points are in
``tests/core/test_export_safety.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.core.services.workspace import Workspace
from tests.core.schema_variants import named_entities_archiving_statements
from tests.core.test_crash_safety import cli, content, integrity_ok, make_base, write_corpus

REPO = Path(__file__).resolve().parents[2]
IMPORT_POINTS = {
    # point: does the import's work survive a kill there?
    "import-before-write": False,
    "import-before-commit": False,
    "import-after-commit": True,
}
SCHEMA_POINTS = {"schema-before-commit": False, "schema-after-commit": True}


# points inside a write transaction: the killed process holds the database's write lock there
IN_WRITE = {
    "import-before-commit",
    "schema-before-commit",
    "adjudicate-before-commit",
    "span-before-commit",
}


def holds_write_lock(db: Path) -> bool:
    """Whether another process holds ``db``'s write lock (is inside a write transaction)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    finally:
        conn.close()


def wait_stopped(pid: int) -> None:
    """Until the process has stopped itself (SIGSTOP at the fault point)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        time.sleep(0.01)
    raise TimeoutError(f"process {pid} never stopped at its fault point")


def run_killed_at(point: str, cmd: list[str], db: Path, stdout: bool = False) -> list[str]:
    """Run ``cmd`` until it stops at ``point``, check it is (or is not) inside the write
    transaction there, then SIGKILL it: the kill lands at the point and nowhere else.
    Returns what the process printed (when ``stdout``)."""
    env = dict(
        os.environ, ANNOTATOR_FAULT_POINT=point, ANNOTATOR_FAULT_PAUSE="1", PYTHONPATH=str(REPO)
    )
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    said: list[str] = []
    try:
        while (line := proc.stderr.readline()) and "fault point" not in line:
            said.append(line)
        assert line == f"annotator: fault point {point} reached\n", (
            f"the process did not reach {point!r} (exit {proc.wait(60)}):\n{''.join(said)}"
        )
        wait_stopped(proc.pid)
        assert holds_write_lock(db) == (point in IN_WRITE), (
            f"at {point!r} the process should {'' if point in IN_WRITE else 'not '}"
            "be inside a write transaction"
        )
    finally:
        proc.kill()
        status = proc.wait(timeout=60)
        proc.stderr.close()
        printed = proc.stdout.read().splitlines() if proc.stdout is not None else []
        if proc.stdout is not None:
            proc.stdout.close()
    assert status == -signal.SIGKILL, f"exit {status}"
    return printed


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("points")
    base = folder / "base.sqlite3"
    make_base(base)
    data = folder / "corpus.jsonl"
    write_corpus(data, 300)
    whole = folder / "whole.sqlite3"
    shutil.copy(base, whole)
    subprocess.run(cli(whole, "import", str(data)), cwd=REPO, check=True, capture_output=True)
    return base, data, whole


@pytest.mark.faults
@pytest.mark.parametrize("point", sorted(IMPORT_POINTS))
def test_import_killed_at(point: str, corpus: tuple[Path, Path, Path], tmp_path: Path) -> None:
    base, data, whole = corpus
    db = tmp_path / "work.sqlite3"
    shutil.copy(base, db)
    before, after = content(f"sqlite:///{base}"), content(f"sqlite:///{whole}")
    run_killed_at(point, cli(db, "import", str(data)), db)
    integrity_ok(db)
    assert content(f"sqlite:///{db}") == (after if IMPORT_POINTS[point] else before)
    # The next run finishes the job (or finds it done): nothing is left half-way.
    again = subprocess.run(cli(db, "import", str(data)), cwd=REPO, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    integrity_ok(db)
    with Workspace(f"sqlite:///{db}") as ws:
        assert ws.documents.count() == 20 + 300


@pytest.mark.faults
@pytest.mark.parametrize("point", sorted(SCHEMA_POINTS))
def test_schema_switch_killed_at(point: str, tmp_path: Path) -> None:
    db = tmp_path / "work.sqlite3"
    make_base(db)
    with Workspace(f"sqlite:///{db}") as ws:
        old = ws.active_schema().name
    new_schema = tmp_path / "named_entities.yaml"  # archives the base's statements
    new_schema.write_text(named_entities_archiving_statements(), encoding="utf-8")
    run_killed_at(point, cli(db, "schema", "use", str(new_schema)), db)
    integrity_ok(db)
    with Workspace(f"sqlite:///{db}") as ws:
        active = ws.active_schema().name
        assert ws.documents.count() == 20
    assert active != old if SCHEMA_POINTS[point] else active == old


@pytest.mark.faults
def test_adjudication_killed_before_commit_leaves_gold_as_it_was(tmp_path: Path) -> None:
    from annotator.core.services.demo import load_demo

    db = tmp_path / "team.sqlite3"
    with Workspace(f"sqlite:///{db}") as ws:
        load_demo(ws, "lead")  # amira's and tomas's finished work on three articles
    run_killed_at("adjudicate-before-commit", cli(db, "adjudicate", "--auto"), db)
    integrity_ok(db)
    with Workspace(f"sqlite:///{db}") as ws:
        gold = ws.annotators.find("gold")
        assert gold is None or all(not ws.gold().spans(d) for d in range(1, 11))
    again = subprocess.run(
        cli(db, "adjudicate", "--auto"), cwd=REPO, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    with Workspace(f"sqlite:///{db}") as ws:
        assert sum(len(ws.gold().spans(d)) for d in range(1, 11)) > 50


@pytest.mark.faults
def test_an_edit_killed_inside_its_write_is_not_kept_and_the_earlier_ones_are(
    tmp_path: Path,
) -> None:
    """The editor's worker (tests/core/crash_worker.py) announces each edit, then makes it;
    killed inside the write of its first new span, it leaves that span out, nothing else."""
    db = tmp_path / "edits.sqlite3"
    make_base(db)
    url = f"sqlite:///{db}"
    before = content(url)
    worker = [sys.executable, "-m", "tests.core.crash_worker", url, "7"]
    said = run_killed_at("span-before-commit", worker, db, stdout=True)
    assert said[0] == "ready" and said[-1].startswith("? create "), said
    assert not any(line.startswith("!") for line in said), "an edit was acknowledged"
    integrity_ok(db)
    after = content(url)
    assert [name for _, name, _ in after.pop("annotators")] == ["alice", "crasher"]
    before.pop("annotators")
    assert after == before  # no span, and no "in progress" of the killed edit
