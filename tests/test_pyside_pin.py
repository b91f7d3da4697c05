"""Regression tests for the PySide6 6.12.0 refcount trap.

PySide6 6.12.0 under CPython < 3.12 drops a reference to ``None`` on every Qt
call that returns nothing; after some thousands of calls the interpreter aborts
with "Fatal Python error: none_dealloc". 6.11.3 is fine. (From CPython 3.12 on,
``None`` is immortal, so the bug is harmless there.) The project therefore pins
PySide6 below 6.12 for python_version < "3.12".
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"

QT_DISTS = ("pyside6-essentials", "pyside6")  # either may carry the Qt bindings
BAD_VERSION = Version("6.12.0")
KNOWN_GOOD = Version("6.11.3")

CALLS = 50_000
SLACK = 100  # None's refcount may wander a little for unrelated reasons

_PROBE = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QObject

    obj = QObject()
    obj.setObjectName("warm-up")
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        obj.setObjectName("x")
    after = sys.getrefcount(None)
    print("NONE_REFCOUNT_DELTA", after - before, flush=True)
    """
)


def _installed_qt_versions() -> dict[str, Version]:
    found = {}
    for dist in QT_DISTS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[dist] = Version(metadata.version(dist))
    return found


def test_void_qt_calls_do_not_leak_refcount_of_none():
    pytest.importorskip("PySide6.QtCore")
    # In a subprocess: with the buggy binding the interpreter aborts, which
    # must fail this test, not kill pytest.
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    output = f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 0, (
        f"{CALLS} QObject.setObjectName() calls crashed the interpreter "
        f"(exit {proc.returncode}); installed Qt bindings: {_installed_qt_versions()}\n{output}"
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("NONE_REFCOUNT_DELTA ")]
    assert lines, f"probe printed no result\n{output}"
    delta = int(lines[-1].split()[1])
    assert delta >= -SLACK, (
        f"refcount of None fell by {-delta} over {CALLS} void Qt calls "
        f"(PySide6 refcount bug); installed: {_installed_qt_versions()}"
    )


def test_installed_pyside6_respects_pin():
    versions = _installed_qt_versions()
    if not versions:
        pytest.skip("neither PySide6-Essentials nor PySide6 is installed")
    if sys.version_info >= (3, 12):
        pytest.skip("the 6.12 refcount bug only bites CPython < 3.12")
    bad = {name: str(v) for name, v in versions.items() if v >= Version("6.12")}
    assert not bad, (
        f"PySide6 {bad} is installed under Python {sys.version.split()[0]}; "
        "6.12.0 corrupts the refcount of None on CPython < 3.12 (none_dealloc abort). "
        "Reinstall with the project's pin (pip install -e .)."
    )


def _qt_requirements(project: dict) -> list[tuple[str, Requirement]]:
    """All PySide6 requirements in [project] dependencies and optional dependencies."""
    groups = {"dependencies": project.get("dependencies", [])}
    for extra, reqs in project.get("optional-dependencies", {}).items():
        groups[f"optional-dependencies.{extra}"] = reqs
    found = []
    for where, reqs in groups.items():
        for text in reqs:
            req = Requirement(text)
            if canonicalize_name(req.name) in QT_DISTS:
                found.append((where, req))
    return found


def test_pyproject_pin_excludes_6_12_0_on_python_below_3_12():
    assert PYPROJECT.is_file(), f"{PYPROJECT} is missing"
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8")).get("project", {})
    reqs = _qt_requirements(project)
    assert reqs, "pyproject.toml declares no PySide6 / PySide6-Essentials requirement"

    env_311 = {
        "python_version": "3.11",
        "python_full_version": "3.11.7",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    applicable = [
        (where, req) for where, req in reqs if req.marker is None or req.marker.evaluate(env_311)
    ]
    assert any(where == "dependencies" for where, _ in applicable), (
        "no PySide6 requirement in [project].dependencies applies to Python 3.11: "
        f"{[str(r) for _, r in reqs]}"
    )
    for where, req in applicable:
        assert not req.specifier.contains(BAD_VERSION, prereleases=True), (
            f"{where}: '{req}' admits PySide6 {BAD_VERSION} on Python 3.11, "
            "which aborts with 'none_dealloc'; pin it below 6.12 for python_version < \"3.12\""
        )
        assert req.specifier.contains(KNOWN_GOOD, prereleases=True), (
            f"{where}: '{req}' no longer admits the known-good {KNOWN_GOOD}"
        )
