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
- label and speaker, every hit: ``label:STATEMENT speaker:hatami``, the statements said by one
  of twenty speakers (each document's statement is linked to its speaker). Reference: the
  statements joined to their speakers in SQL, and each speaker's text read and compared.
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
    "search label + speaker, every hit",
)
DOCUMENTS = 100_000
PAGE = 50
COMMON, RARE, REGEX = "missile", "hypersonic", r"\b[Dd]ro\w+ strikes?\b"
RARE_REGEX = r"\b[Hh]yperson\w+ \w+"
SPEAKERS = (
    *("Hatami", "Kovačević", "Yılmaz", "Okafor", "Lindqvist", "Petrenko", "Abadi", "Moreau"),
    *("Sato", "Nwosu", "Haddad", "Novak", "Ferreira", "Kowalski", "Rahimi", "Duarte"),
    *("Ivanova", "Mensah", "Ortega", "Brandt"),
)
SPEAKER_QUERY = "label:STATEMENT speaker:hatami"
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
    docs, spans, speakers, links = [], [], [], []
    count = max(100, int(DOCUMENTS * scale))
    for i in range(count):
        words = [rng.choice(WORDS) for _ in range(120)]
        if i % 100 == 7:
            words[rng.randrange(len(words))] = RARE
        title = " ".join(words[:8]).capitalize()
        speaker = SPEAKERS[i % len(SPEAKERS)]
        text = f"{title}\n" + " ".join(words) + f". Gen. {speaker} said."
        said = text.rindex(speaker)
        speakers.append((count + i + 1, i + 1, annotator.id, ref.id, said, said + len(speaker)))
        links.append((i + 1, annotator.id, ref.id, i + 1, count + i + 1))
        docs.append((f"wire/{i:06d}", title, text, len(text), "{}", content_hash(text), now))
        start = len(title) + 1
        end = start + len(" ".join(words[:12]))
        stance = STANCES[i % len(STANCES)]
        spans.append(
            (i + 1, i + 1, annotator.id, ref.id, start, end, "STATEMENT", stance, now, now)
        )
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        docs,
    )
    con.executemany(
        'INSERT INTO spans (id, document_id, annotator_id, schema_id, start, "end", label, '
        "attributes, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, json_object('stance', ?), ?, ?)",
        spans,
    )
    con.executemany(
        'INSERT INTO spans (id, document_id, annotator_id, schema_id, start, "end", label, '
        "attributes, created_at, updated_at) "
        f"VALUES (?, ?, ?, ?, ?, ?, 'SPEAKER', '{{}}', '{now}', '{now}')",
        speakers,
    )
    con.executemany(
        "INSERT INTO relations (document_id, annotator_id, schema_id, label, source_id, "
        f"target_id, attributes, created_at) VALUES (?, ?, ?, 'said_by', ?, ?, '{{}}', '{now}')",
        links,
    )
    con.commit()
    con.close()


def _timed(run: Any) -> tuple[float, int]:
    start = time.perf_counter()
    found = run()
    return time.perf_counter() - start, found


def ours(db: str) -> dict[str, tuple[float, int]]:
    from annotator.core.domain.search_syntax import parse_search
    from annotator.core.domain.searching import SearchQuery
    from annotator.core.services.workspace import Workspace

    with Workspace(db, create=False) as ws:
        ws.annotators.all()  # the connection opened and the ORM set up, as in a window

        def count(query: SearchQuery, limit: int | None = None) -> int:
            return sum(1 for _ in islice(ws.search(query), limit))

        threats = SearchQuery(labels=("STATEMENT",), attributes=(("stance", "threatens"),))
        said_by = parse_search(SPEAKER_QUERY, ws.active_schema()).query
        return {
            "page": _timed(lambda: count(SearchQuery(COMMON), PAGE)),
            "rare": _timed(lambda: count(SearchQuery(RARE))),
            "regex": _timed(lambda: count(SearchQuery(REGEX, regex=True))),
            "rare regex": _timed(lambda: count(SearchQuery(RARE_REGEX, regex=True))),
            "label": _timed(lambda: count(threats)),
            "regex page": _timed(lambda: count(SearchQuery(REGEX, regex=True), PAGE)),
            "speaker": _timed(lambda: count(said_by)),
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

    def speaker() -> int:
        said = con.execute(
            'SELECT d.text, sp.start, sp."end" FROM spans st '
            "JOIN relations r ON r.source_id = st.id AND r.label = 'said_by' "
            "JOIN spans sp ON sp.id = r.target_id AND sp.label = 'SPEAKER' "
            "JOIN documents d ON d.id = st.document_id WHERE st.label = 'STATEMENT'"
        )
        wanted = SPEAKER_QUERY.rpartition(":")[2].casefold()
        return sum(wanted in text[start:end].casefold() for text, start, end in said)

    result = {
        "page": _timed(lambda: like(COMMON)),
        "rare": _timed(lambda: like(RARE)),
        "regex": _timed(lambda: scan(REGEX)),
        "rare regex": _timed(lambda: scan(RARE_REGEX)),
        "label": _timed(label),
        "speaker": _timed(speaker),
    }
    result["regex page"] = result["regex"]
    con.close()
    return result


def run(scale: float) -> list[Figure]:
    db = str(cached("search-v2", scale, lambda f: build(f, scale)) / "search.sqlite3")
    ref = measure("tests.bench.bench_search:reference", db)
    got = measure("tests.bench.bench_search:ours", db)
    mine: dict[str, list[float]] = got.result
    bare: dict[str, list[float]] = ref.result
    for name in ("rare", "regex", "rare regex", "label", "speaker"):
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
        Figure(
            FIGURES[7],
            mine["speaker"][0] * 1000,
            "ms",
            bare["speaker"][0] * 1000,
            "< 1 s",
            mine["speaker"][0] < 1.0,
            note=f"{SPEAKER_QUERY}: {int(mine['speaker'][1]):,} hits",
        ),
    ]


def main() -> None:
    import sys

    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
