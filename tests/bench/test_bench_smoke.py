"""The benchmarks still run: every bench module, at a hundredth of its size, prints its figures.

Times are not judged here (CI machines are noisy); this only keeps the benchmarks from rotting.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.__main__ import bench_modules

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_every_benchmark_runs_and_prints_its_figures(tmp_path: Path) -> None:
    env = {**os.environ, "ANNOTATOR_BENCH_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--scale", "0.01"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    names = bench_modules([])
    assert {"bench_import", "bench_document_list"} <= set(names)
    for name in names:
        assert f"== {name} " in result.stdout
        module = importlib.import_module(f"tests.bench.{name}")
        assert callable(getattr(module, "run", None)), f"{name} has no run(scale)"
        for figure in getattr(module, "FIGURES", ()):
            assert f"\n{figure} " in result.stdout, f"{name} did not print {figure!r}"
