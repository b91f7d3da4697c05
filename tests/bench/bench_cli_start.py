"""Command-line start-up: ``annotator --version`` and ``annotator --help`` (issue 13).

Each run is a fresh ``python -m annotator ...`` process, timed from launch to exit, beside a bare
``python -c pass`` in the same rounds (the interpreter's own start, site-packages' ``.pth`` files
included: the floor any Python command pays on this machine). Figures are medians of the
rounds; the CPU time (user + system, from ``wait4``) is printed too, as it is what a loaded
machine distorts least. ``$ANNOTATOR_STARTUP_TREE`` names another checkout to measure, as for
``bench_startup``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from tests.bench.bench_startup import TREE_ENV
from tests.bench.common import REPO, Figure

FIGURES = (
    "annotator --version",
    "annotator --help",
    "annotator --version CPU",
    "annotator --help CPU",
)
TARGET_S = 0.15
COMMANDS = {"--version": ["-m", "annotator", "--version"], "--help": ["-m", "annotator", "--help"]}
BARE = ["-c", "pass"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from launch to exit of ``python args``, and the child's CPU seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=env["PYTHONPATH"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed (exit {proc.returncode})")
    return wall, usage.ru_utime + usage.ru_stime


def run(scale: float) -> list[Figure]:
    repeats = max(3, round(15 * min(scale, 1.0)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.environ.get(TREE_ENV) or str(REPO)
    for args in COMMANDS.values():
        timed(args, env)  # caches bytecode, as an installed package has it
    walls: dict[str, list[float]] = {name: [] for name in (*COMMANDS, "bare")}
    cpus: dict[str, list[float]] = {name: [] for name in walls}
    for _ in range(repeats):  # interleaved: the machine's load falls on all alike
        for name, args in (*COMMANDS.items(), ("bare", BARE)):
            wall, cpu = timed(args, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    bare_wall, bare_cpu = statistics.median(walls["bare"]), statistics.median(cpus["bare"])
    figures = []
    for name in COMMANDS:
        wall = statistics.median(walls[name])
        note = f"median of {repeats}, min {min(walls[name]):.3f} s; reference: python -c pass"
        figures.append(
            Figure(
                f"annotator {name}", wall, "s", bare_wall, f"< {TARGET_S} s", wall < TARGET_S, note
            )
        )
    for name in COMMANDS:
        figures.append(
            Figure(f"annotator {name} CPU", statistics.median(cpus[name]), "s", bare_cpu)
        )
    return figures


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
