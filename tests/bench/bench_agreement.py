"""Agreement, adjudication and curation over a team's work.

1,000 documents, each finished by 3 annotators with 100 spans (50 statements with a stance,
50 speakers) and 50 said_by links each, with realistic disagreements (missed spans, shifted
boundaries, other stances).

- ``annotator agreement --json`` (a fresh process: start-up, reading and every measure) against
  the time to read the same span and link rows with plain ``sqlite3`` (reference).
- ``annotator adjudicate --auto`` into an empty gold layer, against the same reference.
- the curation rows of one document with 3 annotators' 10,000 spans each, against reading one
  annotator's 10,000 spans with the editor's ``AnnotationService.spans`` (what opening a
  document in the editor costs).
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import REPO, Figure, measure

DOCS, SENTENCES = 1000, 50
PEOPLE = ("alice", "bob", "carol")
STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
FIGURES = (
    "agreement, 1k docs x 3 x 100 spans",
    "adjudicate --auto, same corpus",
    "curation rows, 3 x 10k spans",
)
SENTENCE = "Gen. Ivanov said the missile test went well. "  # 45 characters


def build(path: Path, docs: int, sentences: int) -> None:
    """The corpus, written with sqlite3 into tables the product made."""
    from annotator.core.services.workspace import Workspace

    with Workspace(str(path)) as ws:
        ws.active_schema()
        for name in PEOPLE:
            ws.annotators.person(name)
    con = sqlite3.connect(path)
    schema_id = con.execute("SELECT id FROM schemas").fetchone()[0]
    people = dict(con.execute("SELECT name, id FROM annotators"))
    rng = random.Random(7)
    text = SENTENCE * sentences
    now = "2026-12-01 00:00:00"
    span_id = rel_id = 0
    spans, rels, statuses = [], [], []
    for d in range(1, docs + 1):
        con.execute(
            "INSERT INTO documents (id, key, title, text, length, meta, content_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, '{}', ?, ?)",
            (d, f"doc-{d:05}", f"Doc {d}", text, len(text), f"{d:064x}", now),
        )
        truth = [rng.choice(STANCES) for _ in range(sentences)]
        for name in PEOPLE:
            who = people[name]
            statuses.append((d, who, "done", now))
            for i in range(sentences):
                base = i * len(SENTENCE)
                if rng.random() < 0.05:  # missed this statement and its speaker
                    continue
                end = base + len(SENTENCE) - 1
                if rng.random() < 0.05:
                    end -= 6  # "well." left out
                stance = truth[i] if rng.random() < 0.85 else rng.choice(STANCES)
                span_id += 1
                speaker = span_id
                spans.append((speaker, d, who, schema_id, base, base + 11, "SPEAKER", "{}"))
                span_id += 1
                attrs = f'{{"stance": "{stance}", "form": "indirect"}}'
                spans.append((span_id, d, who, schema_id, base + 12, end, "STATEMENT", attrs))
                rel_id += 1
                rels.append((rel_id, d, who, schema_id, "said_by", span_id, speaker))
    con.executemany(
        "INSERT INTO spans (id, document_id, annotator_id, schema_id, start, end, label,"
        f" attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{now}', '{now}')",
        spans,
    )
    con.executemany(
        "INSERT INTO relations (id, document_id, annotator_id, schema_id, label, source_id,"
        f" target_id, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '{{}}', '{now}')",
        rels,
    )
    con.executemany(
        "INSERT INTO document_status (document_id, annotator_id, status, updated_at)"
        " VALUES (?, ?, ?, ?)",
        statuses,
    )
    con.commit()
    con.close()


def read_plain(path: str) -> int:
    """The reference: the same rows with plain sqlite3 (no measure computed)."""
    con = sqlite3.connect(path)
    n = len(
        con.execute(
            "SELECT id, document_id, annotator_id, start, end, label, attributes FROM spans"
        ).fetchall()
    )
    n += len(
        con.execute(
            "SELECT id, document_id, annotator_id, label, source_id, target_id FROM relations"
        ).fetchall()
    )
    con.close()
    return n


def cli(*args: str) -> float:
    """Wall time of an ``annotator`` command in a fresh process, start-up included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def curation_rows(path: str) -> int:
    from annotator.core.services.workspace import Workspace

    with Workspace(path, create=False) as ws:
        curation = ws.curation()
        return len(curation.rows(curation.work("doc-00001")))


def editor_open(path: str) -> int:
    from annotator.core.services.workspace import Workspace

    with Workspace(path, create=False) as ws:
        return len(ws.annotations("alice").spans(1))


def run(scale: float) -> list[Figure]:
    docs = max(10, round(DOCS * scale))
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        db = Path(tmp) / "team.sqlite3"
        build(db, docs, SENTENCES)
        reference = measure("tests.bench.bench_agreement:read_plain", str(db))
        agreement = cli("--db", str(db), "agreement", "--json")
        adjudicate = cli("--db", str(db), "adjudicate", "--auto")
        big = Path(tmp) / "big.sqlite3"
        build(big, 1, max(100, round(5000 * scale)))
        rows = measure("tests.bench.bench_agreement:curation_rows", str(big))
        editor = measure("tests.bench.bench_agreement:editor_open", str(big))
    spans = docs * len(PEOPLE) * 2 * SENTENCES
    return [
        Figure(
            FIGURES[0],
            agreement,
            "s",
            reference.seconds,
            target="< 2 s at scale 1",
            met=agreement < 2 if scale >= 1 else None,
            note=f"{spans} spans, process start included",
        ),
        Figure(FIGURES[1], adjudicate, "s", reference.seconds, note="process start included"),
        Figure(
            FIGURES[2],
            rows.seconds,
            "s",
            editor.seconds,
            target="<= 1x editor open",
            note=f"{rows.result} rows; reference: one annotator's spans as the editor reads them",
        ),
    ]


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
