"""A killed annotation session keeps every edit it had acknowledged (SIGKILL between edits).

The session is killed from outside after a random (seeded) number of acknowledged edits: what
this proves is that an acknowledgement means the edit is stored, wherever the kill lands. Kills
*inside* a write, at named points, are in ``tests/faults/test_kill_points.py`` (an import, a
schema switch, an adjudication, an edit: each run shows it stopped inside the transaction
before it is killed) and ``tests/core/test_export_safety.py`` (every step of publishing an
export). The random-time import and export kills that were here proved little: most landed in
interpreter start-up. The helpers below (a corpus, a base database, a content snapshot) serve
those tests too.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, select
from sqlalchemy import text as sql

from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Base, Span
from tests.conftest import fresh_pg_database

REPO = Path(__file__).resolve().parents[2]
SEED = 20260314
KILLS = 22
WORDS = [
    *("the", "minister", "said", "that", "the", "new", "missile", "would", "be", "ready"),
    *("before", "the", "end", "of", "the", "year"),
]


def cli(db: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", str(db), *args]


def integrity_ok(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def content(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, without the timestamps that differ from run to run."""
    with Workspace(url) as ws, ws.db.engine.connect() as conn:
        result = {}
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if not isinstance(c.type, DateTime)]
            query = select(*columns).order_by(*table.primary_key.columns)
            result[table.name] = [tuple(row) for row in conn.execute(query)]
        return result


def write_corpus(path: Path, documents: int) -> None:
    """Pre-annotated articles: spans, links and statuses, so an import touches every table."""
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            head = f"Article {i}\n"
            words = [rng.choice(WORDS) for _ in range(200)]
            text = head + " ".join(words)
            spans, pos = [], len(head)
            for k, word in enumerate(words):
                if k % 20 == 0:
                    label = "STATEMENT" if k % 40 == 0 else "TARGET"
                    span = {
                        "id": f"T{k}",
                        "start": pos,
                        "end": pos + len(word),
                        "label": label,
                        "annotator": "importer",
                    }
                    if label == "STATEMENT":
                        span["attributes"] = {"stance": "neutral"}
                    spans.append(span)
                pos += len(word) + 1
            relations = [
                {"label": "aimed_at", "from": spans[j]["id"], "to": spans[j + 1]["id"]}
                for j in range(0, len(spans) - 1, 2)
            ]
            record = {
                "id": f"doc-{i}",
                "text": text,
                "spans": spans,
                "relations": relations,
                "status": {"importer": "done" if i % 3 else "in_progress"},
            }
            out.write(json.dumps(record) + "\n")


def make_base(path: Path) -> None:
    with Workspace(f"sqlite:///{path}") as ws:
        ann = ws.annotations("alice")
        for n in range(20):
            doc = ws.documents.add(f"Earlier article {n}\nThe general said no.", key=f"old-{n}")
            ann.create_span(doc.id, len(f"Earlier article {n}\n"), len(doc.text), "STATEMENT")


# -- a session killed between edits keeps every edit it had acknowledged --


@dataclass
class Log:
    """What the killed worker said: acknowledged edits, and the one (at most) in flight."""

    created: dict[int, str]  # span id -> stance last acknowledged
    deleted: set[int]
    in_flight: list[str] | None


def read_until_killed(url: str, seed: int, acks: int) -> Log:
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "tests.core.crash_worker", url, str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline() == "ready\n"
            while sum(line.startswith("!") for line in lines) < acks:
                line = proc.stdout.readline()
                assert line, f"the worker ended: exit status {proc.poll()}"
                lines.append(line)
            time.sleep(random.Random(seed).uniform(0, 0.02))  # land anywhere in the next edits
        finally:
            proc.send_signal(signal.SIGKILL)
        # Not communicate(): it reads the pipe directly and would drop the lines readline()
        # has already buffered.
        rest = proc.stdout.read()
    lines += rest.splitlines(keepends=True)
    log = Log({}, set(), None)
    for line in lines:
        kind, op, *args = line.split()
        if kind == "?":
            log.in_flight = [op, *args]
            continue
        log.in_flight = None
        if op == "create":
            log.created[int(args[0])] = "neutral"
        elif op == "attr":
            log.created[int(args[0])] = args[1]
        else:
            log.deleted.add(int(args[0]))
            del log.created[int(args[0])]
    return log


def check_acknowledged(url: str, log: Log, earlier: set[int]) -> None:
    """Every acknowledged edit is in the database; only the one in flight may go either way."""
    with Workspace(url) as ws, ws.db.read() as s:
        stored = {
            row.id: (row.document_id, row.start, row.attributes.get("stance"))
            for row in s.scalars(select(Span))
        }
    flight = log.in_flight or ["none", "0"]
    flight_id = int(flight[1])
    for span_id, stance in log.created.items():
        if flight[0] == "delete" and flight_id == span_id and span_id not in stored:
            continue  # the delete in flight did commit
        assert span_id in stored, f"acknowledged span #{span_id} was lost"
        allowed = {stance}
        if flight[0] == "attr" and flight_id == span_id:
            allowed.add(flight[2])
        assert stored[span_id][2] in allowed, f"span #{span_id}: stance {stored[span_id][2]}"
    for span_id in log.deleted:
        assert span_id not in stored, f"acknowledged delete of #{span_id} undone"
    extra = set(stored) - set(log.created) - log.deleted - earlier
    if flight[0] == "create":  # the create in flight may have committed, at its offsets
        extra = {i for i in extra if stored[i][:2] != (flight_id, int(flight[2]))}
    assert not extra, (
        f"spans nobody acknowledged: {[(i, stored[i]) for i in sorted(extra)]}; "
        f"in flight: {log.in_flight}; acknowledged {sorted(log.created)}; "
        f"deleted {sorted(log.deleted)}; earlier max {max(earlier, default=0)}"
    )


def settle(url: str) -> None:
    """Wait until PostgreSQL has ended the killed client's session.

    A COMMIT the client sent just before it died is still carried out by the server, a moment
    later: reading before then would see an in-flight edit land after the check.
    """
    if url.startswith("sqlite"):
        return
    query = sql(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 30
    with Workspace(url) as ws:
        while time.monotonic() < deadline:
            with ws.db.engine.connect() as conn:
                if conn.execute(query).scalar() == 0:
                    return
            time.sleep(0.05)
    raise TimeoutError("the killed client's session never ended")


def span_ids(url: str) -> set[int]:
    with Workspace(url) as ws, ws.db.read() as s:
        return set(s.scalars(select(Span.id)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def edit_db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path | None]:
    if request.param == "sqlite":
        path = tmp_path / "edits.sqlite3"
        url = f"sqlite:///{path}"
    else:
        path, url = None, fresh_pg_database(request.getfixturevalue("pg_server_url"))
    with Workspace(url) as ws:
        for n in range(5):
            ws.documents.add(" ".join(WORDS * 10) + f" {n}", key=f"edit-{n}")
    return url, path


@pytest.mark.slow
def test_killed_session_keeps_every_acknowledged_edit(edit_db: tuple[str, Path | None]) -> None:
    url, path = edit_db
    rng = random.Random(SEED)
    rounds = KILLS if path is not None else KILLS // 2
    for n in range(rounds):
        earlier = span_ids(url)
        log = read_until_killed(url, SEED + n, acks=rng.randint(1, 150))
        settle(url)
        if path is not None:
            integrity_ok(path)
        check_acknowledged(url, log, earlier)
