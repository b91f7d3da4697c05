"""``python -m tests.bench [--scale 0.1] [--only NAME]``: run every bench_*.py and print figures.

Exits 1 if a benchmark failed or did not print a figure it promised (its ``FIGURES``), so a
smoke run in the tests catches benchmarks that rot. Missed targets do not fail the run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from tests.bench.common import Figure, print_figures

HERE = Path(__file__).resolve().parent


def bench_modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if any(o in n for o in only)]
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the issue's sizes")
    parser.add_argument("--only", action="append", default=[], help="run modules matching this")
    options = parser.parse_args(argv)
    failed: list[str] = []
    for name in bench_modules(options.only):
        print(f"== {name} (scale {options.scale:g})", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"tests.bench.{name}")
            figures: list[Figure] = module.run(options.scale)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        print_figures(figures)
        promised = getattr(module, "FIGURES", ())
        missing = [f for f in promised if f not in {fig.name for fig in figures}]
        if missing:
            print(f"!! {name} did not report: {', '.join(missing)}", flush=True)
            failed.append(name)
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
