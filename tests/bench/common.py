"""What every benchmark shares: the figure it prints, a corpus cache, and child-process runs.

A bench module is ``tests/bench/bench_<what>.py`` exposing::

    FIGURES: tuple[str, ...]                 # the names of the figures run() returns
    def run(scale: float) -> list[Figure]    # scale 1.0 = the sizes the issue names

``python -m tests.bench [--scale 0.1]`` runs every such module. Timings come from this machine,
which is noisy and shared, so each figure carries a reference measured in the same run.
Measured work runs in a child process (``measure``): its peak RSS is then its own, not the
runner's, and a crash in it cannot take the other benchmarks down.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE_ENV = "ANNOTATOR_BENCH_CACHE"


@dataclass(frozen=True)
class Figure:
    """One measured number, with the reference it should be judged against."""

    name: str
    value: float
    unit: str
    reference: float | None = None  # same unit, measured in the same run
    target: str = ""  # in words, e.g. "< 100 ms" or "<= 2x reference"
    met: bool | None = None  # whether the target was met; None if there is none
    note: str = ""  # what the number alone does not say, e.g. "3 of 40 edits failed"

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference

    def line(self) -> str:
        parts = [f"{self.name:<34} {self.value:>12.3f} {self.unit:<3}"]
        if self.reference is not None:
            parts.append(f"reference {self.reference:.3f} {self.unit}")
        if self.ratio is not None:
            parts.append(f"ratio {self.ratio:.2f}x")
        if self.target:
            verdict = "" if self.met is None else (" met" if self.met else " MISSED")
            parts.append(f"target {self.target}{verdict}")
        if self.note:
            parts.append(f"({self.note})")
        return "  ".join(parts)


def print_figures(figures: list[Figure]) -> None:
    for figure in figures:
        print(figure.line(), flush=True)


# -- corpus cache --


def cache_root() -> Path:
    """``$ANNOTATOR_BENCH_CACHE``, else a folder in the system temporary directory."""
    return Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "annotator-bench")


def _schema_head() -> str:
    """The database schema's revision: a corpus built before a migration is built anew (a
    shared cache folder outlives the checkout that filled it)."""
    from annotator.core.storage.migrations import HEAD

    return HEAD


def cached(name: str, scale: float, build: Callable[[Path], None]) -> Path:
    """A folder built once per (name, scale) by ``build(folder)`` and reused afterwards.

    Put a version in ``name`` ("docs-v2") when the generator changes. A build that dies half
    way leaves only a temporary folder behind, never a folder that looks complete.
    """
    final = cache_root() / f"{name}-db{_schema_head()}-scale{scale:g}"
    if (final / ".complete").exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        build(work)
        (work / ".complete").write_text("ok\n")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


# -- running measured work in a child process --


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time of the function call inside the child (start-up excluded)
    peak_rss_mb: float  # the child's peak resident set size, its start-up included
    result: Any  # what the function returned (JSON round-tripped)


def measure(target: str, *args: Any, timeout: float = 3600) -> Measured:
    """Call ``module:function(*args)`` in a fresh Python process; time it, take its peak RSS.

    ``args`` and the return value must be JSON-serialisable.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    cmd = [sys.executable, "-m", "tests.bench.common", target, json.dumps(args), str(out_path)]
    proc = subprocess.Popen(cmd, cwd=REPO)
    try:
        status, rusage = _wait(proc, timeout)
        if status != 0:
            raise RuntimeError(f"{target} failed in its child process (exit status {status})")
        payload = json.loads(out_path.read_text())
    finally:
        out_path.unlink(missing_ok=True)
    # The child's own figure when it has one: ru_maxrss survives exec on Linux, so a child
    # forked from a big runner would report the runner's size. Both are in kilobytes.
    peak_kb = payload.get("peak_kb") or rusage.ru_maxrss
    return Measured(payload["seconds"], peak_kb / 1024, payload["result"])


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any]:
    """Reap the child with wait4, which gives this child's own resource usage."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, rusage
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"benchmark child {proc.args} ran over {timeout} s")
        time.sleep(0.02)


def _child(target: str, args_json: str, out_path: str) -> None:
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    args = json.loads(args_json)
    start = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - start
    payload = {"seconds": seconds, "result": result, "peak_kb": _own_peak_kb()}
    Path(out_path).write_text(json.dumps(payload))


def _own_peak_kb() -> int | None:
    """This process's peak resident set since its exec (Linux's VmHWM), or None."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


if __name__ == "__main__":
    _child(*sys.argv[1:4])
