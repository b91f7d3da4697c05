"""Import speed: 10,000 articles (~50 MB) with 1,000,000 pre-annotated spans, times the scale.

Ours: ``import_paths`` of one native JSONL file into an empty database, the work behind
``annotator import`` (reading, decoding, normalising, validating every span against the schema
and the text, all in one transaction).
Reference: the least any importer must do for the same result: read the file, parse each line
with orjson, hash each text, and ``sqlite3.executemany`` the same rows (documents, spans, status)
into the same tables in one transaction, with the same pragmas (WAL, synchronous=FULL).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson

from annotator.core.services.importing import import_paths
from annotator.core.services.schemas import SchemaService

# At the top, so that neither side's timing includes importing its modules.
from annotator.core.storage.db import Database
from tests.bench.common import Figure, cached, measure

FIGURES = (
    "import 10k articles, 1M spans",
    "import peak RSS",
    "import 4 MB HTML, unclosed <title>",
    "import 4 MB HTML, '<' never closed",
)
DOCUMENTS = 10_000
SPANS_PER_DOCUMENT = 100
TARGET_RATIO = 2.0
ANNOTATOR = "bench"
_PROSE = (
    "the minister said missile forces would be doubled within two years and that drones "
    "were ready for export to any ally who asks while the ministry denied that rockets had "
    "been shipped across the border “no one will intercept what we build” he warned"
)
WORDS = _PROSE.split()
LABELS = [
    ("STATEMENT", {"stance": "supports"}),
    ("SPEAKER", {"speaker_type": "official"}),
    ("TARGET", {}),
    ("WEAPON", {"weapon_type": "ballistic_missile"}),
]


def build_corpus(folder: Path, scale: float) -> None:
    """The JSONL to import, and an empty migrated database (with its schema) to import into."""
    from annotator.core.services.workspace import Workspace

    rng = random.Random(11)
    with (folder / "corpus.jsonl").open("wb") as out:
        for n in range(max(1, int(DOCUMENTS * scale))):
            head = f"Article {n}: the minister’s warning\n"
            words = [rng.choice(WORDS) for _ in range(820)]
            text = head + " ".join(words)
            # A span on every eighth word: disjoint, so no label's overlap rule is in play.
            spans, pos = [], len(head)
            for k, word in enumerate(words):
                if k % 8 == 0 and len(spans) < SPANS_PER_DOCUMENT:
                    label, attrs = LABELS[len(spans) % len(LABELS)]
                    spans.append(
                        {"start": pos, "end": pos + len(word), "label": label, "attributes": attrs}
                    )
                pos += len(word) + 1
            record = {"id": f"art-{n}", "title": head.strip(), "text": text, "spans": spans}
            out.write(orjson.dumps(record) + b"\n")
    with Workspace(str(folder / "empty.sqlite3")) as ws:
        ws.active_schema()


def ours(corpus: str, db: str) -> dict[str, int]:
    database = Database(db)
    schemas = SchemaService(database)
    active = schemas.active()
    assert active is not None
    ref, schema = active
    report = import_paths(
        database, [Path(corpus)], schema=schema, schema_ref=ref, annotator=ANNOTATOR
    )
    database.close()
    return {"documents": len(report.imported_ids), "spans": report.spans}


def reference(corpus: str, db: str) -> dict[str, int]:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")
    now = "2026-01-01 00:00:00.000000"
    con.execute("BEGIN IMMEDIATE")
    schema_id = con.execute("SELECT id FROM schemas").fetchone()[0]
    annotator_id = con.execute(
        "INSERT INTO annotators (name, created_at) VALUES (?, ?) RETURNING id", (ANNOTATOR, now)
    ).fetchone()[0]
    docs: list[tuple[Any, ...]] = []
    spans: list[tuple[Any, ...]] = []
    totals = {"documents": 0, "spans": 0}

    def flush() -> None:
        con.executemany(
            "INSERT INTO documents (id, key, title, text, length, meta, content_hash, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        con.executemany(
            'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
            "attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            spans,
        )
        con.executemany(
            "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
            "VALUES (?, ?, 'in_progress', ?)",
            [(d[0], annotator_id, now) for d in docs],
        )
        totals["documents"] += len(docs)
        totals["spans"] += len(spans)
        docs.clear()
        spans.clear()

    with open(corpus, "rb") as handle:
        for doc_id, line in enumerate(handle, start=1):
            record = orjson.loads(line)
            text = record["text"]
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            docs.append((doc_id, record["id"], record["title"], text, len(text), "{}", digest, now))
            spans.extend(
                (
                    doc_id,
                    annotator_id,
                    schema_id,
                    s["start"],
                    s["end"],
                    s["label"],
                    orjson.dumps(s["attributes"]).decode(),
                    now,
                    now,
                )
                for s in record["spans"]
            )
            if len(docs) == 500:  # in batches, so memory stays flat as an importer's should
                flush()
    flush()
    con.execute("COMMIT")
    con.close()
    return totals


def _fresh(folder: Path, name: str, work: Path) -> str:
    db = work / f"{name}.sqlite3"
    for old in work.glob(f"{name}.sqlite3*"):
        old.unlink()
    shutil.copy(folder / "empty.sqlite3", db)
    return str(db)


def html_page(path: str, unclosed: bool, kind: str = "title") -> int:
    """Read a 4 MB page: its title never closed, or text full of "<" that no ">" ends
    (``kind="lt"``), or (the reference) a well-formed one."""
    from annotator.core.formats.readers import read_html

    words = "the minister said missile forces would be doubled " * 80_000
    if unclosed and kind == "lt":
        head = "<p>" + words.replace("would", "would<")  # no ">" after any of them
    elif unclosed:
        head = f"<title>{words}"
    else:
        head = f"<title>Title</title><p>{words}</p>"
    Path(path).write_text(f"<html><body><p>Article.</p>{head}", encoding="utf-8")
    return len(read_html(Path(path), "page").text)


def run(scale: float) -> list[Figure]:
    folder = cached("import-v1", scale, lambda f: build_corpus(f, scale))
    corpus = str(folder / "corpus.jsonl")
    work = folder / "work"
    work.mkdir(exist_ok=True)
    try:
        ref = measure("tests.bench.bench_import:reference", corpus, _fresh(folder, "ref", work))
        got = measure("tests.bench.bench_import:ours", corpus, _fresh(folder, "ours", work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert got.result == ref.result, (got.result, ref.result)
    ratio = got.seconds / ref.seconds
    page = str(folder / "page.html")
    well = measure("tests.bench.bench_import:html_page", page, False)
    bad = measure("tests.bench.bench_import:html_page", page, True)
    lts = measure("tests.bench.bench_import:html_page", page, True, "lt")
    return [
        Figure(
            FIGURES[3], lts.seconds, "s", well.seconds, "<= 2x", lts.seconds <= 2 * well.seconds
        ),
        Figure(
            FIGURES[2], bad.seconds, "s", well.seconds, "<= 2x", bad.seconds <= 2 * well.seconds
        ),
        Figure(FIGURES[0], got.seconds, "s", ref.seconds, f"<= {TARGET_RATIO:g}x", ratio <= 2),
        Figure(FIGURES[1], got.peak_rss_mb, "MB", ref.peak_rss_mb),
    ]
