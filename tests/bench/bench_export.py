"""Export speed and memory against the raw lower bound, and every format against native.

    python -m tests.bench.bench_export [--scale 0.1] [--repeat 3] [--formats all|conll,prodigy]

Generates (once, cached in the temp folder) a SQLite corpus of 10,000 documents with 1,000,000
spans (times --scale; ``export_corpus.py``), then times, each in its own subprocess so that the
generator's memory does not count:

- raw: a plain ``sqlite3`` scan of the same rows, merged and serialised with orjson to a file;
- ours: ``export_dataset(..., "native")``, the entry point the CLI and the window use (with its
  integrity checks, manifest and file checksum);
- end to end, process start included: ``annotator export --format native`` as a user runs it,
  against the raw bound's whole process (interpreter start and imports included);
- with ``--formats``: each format named, best of --repeat, in the same rounds as native, with
  its ratio to native's best (the target: within 2x).

The raw bound and ours must write byte-identical data files (checked), so the ratio compares
the same work. Prints the best of --repeat runs, the ratios, and each run's peak resident
memory (the child's own, from /proc).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import REPO, Figure
from tests.bench.export_corpus import DOCS, SPANS, corpus_path, generate, raw_export

TARGET_RATIO = 1.5
TARGET_MB = 150
FORMAT_RATIO = 2.0  # every format against native, in the same run


def our_export(db_path: Path, out: Path, fmt: str = "native") -> tuple[float, float, float]:
    """``export_dataset`` as the CLI calls it, manifest and checksums included.

    Returns (seconds opening the workspace, seconds exporting, CPU seconds exporting): the
    export alone is compared with the raw bound, which has no workspace to open (migrations
    check, schema parse).
    """
    from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
    from annotator.core.services.exporting.source import ExportFilter
    from annotator.core.services.workspace import Workspace

    started = time.perf_counter()
    with Workspace(f"sqlite:///{db_path}") as ws:
        schema = ws.active_schema()
        opened, cpu = time.perf_counter(), time.process_time()
        export_dataset(ws.db, schema, out, fmt, ExportOptions(filter=ExportFilter()))
        done, cpu = time.perf_counter(), time.process_time() - cpu
    return opened - started, done - opened, cpu


def child(kind: str, db_path: Path, out: Path) -> None:
    """One export, timed; ``cpu`` is the process's CPU time (every thread, the kernel's work for
    it included), which another job on a shared machine disturbs less than the wall clock."""
    if kind == "raw":
        started, cpu = time.perf_counter(), time.process_time()
        raw_export(db_path, out)
        opening, seconds = 0.0, time.perf_counter() - started
        cpu = time.process_time() - cpu
    else:
        opening, seconds, cpu = our_export(db_path, out, kind)
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "opening": opening, "peak_mb": peak_rss_mb()})
    )


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


def _env() -> dict[str, str]:
    """Children import this tree's annotator, whatever is installed."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else "")}


def run_child(kind: str, db_path: Path, out: Path) -> dict[str, float]:
    """One export in a fresh process; ``wall`` is the whole process, start-up included."""
    _clear(out)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_export", "--child", kind, str(db_path), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=_env(),
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{kind} export failed:\n{proc.stderr}")
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "wall": wall}


def run_cli(db_path: Path, out: Path) -> float:
    """``annotator export OUT --format native --status any``, timed from outside the process."""
    _clear(out)
    command = [sys.executable, "-m", "annotator", "--db", str(db_path), "export", str(out)]
    started = time.perf_counter()
    proc = subprocess.run(
        [*command, "--format", "native", "--status", "any"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=_env(),
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"annotator export failed:\n{proc.stderr}")
    return wall


def _clear(out: Path) -> None:
    if out.is_dir():
        shutil.rmtree(out)
    out.unlink(missing_ok=True)
    out.with_name(out.name + ".manifest.json").unlink(missing_ok=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _runs(runs: list[float]) -> str:
    return ", ".join(f"{r:.2f}" for r in runs)


def _corpus(scale: float, say: bool = False) -> Path:
    docs, spans = max(1, round(DOCS * scale)), max(1, round(SPANS * scale))
    db_path = corpus_path(docs, spans)
    if not db_path.exists():
        if say:
            print(f"generating {docs:,} documents with {spans:,} spans in {db_path} ...")
        started = time.perf_counter()
        generate(db_path, docs, spans)
        if say:
            print(f"  generated in {time.perf_counter() - started:.1f} s")
    return db_path


FIGURES = (
    "export native, 1M spans",
    "export native peak memory",
    "export native CLI, process included",
)


def run(scale: float) -> list[Figure]:
    """The ``python -m tests.bench`` protocol: one raw-bound run and one export, each fresh."""
    db_path = _corpus(scale)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        raw = run_child("raw", db_path, Path(tmp) / "raw.jsonl")
        ours = run_child("native", db_path, Path(tmp) / "ours.jsonl")
        same = sha256(Path(tmp) / "raw.jsonl") == sha256(Path(tmp) / "ours.jsonl")
        cli = run_cli(db_path, Path(tmp) / "cli.jsonl")
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
        Figure(
            FIGURES[2],
            cli,
            "s",
            raw["wall"],
            f"<= {TARGET_RATIO}x reference (raw bound's process)",
            cli <= TARGET_RATIO * raw["wall"],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--formats",
        default="",
        help="also time these formats, each against native in the same rounds "
        "(comma-separated, or 'all')",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db_path, out = args.child
        child(kind, Path(db_path), Path(out))
        return
    db_path = _corpus(args.scale, say=True)
    print(f"corpus: {db_path} ({db_path.stat().st_size / 2**20:.0f} MB)")
    formats = _formats(args.formats)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        raw_out, our_out = Path(tmp) / "raw.jsonl", Path(tmp) / "ours.jsonl"
        raw_runs, our_runs, cli_runs = [], [], []
        format_runs: dict[str, list[dict[str, float]]] = {fmt: [] for fmt in formats}
        for _ in range(args.repeat):
            raw_runs.append(run_child("raw", db_path, raw_out))
            our_runs.append(run_child("native", db_path, our_out))
            cli_runs.append(run_cli(db_path, Path(tmp) / "cli.jsonl"))
            for fmt in formats:
                format_runs[fmt].append(run_child(fmt, db_path, Path(tmp) / f"out-{fmt}"))
        same = sha256(raw_out) == sha256(our_out)
        size_mb = our_out.stat().st_size / 2**20
    _report(raw_runs, our_runs, cli_runs, same, size_mb)
    if formats:
        _report_formats(our_runs, format_runs)


def _formats(wanted: str) -> list[str]:
    from annotator.core.formats.registry import WRITERS

    names = list(WRITERS) if wanted == "all" else [w for w in wanted.split(",") if w]
    kept = []
    for name in names:
        reason = WRITERS[name].unavailable_reason() if name in WRITERS else "no such format"
        if reason:
            print(f"  {name}: skipped ({reason})")
        elif name != "native":
            kept.append(name)
    return kept


def _report(
    raw_runs: list[dict[str, float]],
    our_runs: list[dict[str, float]],
    cli_runs: list[float],
    same: bool,
    size_mb: float,
) -> None:
    raw_s = min(r["seconds"] for r in raw_runs)
    our_s = min(r["seconds"] for r in our_runs)
    raw_wall = min(r["wall"] for r in raw_runs)
    cli_s = min(cli_runs)
    opening = min(r["opening"] for r in our_runs)
    ratio = our_s / raw_s
    raw_mb = max(r["peak_mb"] for r in raw_runs)
    our_mb = max(r["peak_mb"] for r in our_runs)
    print(f"output: {size_mb:.0f} MB of native JSONL; identical to the raw bound's: {same}")
    print(
        f"raw bound (sqlite3 + orjson): {raw_s:.2f} s  (runs: "
        f"{_runs([r['seconds'] for r in raw_runs])}), peak {raw_mb:.0f} MB"
    )
    print(
        f"native export_dataset:        {our_s:.2f} s  (runs: "
        f"{_runs([r['seconds'] for r in our_runs])}), peak {our_mb:.0f} MB; "
        f"opening the workspace before it: {opening:.2f} s"
    )
    verdict = "OK" if ratio <= TARGET_RATIO and our_mb < TARGET_MB and same else "MISSED"
    print(
        f"ratio {ratio:.2f}x (target <= {TARGET_RATIO}x), peak {our_mb:.0f} MB "
        f"(target < {TARGET_MB} MB): {verdict}"
    )
    cli_ratio = cli_s / raw_wall
    print(
        f"process start included: raw bound's process {raw_wall:.2f} s (runs: "
        f"{_runs([r['wall'] for r in raw_runs])}); `annotator export --format native` "
        f"{cli_s:.2f} s (runs: {_runs(cli_runs)}); ratio {cli_ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x): {'OK' if cli_ratio <= TARGET_RATIO else 'MISSED'}"
    )


def _report_formats(
    native_runs: list[dict[str, float]], format_runs: dict[str, list[dict[str, float]]]
) -> None:
    native = min(r["seconds"] for r in native_runs)
    native_cpu = min(r["cpu"] for r in native_runs)
    print(
        f"each format, every document, no split; best of the runs, against native {native:.2f} s "
        f"(CPU {native_cpu:.2f} s):"
    )
    for fmt, runs in format_runs.items():
        best = min(r["seconds"] for r in runs)
        cpu = min(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        ratio = best / native
        verdict = "OK" if ratio <= FORMAT_RATIO else "MISSED"
        print(
            f"  {fmt:12} {best:6.2f} s (runs: {_runs([r['seconds'] for r in runs])}), "
            f"{ratio:4.2f}x native (target <= {FORMAT_RATIO}x: {verdict}), peak {peak:4.0f} MB; "
            f"CPU {cpu:.2f} s, {cpu / native_cpu:4.2f}x native's"
        )


if __name__ == "__main__":
    main()
