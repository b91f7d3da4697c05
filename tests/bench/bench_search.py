"""Corpus search on 100,000 documents with 100,000 annotations (times the scale).

Ours: ``Workspace.search`` (what ``annotator search`` and the window's search dock run), in a
fresh child process, for four searches. References, measured the same way in the same run: the
bare work the same answer needs with plain ``sqlite3`` and ``re`` on the same file.

- first page: the first 50 hits of a word in most documents. Reference: the bare full search
  for the same word (LIKE, then ``re.finditer``): what a search that cannot stop early costs.
- rare word, every hit: a word in 1 % of the documents. Reference: ``SELECT id, text ...
  WHERE text LIKE '%word%'``, then ``re.finditer`` over those texts.
- regex, every hit: words in nearly every document (the index passes 96 % of them). Reference:
  every text read and ``re.finditer``.
- regex, first page: the first 50 hits of that regex, what the window's list shows first (it
  fills while the search goes on). Reference: the same full scan.
- rare regex, every hit: a regex whose matches hold a word of 1 % of the documents, which the
  text index narrows to. Reference: every text read and ``re.finditer`` (what it cost before).
- label and value, every hit: STATEMENTs with stance=threatens. Reference: the spans selected
  with ``json_extract`` on the value, and the texts of their documents read.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from itertools import islice
from pathlib import Path
from typing import Any

from tests.bench.common import Figure, cached, measure

FIGURES = (
    "search first page, common word",
    "search rare word, every hit",
    "search regex, every hit",
    "search rare regex, every hit",
    "search label + value, every hit",
    "search regex, first page",
    "search peak RSS",
)
DOCUMENTS = 100_000
PAGE = 50
COMMON, RARE, REGEX = "missile", "hypersonic", r"\b[Dd]ro\w+ strikes?\b"
RARE_REGEX = r"\b[Hh]yperson\w+ \w+"
STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
WORDS = [
    *("missile", "drone", "sanctions", "ministry", "general", "export", "launcher", "cruise"),
    *("ballistic", "navy", "defence", "statement", "warning", "border", "alliance", "treaty"),
    *("rocket", "artillery", "submarine", "minister", "programme", "deployment", "strikes"),
    *("Kovačević", "Yılmaz", "“we", "will", "respond,”", "‘crushing’", "the", "said", "of"),
]


def build(folder: Path, scale: float) -> None:
    """Documents and spans written straight into a migrated database: setup, not measured."""
    from annotator.core.domain.text import content_hash
    from annotator.core.services.bundled import default_schema
    from annotator.core.services.workspace import Workspace

    db = folder / "search.sqlite3"
    with Workspace(str(db)) as ws:
        ref = ws.schemas.set_active(default_schema())
        annotator = ws.annotators.person("bench")
    rng = random.Random(5)
    now = "2026-01-01 00:00:00.000000"
    docs, spans = [], []
    for i in range(max(100, int(DOCUMENTS * scale))):
        words = [rng.choice(WORDS) for _ in range(120)]
        if i % 100 == 7:
            words[rng.randrange(len(words))] = RARE
        title = " ".join(words[:8]).capitalize()
        text = f"{title}\n" + " ".join(words) + "."
        docs.append((f"wire/{i:06d}", title, text, len(text), "{}", content_hash(text), now))
        start = len(title) + 1
        end = start + len(" ".join(words[:12]))
        stance = STANCES[i % len(STANCES)]
        spans.append((i + 1, annotator.id, ref.id, start, end, "STATEMENT", stance, now, now))
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        docs,
    )
    con.executemany(
        'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
        "attributes, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, json_object('stance', ?), ?, ?)",
        spans,
    )
    con.commit()
    con.close()


def _timed(run: Any) -> tuple[float, int]:
    start = time.perf_counter()
    found = run()
    return time.perf_counter() - start, found


def ours(db: str) -> dict[str, tuple[float, int]]:
    from annotator.core.domain.searching import SearchQuery
    from annotator.core.services.workspace import Workspace

    with Workspace(db, create=False) as ws:
        ws.annotators.all()  # the connection opened and the ORM set up, as in a window

        def count(query: SearchQuery, limit: int | None = None) -> int:
            return sum(1 for _ in islice(ws.search(query), limit))

        threats = SearchQuery(labels=("STATEMENT",), attributes=(("stance", "threatens"),))
        return {
            "page": _timed(lambda: count(SearchQuery(COMMON), PAGE)),
            "rare": _timed(lambda: count(SearchQuery(RARE))),
            "regex": _timed(lambda: count(SearchQuery(REGEX, regex=True))),
            "rare regex": _timed(lambda: count(SearchQuery(RARE_REGEX, regex=True))),
            "label": _timed(lambda: count(threats)),
            "regex page": _timed(lambda: count(SearchQuery(REGEX, regex=True), PAGE)),
        }


def reference(db: str) -> dict[str, tuple[float, int]]:
    con = sqlite3.connect(db)
    con.execute("SELECT count(*) FROM documents").fetchone()

    def like(word: str) -> int:
        rows = con.execute("SELECT id, text FROM documents WHERE text LIKE ?", (f"%{word}%",))
        pattern = re.compile(re.escape(word), re.IGNORECASE)
        return sum(1 for _, text in rows for _ in pattern.finditer(text))

    def scan(regex: str) -> int:
        pattern = re.compile(regex, re.IGNORECASE)
        rows = con.execute("SELECT id, text FROM documents")
        return sum(1 for _, text in rows for _ in pattern.finditer(text))

    def label() -> int:
        spans = con.execute(
            'SELECT document_id, start, "end" FROM spans WHERE label = ? '
            "AND json_extract(attributes, '$.stance') = ?",
            ("STATEMENT", "threatens"),
        ).fetchall()
        found = 0
        for doc_id, start, end in spans:
            (text,) = con.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
            found += bool(text[start:end])
        return found

    result = {
        "page": _timed(lambda: like(COMMON)),
        "rare": _timed(lambda: like(RARE)),
        "regex": _timed(lambda: scan(REGEX)),
        "rare regex": _timed(lambda: scan(RARE_REGEX)),
        "label": _timed(label),
    }
    result["regex page"] = result["regex"]
    con.close()
    return result


def run(scale: float) -> list[Figure]:
    db = str(cached("search-v1", scale, lambda f: build(f, scale)) / "search.sqlite3")
    ref = measure("tests.bench.bench_search:reference", db)
    got = measure("tests.bench.bench_search:ours", db)
    mine: dict[str, list[float]] = got.result
    bare: dict[str, list[float]] = ref.result
    for name in ("rare", "regex", "rare regex", "label"):
        assert mine[name][1] == bare[name][1], (name, mine[name], bare[name])  # same hits
    assert mine["page"][1] == PAGE
    assert mine["regex page"][1] == min(PAGE, bare["regex"][1])
    notes = {name: f"{int(mine[name][1]):,} hits" for name in mine}
    for page in ("page", "regex page"):
        notes[page] = f"{int(mine[page][1])} hits; reference: all {int(bare[page][1]):,}"
    return [
        *(
            Figure(figure, mine[name][0] * 1000, "ms", bare[name][0] * 1000, note=notes[name])
            for figure, name in zip(
                FIGURES,
                ("page", "rare", "regex", "rare regex", "label", "regex page"),
                strict=False,
            )
        ),
        Figure(FIGURES[6], got.peak_rss_mb, "MB", ref.peak_rss_mb),
    ]


def main() -> None:
    import sys

    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
