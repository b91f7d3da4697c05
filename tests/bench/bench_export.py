"""Native export speed and memory against the raw lower bound, on a generated corpus.

    python -m tests.bench.bench_export [--scale 0.1] [--repeat 3]

Generates (once, cached in the temp folder) a SQLite corpus of 10,000 documents with 1,000,000
spans (times --scale), then times, each in its own subprocess so that the generator's memory does
not count:

- raw: a plain ``sqlite3`` scan of the same rows, merged and serialised with orjson to a file;
- ours: ``export_dataset(..., "native")``, the entry point the CLI and the window use (with its
  integrity checks, manifest and file checksum).

Both must write byte-identical data files (checked), so the ratio compares the same work. Prints
the best of --repeat runs of each, the ratio, and each run's peak resident memory (the child's
own, from /proc). ``--formats native,spacy`` (or ``all``) also times each format listed once
(every document, no split); one listed after native also as a multiple of native's time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import yaml

from tests.bench.common import Figure

DOCS = 10_000
SPANS = 1_000_000
RELATIONS_PER_DOC = 10
GENERATOR_VERSION = 1
TARGET_RATIO = 1.5
TARGET_MB = 150

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
_STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
_WEAPONS = ("ballistic_missile", "cruise_missile", "air_defence", "drone", "naval", "nuclear")
_SPEAKERS = ("official", "body", "anonymous", "other")
_TS = "2026-01-01 00:00:00.000000"


def corpus_path(docs: int, spans: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "annotator-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"corpus-v{GENERATOR_VERSION}-{docs}-{spans}.sqlite3"


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

    tmp = path.with_suffix(".part")
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
            first_id = span_id + 1
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
            # Links join spans of one annotator (ids of equal parity), unique per (src, dst).
            links = set()
            for _ in range(RELATIONS_PER_DOC):
                src = rng.randrange(first_id, span_id - 1)
                dst = src + 2 * rng.randint(1, max(1, (span_id - src) // 2))
                if dst <= span_id:
                    links.add((src, dst))
            con.executemany(
                "INSERT INTO relations (document_id, annotator_id, schema_id, label, source_id, "
                "target_id, created_at) VALUES (?, ?, ?, 'about', ?, ?, ?)",
                [(n, 1 + (s % 2), schema_id, s, d, _TS) for s, d in sorted(links)],
            )
            con.executemany(
                "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                "VALUES (?, ?, 'done', ?)",
                [(n, 1, _TS), (n, 2, _TS)],
            )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.replace(tmp, path)


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
    for label in yaml.safe_load(schema_text)["labels"]:
        for attr in label.get("attributes") or ():
            attr_names.setdefault(attr["name"])
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
            "SELECT document_id, id, annotator_id, label, source_id, target_id FROM relations "
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
                "published": published,
                "meta": fragment(meta),
                "content_hash": digest,
                "status": statuses.get(doc_id, []),
                "spans": out_spans,
                "relations": out_rels,
                "schema": schema,
            }
            fh.write(orjson.dumps(record) + b"\n")


def our_export(db_path: Path, out: Path, fmt: str = "native") -> tuple[float, float]:
    """``export_dataset`` as the CLI calls it, manifest and checksums included.

    Returns (seconds opening the workspace, seconds exporting): the export alone is compared
    with the raw bound, which has no workspace to open (migrations check, schema parse).
    """
    from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
    from annotator.core.services.exporting.source import ExportFilter
    from annotator.core.services.workspace import Workspace

    started = time.perf_counter()
    with Workspace(f"sqlite:///{db_path}") as ws:
        schema = ws.active_schema()
        opened = time.perf_counter()
        export_dataset(ws.db, schema, out, fmt, ExportOptions(filter=ExportFilter()))
        done = time.perf_counter()
    return opened - started, done - opened


def child(kind: str, db_path: Path, out: Path) -> None:
    if kind == "raw":
        started = time.perf_counter()
        raw_export(db_path, out)
        opening, seconds = 0.0, time.perf_counter() - started
    else:
        opening, seconds = our_export(db_path, out, kind)
    print(json.dumps({"seconds": seconds, "opening": opening, "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    /proc's VmHWM starts afresh at exec; ``ru_maxrss`` on Linux keeps the parent's peak from
    before the fork when that was larger, so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, db_path: Path, out: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_export", "--child", kind, str(db_path), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} export failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _runs(runs: list[dict[str, float]]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in runs)


FIGURES = ("export native, 1M spans", "export native peak memory")


def run(scale: float) -> list[Figure]:
    """The ``python -m tests.bench`` protocol: one raw-bound run and one export, each fresh."""
    docs, spans = max(1, round(DOCS * scale)), max(1, round(SPANS * scale))
    db_path = corpus_path(docs, spans)
    if not db_path.exists():
        generate(db_path, docs, spans)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        raw = run_child("raw", db_path, Path(tmp) / "raw.jsonl")
        ours = run_child("native", db_path, Path(tmp) / "ours.jsonl")
        same = sha256(Path(tmp) / "raw.jsonl") == sha256(Path(tmp) / "ours.jsonl")
    if not same:
        raise RuntimeError("the native export differs from the raw bound's file")
    ratio = ours["seconds"] / raw["seconds"]
    return [
        Figure(
            FIGURES[0],
            ours["seconds"],
            "s",
            raw["seconds"],
            f"<= {TARGET_RATIO}x reference",
            ratio <= TARGET_RATIO,
        ),
        Figure(
            FIGURES[1],
            ours["peak_mb"],
            "MB",
            raw["peak_mb"],
            f"< {TARGET_MB} MB",
            ours["peak_mb"] < TARGET_MB,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--formats",
        default="",
        help="also time these formats once each (comma-separated, or 'all'); no raw bound",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db_path, out = args.child
        child(kind, Path(db_path), Path(out))
        return
    docs, spans = max(1, round(DOCS * args.scale)), max(1, round(SPANS * args.scale))
    db_path = corpus_path(docs, spans)
    if not db_path.exists():
        print(f"generating {docs:,} documents with {spans:,} spans in {db_path} ...")
        started = time.perf_counter()
        generate(db_path, docs, spans)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    print(f"corpus: {db_path} ({db_path.stat().st_size / 2**20:.0f} MB)")
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        raw_out, our_out = Path(tmp) / "raw.jsonl", Path(tmp) / "ours.jsonl"
        raw_runs, our_runs = [], []
        for _ in range(args.repeat):
            raw_runs.append(run_child("raw", db_path, raw_out))
            our_runs.append(run_child("native", db_path, our_out))
        same = sha256(raw_out) == sha256(our_out)
        size_mb = our_out.stat().st_size / 2**20
    raw_s = min(r["seconds"] for r in raw_runs)
    our_s = min(r["seconds"] for r in our_runs)
    opening = min(r["opening"] for r in our_runs)
    ratio = our_s / raw_s
    raw_mb = max(r["peak_mb"] for r in raw_runs)
    our_mb = max(r["peak_mb"] for r in our_runs)
    print(f"output: {size_mb:.0f} MB of native JSONL; identical to the raw bound's: {same}")
    print(
        f"raw bound (sqlite3 + orjson): {raw_s:.2f} s  (runs: {_runs(raw_runs)}), "
        f"peak {raw_mb:.0f} MB"
    )
    print(
        f"native export_dataset:        {our_s:.2f} s  (runs: {_runs(our_runs)}), "
        f"peak {our_mb:.0f} MB; opening the workspace before it: {opening:.2f} s"
    )
    verdict = "OK" if ratio <= TARGET_RATIO and our_mb < TARGET_MB and same else "MISSED"
    print(
        f"ratio {ratio:.2f}x (target <= {TARGET_RATIO}x), peak {our_mb:.0f} MB "
        f"(target < {TARGET_MB} MB): {verdict}"
    )
    if args.formats:
        other_formats(db_path, args.formats)


def other_formats(db_path: Path, wanted: str) -> None:
    from annotator.core.services.exporting.dataset import FORMATS, unavailable_reason

    names = list(FORMATS) if wanted == "all" else wanted.split(",")
    print("each format once (every document, no split):")
    native: float | None = None
    for fmt in names:
        reason = unavailable_reason(fmt)
        if reason:
            print(f"  {fmt:12} skipped: {reason}")
            continue
        with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
            out = Path(tmp) / "out"
            run = run_child(fmt, db_path, out)
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        if fmt == "native":
            native = run["seconds"]
        ratio = f", {run['seconds'] / native:5.2f}x native" if native else ""
        print(
            f"  {fmt:12} {run['seconds']:6.2f} s, peak {run['peak_mb']:4.0f} MB, "
            f"{size / 2**20:6.0f} MB written{ratio}"
        )


if __name__ == "__main__":
    main()
