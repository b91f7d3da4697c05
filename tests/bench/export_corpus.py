"""The export benchmark's corpus and its raw lower bound, apart from the timing harness.

``generate`` builds (once, cached) a SQLite corpus with the real migrations, then bulk-inserts
rows with ``sqlite3``; ``raw_export`` writes the same native JSONL as the export with nothing
but ``sqlite3`` and orjson, so that the harness can check both files are byte-identical.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import yaml

DOCS = 10_000
SPANS = 1_000_000
RELATIONS_PER_DOC = 10
GENERATOR_VERSION = 2  # 2: every link is one the schema allows (an export refuses others)

_WORD_TEXT = (
    "the minister said missile forces would be doubled within five years and that drones "
    "artillery air defence brigades navy officials warned neighbouring allies against new "
    "sanctions ballistic cruise nuclear programme army general spokesman denied reports of "
    "rockets shipped across border statement accord exercises base capital region agency"
)
_WORDS = tuple(_WORD_TEXT.split())
_LABELS = (
    ("STATEMENT", 0.3),
    ("SPEAKER", 0.25),
    ("TARGET", 0.2),
    ("WEAPON", 0.25),
)
_RELATIONS = (("said_by", "SPEAKER"), ("aimed_at", "TARGET"), ("about", "WEAPON"))
_STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
_WEAPONS = ("ballistic_missile", "cruise_missile", "air_defence", "drone", "naval", "nuclear")
_SPEAKERS = ("official", "body", "anonymous", "other")
_TS = "2026-01-01 00:00:00.000000"


def corpus_path(docs: int, spans: int) -> Path:
    # where the other benchmarks keep theirs ($ANNOTATOR_BENCH_CACHE): the smoke test's own
    # folder, not a shared one that another version of annotator may have migrated past this
    from annotator.core.storage.migrations import HEAD
    from tests.bench.common import cache_root

    folder = cache_root()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"corpus-v{GENERATOR_VERSION}-db{HEAD}-{docs}-{spans}.sqlite3"


def _attributes(rng: random.Random, label: str) -> dict[str, Any]:
    if label == "STATEMENT":
        return {"stance": rng.choice(_STANCES), "form": rng.choice(("direct", "indirect"))}
    if label == "WEAPON":
        return {"weapon_type": rng.choice(_WEAPONS)}
    if label == "SPEAKER":
        return {"speaker_type": rng.choice(_SPEAKERS)}
    return {}


def _document(rng: random.Random, n: int, spans_here: int) -> tuple[str, list[tuple[int, int]]]:
    """A text of sentences and the (start, end) of every word in it."""
    words: list[tuple[int, int]] = []
    parts: list[str] = [f"Headline number {n}\n"]
    pos = len(parts[0])
    target_words = max(40, spans_here * 7)
    while len(words) < target_words:
        sentence = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
        for i, word in enumerate(sentence):
            if i:
                parts.append(" ")
                pos += 1
            words.append((pos, pos + len(word)))
            parts.append(word)
            pos += len(word)
        tail = ". " if rng.random() < 0.9 else ".\n\n"
        parts.append(tail)
        pos += len(tail)
    return "".join(parts), words


def generate(path: Path, docs: int, spans: int, seed: int = 7) -> None:
    """Create the corpus with the real migrations, then bulk-insert rows with ``sqlite3``."""
    from annotator.core.domain.text import content_hash
    from annotator.core.services.bundled import default_schema
    from annotator.core.services.workspace import Workspace

    # A name of this process's own: two runs sharing the cache (a CI run beside a developer's)
    # each build theirs and the last rename wins, instead of one deleting the other's file.
    tmp = path.with_suffix(f".{os.getpid()}.part")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    ws = Workspace(f"sqlite:///{tmp}")
    schema_id = ws.schemas.set_active(default_schema()).id
    for name in ("alice", "bob"):
        ws.annotators.get_or_create(name)
    ws.close()
    rng = random.Random(seed)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA synchronous = OFF")
    per_doc = spans // docs
    span_id = 0
    labels = [name for name, _ in _LABELS]
    weights = [w for _, w in _LABELS]
    with con:
        for n in range(1, docs + 1):
            text, words = _document(rng, n, per_doc)
            con.execute(
                "INSERT INTO documents (id, key, title, text, length, source, url, published, "
                "meta, content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    n,
                    f"doc-{n:06d}",
                    f"Headline number {n}",
                    text,
                    len(text),
                    "bench",
                    f"https://example.org/{n}",
                    "2026-03-14",
                    orjson.dumps({"section": "defence"}).decode(),
                    content_hash(text),
                    _TS,
                ),
            )
            rows = []
            for _ in range(per_doc):
                span_id += 1
                w = rng.randrange(len(words) - 4)
                label = rng.choices(labels, weights)[0]
                start, end = words[w][0], words[w + rng.randint(0, 3)][1]
                rows.append(
                    (
                        span_id,
                        n,
                        1 + (span_id % 2),
                        schema_id,
                        start,
                        end,
                        label,
                        orjson.dumps(_attributes(rng, label)).decode(),
                        _TS,
                        _TS,
                    )
                )
            con.executemany(
                'INSERT INTO spans (id, document_id, annotator_id, schema_id, start, "end", '
                "label, attributes, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            links = _links(rng, rows)
            con.executemany(
                "INSERT INTO relations (document_id, annotator_id, schema_id, label, source_id, "
                "target_id, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?)",
                [
                    (n, 1 + (s % 2), schema_id, rel, s, d, _TS)
                    for (s, d), rel in sorted(links.items())
                ],
            )
            con.executemany(
                "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                "VALUES (?, ?, 'done', ?)",
                [(n, 1, _TS), (n, 2, _TS)],
            )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.replace(tmp, path)


def _links(rng: random.Random, rows: list[tuple[Any, ...]]) -> dict[tuple[int, int], str]:
    """Links the schema allows, from a statement to a speaker, target or weapon of the same
    annotator (ids of equal parity), one said_by per statement, unique per (src, dst)."""
    by_label: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        by_label.setdefault((row[0] % 2, row[6]), []).append(row[0])
    links: dict[tuple[int, int], str] = {}
    spoken: set[int] = set()
    for _ in range(RELATIONS_PER_DOC * 4):
        if len(links) >= RELATIONS_PER_DOC:
            break
        parity = rng.randrange(2)
        relation, target = rng.choice(_RELATIONS)
        sources, targets = by_label.get((parity, "STATEMENT")), by_label.get((parity, target))
        if not sources or not targets:
            continue
        src, dst = rng.choice(sources), rng.choice(targets)
        if (src, dst) in links or (relation == "said_by" and src in spoken):
            continue
        links[src, dst] = relation
        if relation == "said_by":
            spoken.add(src)
    return links


# -- the two contenders, each run in a child process --


def _groups(cursor: sqlite3.Cursor) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Rows of a cursor ordered by document id, one document's rows at a time."""

    def rows() -> Iterator[tuple[Any, ...]]:
        while batch := cursor.fetchmany(2000):
            yield from batch

    for doc_id, group in groupby(rows(), itemgetter(0)):
        yield doc_id, list(group)


def _full(names: dict[str, None], stored: str | None) -> dict[str, Any]:
    attrs = orjson.loads(stored) if stored and stored != "null" else {}
    full = {name: attrs.get(name) for name in names}
    for key, value in attrs.items():
        full.setdefault(key, value)
    return full


def raw_export(db_path: Path, out: Path) -> None:
    """The lower bound: the same rows, merged by document, serialised with orjson.

    No ORM, no checks, no manifest: three ``sqlite3`` cursors merged by document id, the JSON
    columns embedded as stored (``orjson.Fragment``; span attributes parsed and filled to the
    schema's full set, as the export writes them), one ``orjson.dumps`` per document.
    """
    con = sqlite3.connect(db_path)
    names = dict(con.execute("SELECT id, name FROM annotators"))
    name, version, schema_text = con.execute(
        "SELECT s.name, s.version, s.text FROM schemas s JOIN settings t "
        "ON t.key = 'active_schema_id' AND s.id = CAST(t.value AS INTEGER)"
    ).fetchone()
    schema = {"name": name, "version": version}
    # Every attribute name of the schema, in label order: the export writes each, null if unset.
    attr_names: dict[str, None] = {}
    parsed = yaml.safe_load(schema_text)
    for label in parsed["labels"]:
        for attr in label.get("attributes") or ():
            attr_names.setdefault(attr["name"])
    # Links' own values: every relation attribute of the schema on every link, null if unset
    # (one shape for column loaders, as spans have).
    link_names: dict[str, None] = {}
    for rel in parsed.get("relations") or ():
        for attr in rel.get("attributes") or ():
            link_names.setdefault(attr["name"])
    statuses: dict[int, list[dict[str, str]]] = {}
    for doc_id, name, status in con.execute(
        "SELECT d.document_id, a.name, d.status FROM document_status d "
        "JOIN annotators a ON a.id = d.annotator_id ORDER BY d.document_id, a.name"
    ):
        statuses.setdefault(doc_id, []).append({"annotator": name, "status": status})
    docs = con.execute(
        "SELECT id, key, title, text, source, url, published, meta, content_hash "
        "FROM documents ORDER BY id"
    )
    spans = _groups(
        sqlite3.connect(db_path).execute(
            'SELECT document_id, id, annotator_id, start, "end", label, attributes FROM spans '
            'ORDER BY document_id, annotator_id, start, "end", label, id'
        )
    )
    rels = _groups(
        sqlite3.connect(db_path).execute(
            "SELECT document_id, id, annotator_id, label, source_id, target_id, attributes "
            "FROM relations "
            "ORDER BY document_id, id"
        )
    )
    fragment = orjson.Fragment
    span_group = next(spans, None)
    rel_group = next(rels, None)
    with open(out, "wb") as fh:
        for doc_id, key, title, text, source, url, published, meta, digest in docs:
            local: dict[int, str] = {}
            out_spans = []
            if span_group is not None and span_group[0] == doc_id:
                for r in span_group[1]:
                    local[r[1]] = ref = f"T{len(local) + 1}"
                    out_spans.append(
                        {
                            "id": ref,
                            "start": r[3],
                            "end": r[4],
                            "label": r[5],
                            "text": text[r[3] : r[4]],
                            "attributes": _full(attr_names, r[6]),
                            "annotator": names[r[2]],
                        }
                    )
                span_group = next(spans, None)
            out_rels = []
            if rel_group is not None and rel_group[0] == doc_id:
                out_rels = [
                    {
                        "id": f"R{n}",
                        "label": r[3],
                        "from": local[r[4]],
                        "to": local[r[5]],
                        "attributes": _full(link_names, r[6]),
                        "annotator": names[r[2]],
                    }
                    for n, r in enumerate(rel_group[1], start=1)
                ]
                rel_group = next(rels, None)
            record = {
                "id": key,
                "title": title,
                "text": text,
                "source": source,
                "url": url,
                "published": published,  # a whole date ("2026-03-14"), written as it is
                "published_as_given": None,
                "meta": fragment(meta),
                "content_hash": digest,
                "status": statuses.get(doc_id, []),
                "spans": out_spans,
                "relations": out_rels,
                "schema": schema,
                "registry": None,  # the corpus has no entities
            }
            fh.write(orjson.dumps(record) + b"\n")
