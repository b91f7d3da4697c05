"""Start-up (issue 13): from process start to the window's first paint, and to the first
document open and the window idle, on the demo and on bench_gui's 100k-document corpus.

Each run is a fresh ``python -c`` process on the offscreen platform, timed by this process from
launch to each line the child prints (the interpreter's own start included), with the child's
own CPU time (``time.process_time()``) at that moment. The child runs ``annotator gui`` itself,
its event loop replaced by one that returns once a document is open and every queued event is
handled: what a user sees as a window they can work in. It prints "painted" when its first
window has painted once (the frame, since issue 13's two-step start) and "ready" at idle.

References, in the same run and interleaved with ours:

- bare: a ``QMainWindow`` with a ``QPlainTextEdit`` holding the first demo article, "painted"
  and "ready" timed the same way: the floor PySide6 itself sets on this machine;
- ``python -c pass``: the interpreter's own start (wall, and CPU from ``wait4``).

Also printed: the import of ``annotator.gui.app`` alone, and the ``python -X importtime``
breakdown by package, to see where the time goes. ``$ANNOTATOR_STARTUP_TREE`` names another
checkout to measure (an earlier commit's, for a before/after on the same machine and load).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.common import REPO, Figure, cached

CORPORA = ("demo", "100k documents")
# The day's first start: the 100k corpus (a copy) with no automatic backup yet, so the day's
# copy of its 93 MB is due (made before the window was usable until the copy moved to a worker).
BACKUP_DUE = "100k documents, the day's backup due"
FIGURES = (
    *(f"start-up to first paint ({c})" for c in CORPORA),
    *(f"start-up to first document idle ({c})" for c in (*CORPORA, BACKUP_DUE)),
    *(f"start-up CPU to first paint ({c})" for c in CORPORA),
    *(f"start-up CPU to first document idle ({c})" for c in (*CORPORA, BACKUP_DUE)),
    "start-up python -c pass",
    "start-up import annotator.gui.app",
)
TARGET_S = 0.5
TOP = 15  # imports listed in the breakdown
TREE_ENV = "ANNOTATOR_STARTUP_TREE"

_IDLE = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def _say(word):  # the CPU time used so far
    print(word, time.process_time(), flush=True)


def _ready():  # no teardown: a user never waits for it
    _say("ready")
    os._exit(0)


class _FirstPaint(QObject):
    # Says "painted" once the first window shown has painted: after its paint event, when the
    # frame is flushed (a call posted now runs first after it, before any other posted).

    done = False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not _FirstPaint.done:
            _FirstPaint.done = True
            QTimer.singleShot(0, lambda: _say("painted"))
        return False


_first_paint = _FirstPaint()
_show = QMainWindow.show


def _show_watched(self):  # on the window alone: a filter on every event would cost more
    self.installEventFilter(_first_paint)
    _show(self)


QMainWindow.show = _show_watched


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

def _exec(app):  # the event loop the window enters: run until idle with a document open
    while not any(getattr(w, "session", None) for w in app.topLevelWidgets()):
        app.processEvents()
    _idle(app)
    _say("ready")
    # Background work the start began (the day's backup) ends, as it would in a session:
    # killed half way, it would be due again at every start and weigh on every figure.
    for window in app.topLevelWidgets():
        for job in list(getattr(window, "_jobs", ())):
            job.wait()
    os._exit(0)


QApplication.exec = _exec
sys.argv = ["annotator", "gui", "--db", sys.argv[1], "--annotator", "bench"]
from annotator.cli.main import main

main()
"""
)

BARE = (
    _IDLE
    + """
from PySide6.QtWidgets import QPlainTextEdit
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


@dataclass
class Run:
    """One child's moments: wall seconds from launch and its own CPU seconds at each."""

    wall: dict[str, float]
    cpu: dict[str, float]


def timed(code: str, args: list[str], env: dict[str, str]) -> Run:
    """Launch a child and time each line it prints ("painted", "ready") until "ready"."""
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
    run = Run({}, {})
    for line in proc.stdout:
        word, _, cpu = line.strip().partition(" ")
        run.wall[word] = time.perf_counter() - start
        run.cpu[word] = float(cpu)
        if word == "ready":
            break
    proc.stdout.close()
    proc.wait()
    if "ready" not in run.wall or proc.returncode != 0:
        raise RuntimeError(f"start-up child failed (exit {proc.returncode}): {run}")
    return run


def python_pass(env: dict[str, str]) -> tuple[float, float]:
    """``python -c pass``: wall seconds launch to exit, and its CPU (user + system)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "pass"], cwd=env["PYTHONPATH"], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("python -c pass failed")
    return wall, usage.ru_utime + usage.ru_stime


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


def _big_corpus(scale: float, home: Path, name: str = "gui") -> str:
    """bench_gui's start-up corpus (100k documents at scale 1), copied: runs change it (the
    annotator "bench" is added, the day's backup is made)."""
    from tests.bench.bench_gui import build_corpus

    folder = cached("gui-v2", scale, lambda f: build_corpus(f, scale))
    db = home / name / "gui.sqlite3"
    db.parent.mkdir()
    shutil.copyfile(folder / "gui.sqlite3", db)
    return str(db)


def _backup_due(db: str) -> str:
    """``db`` with no automatic backup: the next start makes the day's copy."""
    shutil.rmtree(Path(db).parent / "backups", ignore_errors=True)
    return db


def _demo(home: Path, env: dict[str, str]) -> str:
    db = str(home / "demo.sqlite3")
    subprocess.run(
        [sys.executable, "-m", "annotator", "demo", "--db", db],
        cwd=env["PYTHONPATH"],  # the measured tree: python -c puts its cwd first
        env=env,
        check=True,
        capture_output=True,
    )
    return db


def _median(runs: list[Run], kind: str, word: str) -> float:
    return statistics.median(getattr(r, kind)[word] for r in runs)


def run(scale: float) -> list[Figure]:
    repeats = max(1, round(7 * scale)) if scale < 1 else 7
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        home = Path(tmp)
        env = _env(home)
        dbs = {"demo": _demo(home, env), "100k documents": _big_corpus(scale, home)}
        due_db = _big_corpus(scale, home, "due")
        # Read with plain sqlite3: a Workspace of this tree would migrate the database, which
        # an earlier tree's children ($ANNOTATOR_STARTUP_TREE) would then refuse as too new.
        con = sqlite3.connect(dbs["demo"])
        try:
            (text,) = con.execute("SELECT text FROM documents ORDER BY id LIMIT 1").fetchone()
            (big_count,) = (
                sqlite3.connect(dbs["100k documents"])
                .execute("SELECT count(*) FROM documents")
                .fetchone()
            )
        finally:
            con.close()
        first = home / "first.txt"
        first.write_text(text, encoding="utf-8")
        for db in (*dbs.values(), due_db):
            timed(OURS, [db], env)  # caches bytecode; the day's automatic backup made
        ours: dict[str, list[Run]] = {name: [] for name in (*dbs, BACKUP_DUE)}
        bare: list[Run] = []
        passes: list[tuple[float, float]] = []
        imports: list[float] = []
        for _ in range(repeats):  # interleaved: the machine's load falls on all alike
            for name, db in dbs.items():
                ours[name].append(timed(OURS, [db], env))
            ours[BACKUP_DUE].append(timed(OURS, [_backup_due(due_db)], env))
            bare.append(timed(BARE, [str(first)], env))
            passes.append(python_pass(env))
            imports.append(timed(IMPORT, [], env).wall["ready"])
        breakdown = import_breakdown(env)
    total = sum(ms for ms, _ in breakdown)
    print(f"   python -X importtime, import annotator.gui.app by package ({total:.0f} ms):")
    for ms, name in breakdown:
        print(f"   {ms:8.1f} ms  {name}")
    figures: list[Figure] = []
    for kind, label in (("wall", "start-up to"), ("cpu", "start-up CPU to")):
        for word, moment in (("painted", "first paint"), ("ready", "first document idle")):
            reference = _median(bare, kind, word)
            for name in (*CORPORA, BACKUP_DUE) if word == "ready" else CORPORA:
                runs = ours[name]
                value = _median(runs, kind, word)
                least = min(getattr(r, kind)[word] for r in runs)
                size = f"{big_count:,} documents; " if name != "demo" else ""
                figures.append(
                    Figure(
                        f"{label} {moment} ({name})",
                        value,
                        "s",
                        reference,
                        f"< {TARGET_S} s",
                        value < TARGET_S,
                        f"{size}median of {repeats}; min {least:.3f} s",
                    )
                )
    pass_wall = statistics.median(w for w, _ in passes)
    pass_cpu = statistics.median(c for _, c in passes)
    figures.append(Figure(FIGURES[-2], pass_wall, "s", note=f"CPU {pass_cpu:.3f} s"))
    figures.append(Figure(FIGURES[-1], statistics.median(imports), "s", note="python included"))
    order = {name: i for i, name in enumerate(FIGURES)}
    return sorted(figures, key=lambda f: order[f.name])


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
