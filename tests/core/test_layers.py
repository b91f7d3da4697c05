"""The core never imports Qt: the CLI, servers and scripts must run where PySide6 cannot.

Each check runs in a fresh interpreter, since this test process may already hold PySide6.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Alembic executes env.py itself, inside a migration context; importing it bare is meaningless.
# It still runs in the probe, which opens (and so migrates) a database.
NOT_IMPORTABLE = {"annotator.core.storage.migrations.env"}

PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys, tempfile
    from pathlib import Path

    import annotator.core

    skip = set(sys.argv[1].split(","))
    extra = [m for m in sys.argv[2].split(",") if m]
    names = [
        m.name
        for m in pkgutil.walk_packages(annotator.core.__path__, "annotator.core.")
        if m.name not in skip
    ]
    for name in names + extra:
        importlib.import_module(name)
    from annotator.core.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        with Workspace(f"sqlite:///{Path(folder) / 'probe.sqlite3'}") as ws:
            doc = ws.documents.add("Headline\\nBody.", key="k")
            ws.annotations("probe").create_span(doc.id, 0, 8, "SPEAKER")
    qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
    print(",".join(names))
    print(",".join(qt))
    """
)


def _probe(*extra_modules: str) -> tuple[set[str], str]:
    """(core modules imported, Qt modules loaded) in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(sorted(NOT_IMPORTABLE)), ",".join(extra_modules)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    names, qt = done.stdout.splitlines()
    return set(names.split(",")), qt


def _core_modules_on_disk() -> set[str]:
    found = set()
    for path in (REPO / "annotator" / "core").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if "versions" in parts:  # migration scripts: loaded by Alembic, not importable names
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.add(".".join(parts))
    return found - {"annotator.core"}


def test_no_core_module_imports_qt() -> None:
    imported, qt = _probe()
    # The walk reached every module on disk, so nothing escaped the check.
    assert imported == _core_modules_on_disk() - NOT_IMPORTABLE
    assert qt == "", f"annotator.core pulled in Qt: {qt}"


def test_the_command_line_does_not_import_qt() -> None:
    """``annotator import`` / ``export`` must work on a server without a display or Qt."""
    _, qt = _probe("annotator.cli", "annotator.cli.main")
    assert qt == "", f"the CLI pulled in Qt: {qt}"


CORE = REPO / "annotator" / "core"
LAYERS = ("domain", "storage", "formats", "services")


def test_import_linter_contracts_hold() -> None:
    """The layer rules in pyproject.toml (services > formats | storage > domain, no Qt in core,
    the window and the CLI never reach the database) hold for the code as it is."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_import_linter_catches_a_lower_layer_importing_a_higher_one(tmp_path: Path) -> None:
    """The contracts are not vacuous: a copy of the package where the domain imports a service
    breaks them."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(REPO / "annotator", copy / "annotator")
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    text = copy / "annotator" / "core" / "domain" / "text.py"
    text.write_text(text.read_text() + "\nfrom annotator.core.services import workspace  # noqa\n")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, '.'); "
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        capture_output=True,
        text=True,
        cwd=copy,
        timeout=300,
    )
    assert done.returncode != 0
    assert "annotator.core.domain.text -> annotator.core.services.workspace" in done.stdout


def test_every_core_module_lives_in_a_layer() -> None:
    """A newcomer finds the room for a change from the folder names: no module floats loose."""
    loose = sorted(p.name for p in CORE.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    assert sorted(
        p.name for p in CORE.iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(LAYERS)


def test_core_modules_stay_small() -> None:
    """No god modules: each core module has one job and stays under ~600 lines."""
    big = {
        str(p.relative_to(REPO)): n
        for p in CORE.rglob("*.py")
        if "versions" not in p.parts and (n := len(p.read_text().splitlines())) > 600
    }
    assert big == {}
