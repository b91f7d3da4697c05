"""SIGKILL at each named commit point of an import and a schema switch.

``ANNOTATOR_FAULT_POINT=NAME`` makes the process kill itself there (``domain/faults.py``).
After each kill the database passes SQLite's integrity and foreign-key checks, holds either
nothing of the interrupted job or all of it, and the same command then succeeds. The export's
points are in ``tests/core/test_export_safety.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
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


def run_killed_at(point: str, cmd: list[str]) -> None:
    env = dict(os.environ, ANNOTATOR_FAULT_POINT=point, PYTHONPATH=str(REPO))
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, (
        f"the process did not reach {point!r} (exit {done.returncode}):\n{done.stderr}"
    )


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
    run_killed_at(point, cli(db, "import", str(data)))
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
    run_killed_at(point, cli(db, "schema", "use", str(new_schema)))
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
    run_killed_at("adjudicate-before-commit", cli(db, "adjudicate", "--auto"))
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
