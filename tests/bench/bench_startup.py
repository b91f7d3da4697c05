"""Start-up: from process start to the window shown and idle on the demo database (issue 13).

Each run is a fresh ``python -c`` process on the offscreen platform, timed by this process from
launch to the child's "ready" line (the interpreter's own start included). The child runs
``annotator gui`` itself (its event loop replaced by one that returns once the first document
is open and every queued event handled): what a user sees as a window they can work in.

- ours: that, on a database loaded with ``annotator demo``;
- reference: the same process showing a bare ``QMainWindow`` with a ``QPlainTextEdit`` holding
  the first demo article: the floor PySide6 itself sets on this machine.

Also printed: the import of ``annotator.gui.app`` alone, and the ``python -X importtime``
breakdown by package, to see where the time goes. ``$ANNOTATOR_STARTUP_TREE`` names another
checkout to measure (an earlier commit's, for a before/after on the same machine and load).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import REPO, Figure

FIGURES = (
    "start-up to window idle (demo)",
    "start-up import annotator.gui.app",
    "start-up CPU to window idle (demo)",
)
TARGET_S = 0.5
TOP = 15  # imports listed in the breakdown
TREE_ENV = "ANNOTATOR_STARTUP_TREE"

_IDLE = """
import os, time


def _ready():  # the CPU time used so far; no teardown: a user never waits for it
    print("ready", time.process_time(), flush=True)
    os._exit(0)


def _idle(app):
    from PySide6.QtCore import QEventLoop
    dispatcher, flags, quiet = app.eventDispatcher(), QEventLoop.ProcessEventsFlag.AllEvents, 0
    while quiet < 2:
        app.sendPostedEvents()
        quiet = 0 if dispatcher.processEvents(flags) else quiet + 1
"""

OURS = (
    _IDLE
    + """
import sys
from PySide6.QtWidgets import QApplication


def _exec(app):  # the event loop the window enters: run until idle with a document open
    while not any(getattr(w, "session", None) for w in app.topLevelWidgets()):
        app.processEvents()
    _idle(app)
    _ready()


QApplication.exec = _exec
sys.argv = ["annotator", "gui", "--db", sys.argv[1], "--annotator", "bench"]
from annotator.cli.main import main

main()
"""
)

BARE = (
    _IDLE
    + """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
app = QApplication(sys.argv[:1])
window = QMainWindow()
view = QPlainTextEdit()
view.setPlainText(open(sys.argv[1], encoding="utf-8").read())
window.setCentralWidget(view)
window.show()
_idle(app)
_ready()
"""
)

IMPORT = _IDLE + "import annotator.gui.app\n_ready()"


def _env(home: Path) -> dict[str, str]:
    """The children's environment: offscreen, private settings, and bytecode cached as an
    installed package has it (a checkout run with PYTHONDONTWRITEBYTECODE would otherwise
    compile every module at every start: 30-50 ms more here)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.environ.get(TREE_ENV) or str(REPO),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }


def timed(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from launch to the child's "ready" line, and its CPU seconds until then."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=env["PYTHONPATH"],  # the measured tree: python -c puts its cwd first
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the offscreen platform's chatter; a failure is told below
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    wall = time.perf_counter() - start
    proc.stdout.close()
    proc.wait()
    word, _, cpu = line.partition(" ")
    if word != "ready" or proc.returncode != 0:
        raise RuntimeError(f"start-up child failed (exit {proc.returncode}): {line!r}")
    return wall, float(cpu)


def import_breakdown(env: dict[str, str], top: int = TOP, runs: int = 3) -> list[tuple[float, str]]:
    """``python -X importtime``: where importing annotator.gui.app spends its time, as each
    module's own time (the least of ``runs``: this machine's noise only adds) summed by package
    (annotator's by its first three name parts), in ms."""
    least: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import annotator.gui.app"],
            cwd=env["PYTHONPATH"],  # the measured tree: python -c puts its cwd first
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in done.stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) == 3 and parts[0].strip().isdigit():
                name, own = parts[2].strip(), int(parts[0])
                least[name] = min(own, least.get(name, own))
    totals: dict[str, float] = {}
    for name, own in least.items():
        names = name.split(".")
        package = ".".join(names[:3] if names[0] == "annotator" else names[:1])
        totals[package] = totals.get(package, 0.0) + own / 1000
    return sorted(((ms, name) for name, ms in totals.items()), reverse=True)[:top]


def run(scale: float) -> list[Figure]:
    repeats = max(1, round(7 * scale)) if scale < 1 else 7
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        home = Path(tmp)
        env = _env(home)
        db = str(home / "demo.sqlite3")
        subprocess.run(
            [sys.executable, "-m", "annotator", "demo", "--db", db],
            cwd=env["PYTHONPATH"],  # the measured tree: python -c puts its cwd first
            env=env,
            check=True,
            capture_output=True,
        )
        # Read with plain sqlite3: a Workspace of this tree would migrate the database, which
        # an earlier tree's children ($ANNOTATOR_STARTUP_TREE) would then refuse as too new.
        con = sqlite3.connect(db)
        try:
            (text,) = con.execute("SELECT text FROM documents ORDER BY id LIMIT 1").fetchone()
        finally:
            con.close()
        first = home / "first.txt"
        first.write_text(text, encoding="utf-8")
        timed(OURS, [db], env)  # caches bytecode; the day's automatic backup made
        ours, cpu, bare, imports, bare_cpu = [], [], [], [], []
        for _ in range(repeats):  # interleaved: the machine's load falls on both alike
            wall, used = timed(OURS, [db], env)
            ours.append(wall)
            cpu.append(used)
            wall, used = timed(BARE, [str(first)], env)
            bare.append(wall)
            bare_cpu.append(used)
            imports.append(timed(IMPORT, [], env)[0])
        breakdown = import_breakdown(env)
    total = sum(ms for ms, _ in breakdown)
    print(f"   python -X importtime, import annotator.gui.app by package ({total:.0f} ms):")
    for ms, name in breakdown:
        print(f"   {ms:8.1f} ms  {name}")
    median = statistics.median(ours)
    runs = f"median of {repeats}; min {min(ours):.3f} s"
    return [
        Figure(
            FIGURES[0],
            median,
            "s",
            statistics.median(bare),
            f"< {TARGET_S} s",
            median < TARGET_S,
            runs,
        ),
        Figure(FIGURES[1], statistics.median(imports), "s", note="python start included"),
        Figure(FIGURES[2], statistics.median(cpu), "s", statistics.median(bare_cpu)),
    ]


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
