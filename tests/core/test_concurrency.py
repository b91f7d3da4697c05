"""Several desktops on one database at once: no edit lost, no "database is locked", shared status.

Each worker process (``tests/core/concurrency_worker.py``) is one annotator making random edits
through the service API and recording the ones it got an answer for. Afterwards the database must
hold exactly what every worker was told, and every worker must see the others' statuses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Annotator, DocumentStatus, Relation, Span
from tests.conftest import fresh_pg_database
from tests.core.concurrency_worker import OWN_DOCUMENTS, article

REPO = Path(__file__).resolve().parents[2]
SHARED_DOCUMENTS = 4
TIMEOUT_S = 300


def run_workers(url: str, workers: int, edits: int, tmp_path: Path) -> list[dict[str, Any]]:
    sync = tmp_path / "sync"
    sync.mkdir()
    outs = [tmp_path / f"worker{i}.json" for i in range(workers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.core.concurrency_worker",
                url,
                str(i),
                str(workers),
                str(edits),
                "5",
                str(sync),
                str(out),
            ],
            cwd=REPO,
        )
        for i, out in enumerate(outs)
    ]
    try:
        codes = [p.wait(timeout=TIMEOUT_S) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert codes == [0] * workers
    return [json.loads(out.read_text()) for out in outs]


def shared_documents(url: str) -> None:
    """Documents every worker annotates, imported before they start."""
    with Workspace(url) as ws:
        for n in range(SHARED_DOCUMENTS):
            ws.documents.add(article(999, n), key=f"shared-{n}", title=f"shared {n}")


def assert_database_holds_what_was_acknowledged(
    url: str, results: list[dict[str, Any]], edits: int
) -> None:
    for r in results:
        assert r["errors"] == [], f"{r['name']}:\n" + "\n".join(r["errors"])
        assert r["acknowledged"] == edits
    with Workspace(url) as ws, ws.db.read() as s:
        names = dict(s.execute(select(Annotator.name, Annotator.id)).all())
        for r in results:
            me = names[r["name"]]
            spans = {
                str(row.id): {
                    "document_id": row.document_id,
                    "start": row.start,
                    "end": row.end,
                    "label": row.label,
                    "attributes": row.attributes,
                }
                for row in s.scalars(select(Span).where(Span.annotator_id == me))
            }
            assert spans == r["spans"], f"{r['name']}: spans differ from the acknowledged ones"
            relations = {
                str(row.id): {
                    "source_id": row.source_id,
                    "target_id": row.target_id,
                    "label": row.label,
                }
                for row in s.scalars(select(Relation).where(Relation.annotator_id == me))
            }
            assert relations == r["relations"], f"{r['name']}: links differ"
            statuses = {
                str(row.document_id): row.status
                for row in s.scalars(
                    select(DocumentStatus).where(DocumentStatus.annotator_id == me)
                )
            }
            assert statuses == r["statuses"], f"{r['name']}: statuses differ"


def assert_everyone_sees_everyones_status(results: list[dict[str, Any]]) -> None:
    final = {r["name"]: r["statuses"] for r in results}
    for r in results:
        for doc, seen in r["seen"].items():
            expected = {name: st[doc] for name, st in final.items() if doc in st}
            assert seen == expected, f"{r['name']} sees {seen} on #{doc}, not {expected}"


def check_run(url: str, workers: int, edits: int, tmp_path: Path) -> list[dict[str, Any]]:
    results = run_workers(url, workers, edits, tmp_path)
    assert_database_holds_what_was_acknowledged(url, results, edits)
    assert_everyone_sees_everyones_status(results)
    with Workspace(url) as ws:
        assert ws.documents.count() == SHARED_DOCUMENTS + workers * OWN_DOCUMENTS
    return results


@pytest.mark.slow
def test_four_processes_on_one_sqlite_file(sqlite_url: str, tmp_path: Path) -> None:
    shared_documents(sqlite_url)
    results = check_run(sqlite_url, workers=4, edits=1000, tmp_path=tmp_path)
    # Every kind of edit happened, so the comparison above covered each.
    for r in results:
        assert set(r["counts"]) == {"create", "attribute", "link", "unlink", "status", "delete"}


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_processes_on_one_postgres_database(pg_server_url: str, tmp_path: Path) -> None:
    url = fresh_pg_database(pg_server_url)
    shared_documents(url)
    results = check_run(url, workers=8, edits=1000, tmp_path=tmp_path)
    for r in results:
        assert set(r["counts"]) == {"create", "attribute", "link", "unlink", "status", "delete"}


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_first_start_of_many_desktops_on_a_new_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Nobody has created the tables or chosen a schema yet: every process tries at once."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_server_url"))
    workers = 6
    results = run_workers(url, workers, edits=30, tmp_path=tmp_path)
    for r in results:
        assert r["errors"] == [], f"{r['name']}:\n" + "\n".join(r["errors"])
    assert_database_holds_what_was_acknowledged(url, results, 30)
    assert_everyone_sees_everyones_status(results)
    with Workspace(url) as ws:
        assert ws.documents.count() == workers * OWN_DOCUMENTS
