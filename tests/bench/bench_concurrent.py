"""What an annotator feels while another process imports 2,000 small .txt files (times the scale,
at least 50) into the same SQLite database.

Ours: the real window (offscreen) on a database file; ``python -m annotator --db FILE import
FOLDER --annotator bench`` runs in a second process. While it runs, a 5 ms timer records the
longest gap between its ticks (the window's longest event-loop stall), and every 200 ms a span
is made the way the label key makes one (``AnnotationEditor.apply_label``: undo command,
``DocumentSession``, ``AnnotationService`` commit), each timed from the key to the span being
on disk, including any time it waited (retried from a timer) for the import's write lock.
Reference: the same measurement on the same window and file for as long again, with no import.

An edit that fails (e.g. given up after waiting 30 s for the lock) is counted, not
raised. The import is killed if it outlives its deadline, so a lock held for ever cannot hang.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.common import REPO, Figure, cached, measure

FIGURES = (
    "window stall during import",
    "edit commit during import, max",
    "edit commit during import, p50",
    "edits failed during import",
)
FILES = 2_000
MIN_FILES = 50
ANNOTATOR = "bench"
LABEL = "TARGET"  # no attributes, no overlap with itself: any word can take one
TICK_MS = 5
EDIT_EVERY_MS = 200
REFERENCE_SECONDS = (2.0, 30.0)  # the reference phase lasts as long as the import, within these
WORDS = [
    *("missile", "drone", "sanctions", "ministry", "general", "export", "launcher", "cruise"),
    *("ballistic", "navy", "defence", "statement", "warning", "border", "alliance", "treaty"),
    *("rocket", "artillery", "submarine", "minister", "programme", "deployment", "accord"),
]


def _prose(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = min(words, rng.randint(8, 18))
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        words -= n
    return " ".join(sentences)


def files_for(scale: float) -> int:
    return max(MIN_FILES, int(FILES * scale))


def build(folder: Path, scale: float) -> None:
    """The .txt files to import, and a database holding one article for the window to open."""
    from annotator.core.services.importing import import_paths
    from annotator.core.services.workspace import Workspace

    rng = random.Random(5)
    txt = folder / "txt"
    txt.mkdir()
    for n in range(files_for(scale)):
        # About 15 kB each, an ordinary article's length, every text different (the import
        # skips duplicate texts): 30 MB in all, so the import outlasts a few edits.
        text = f"Report {n}: the ministry’s statement\n\n{_prose(rng, 2200)} ({n})\n"
        (txt / f"report-{n:05d}.txt").write_text(text, encoding="utf-8")
    article = folder / "article.txt"
    article.write_text("Article under annotation\n\n" + _prose(rng, 4000) + "\n", encoding="utf-8")
    with Workspace(str(folder / "base.sqlite3")) as ws:
        schema = ws.active_schema()
        ref = ws.schemas.register(schema)
        import_paths(ws.db, [article], schema=schema, schema_ref=ref, annotator=ANNOTATOR)
    article.unlink()


# -- the child (run in a fresh process by ``measure``) --


def child(db_path: str, txt_folder: str, tmp: str, deadline: float) -> dict[str, Any]:
    """Open the window; measure it during the import, then for as long again without one."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from annotator.gui.app import application, open_window

    app = application()
    settings = QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat)
    window = open_window(db_path, ANNOTATOR, settings, ask=False)
    window.resize(1400, 860)
    window.show()
    until = time.monotonic() + 30
    while window.session is None and time.monotonic() < until:
        app.processEvents()
        time.sleep(0.01)
    assert window.session is not None, "the window opened no document"
    editor = _Editor(window)
    for _ in range(2):  # warm-up: the first commits fill caches neither phase should pay for
        editor.edit()
    editor.results.clear()
    try:
        during = _phase(app, editor, lambda: _Import(db_path, txt_folder, tmp, deadline))
        low, high = REFERENCE_SECONDS
        seconds = min(max(during["seconds"], low), high)
        without = _phase(app, editor, None, seconds)
        documents = window.workspace.documents.count()
    finally:
        window.close()
        window.workspace.close()
    return {"during": during, "without": without, "documents": documents}


class _Editor:
    """Makes a span on the next free word through the label key's path, and times it from the
    key to the span being on disk: an edit that waits for the lock (the window retries it
    from a timer) counts until it is stored or given up."""

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        self.window = window
        text = window.session.document.text
        # Every other word, so that no two spans touch.
        self.words = [m.span() for m in re.finditer(r"\w+", text)][::2]
        self.next = 0
        self.messages: list[str] = []
        window.editor.message.connect(self.messages.append)
        window.editor.alert = self.messages.append  # a given-up edit: counted, no modal box
        window.session.writes.waiting.connect(self._settled)
        self.results: list[tuple[float, str | None]] = []  # (ms, error or None)
        self._waiting: tuple[float, int] | None = None  # (t0, spans before) of a waiting edit
        self.waited = 0  # edits that had to wait for the lock

    def edit(self) -> None:
        if self.next >= len(self.words) or self._waiting is not None:
            return  # one edit at a time: the next key would only queue behind it
        start, end = self.words[self.next]
        self.next += 1
        editor, view = self.window.editor, self.window.text_view
        cursor = view.textCursor()
        cursor.setPosition(editor.offsets.to_qt(start))
        cursor.setPosition(editor.offsets.to_qt(end), cursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        del self.messages[:]
        error: str | None = None
        before = len(self.window.session.spans)
        t0 = time.perf_counter()
        try:
            span = editor.apply_label(LABEL)
        except Exception as exc:  # the window would show a traceback; the bench counts it
            span, error = None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        if span is None and error is None and editor.waiting:
            self._waiting = (t0, before)
            self.waited += 1
            return
        ms = (time.perf_counter() - t0) * 1000
        if span is None and error is None:
            error = "; ".join(self.messages) or "no span made"
        self.results.append((ms, error))

    def _settled(self, waiting: bool) -> None:
        if waiting or self._waiting is None:
            return
        t0, before = self._waiting
        self._waiting = None
        ms = (time.perf_counter() - t0) * 1000
        made = len(self.window.session.spans) > before
        self.results.append((ms, None if made else "; ".join(self.messages) or "not saved"))

    def finish(self, app) -> None:  # type: ignore[no-untyped-def]
        """Let a waiting edit settle (at most its deadline) before the phase is counted."""
        while self._waiting is not None:
            app.processEvents()
            time.sleep(0.005)


class _Import:
    """``annotator import`` in a second process; its exit time is taken by a waiting thread."""

    def __init__(self, db_path: str, txt_folder: str, tmp: str, deadline: float) -> None:
        self.log = Path(tmp) / "import.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
        env.pop("QT_QPA_PLATFORM", None)
        cmd = [sys.executable, "-m", "annotator", "--db", db_path, "import", txt_folder]
        cmd += ["--annotator", ANNOTATOR]
        self.started = time.perf_counter()
        self.deadline = time.monotonic() + deadline
        self.ended: float | None = None
        self.killed = False
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=out)
        self._waiter = threading.Thread(target=self._wait, daemon=True)
        self._waiter.start()

    def _wait(self) -> None:
        self.proc.wait()
        self.ended = time.perf_counter()

    def done(self) -> bool:
        if self.ended is not None:
            return True
        if time.monotonic() > self.deadline:
            self.stop()
            return True
        return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.killed = True
            self.proc.kill()
        self._waiter.join(10)

    def report(self) -> dict[str, Any]:
        self.stop()
        tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
        return {
            "import_seconds": ((self.ended or time.perf_counter()) - self.started),
            "import_status": self.proc.returncode,
            "import_killed": self.killed,
            "import_said": tail[0][-200:] if tail else "",
        }


def _phase(app, editor: _Editor, start_import, seconds: float = 0.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Run the event loop with the stall probe and the edits until the import ends, or with no
    import for ``seconds``. Returns the longest tick gap (ms) and each edit's (ms, error)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    state = {"last": 0.0, "max_gap": 0.0}

    def tick() -> None:
        now = time.perf_counter()
        state["max_gap"] = max(state["max_gap"], now - state["last"])
        state["last"] = now

    importer: _Import | None = None
    began = time.perf_counter()

    def check() -> None:
        over = importer.done() if importer is not None else time.perf_counter() - began > seconds
        if over:
            loop.quit()

    timers = []
    for interval, slot, kind in (
        (TICK_MS, tick, Qt.TimerType.PreciseTimer),
        (EDIT_EVERY_MS, editor.edit, Qt.TimerType.PreciseTimer),
        (20, check, Qt.TimerType.CoarseTimer),
    ):
        timer = QTimer()
        timer.setTimerType(kind)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        timers.append(timer)
    editor.results.clear()
    editor.waited = 0
    try:
        if start_import is not None:
            importer = start_import()
        began = state["last"] = time.perf_counter()
        for timer in timers:
            timer.start()
        loop.exec()
    finally:
        for timer in timers:
            timer.stop()
        editor.finish(app)
        if importer is not None:
            importer.stop()  # only kills an import still running (deadline, or an error here)
        app.processEvents()
    out: dict[str, Any] = {
        "seconds": time.perf_counter() - began,
        "max_gap_ms": state["max_gap"] * 1000,
        "edits": list(editor.results),
        "waited": editor.waited,
    }
    if importer is not None:
        out.update(importer.report())
    return out


# -- the parent --


def _edit_figures(phase: dict[str, Any]) -> tuple[float, float, int, int, list[str]]:
    times = [ms for ms, _ in phase["edits"]] or [0.0]
    errors = [e for _, e in phase["edits"] if e is not None]
    return max(times), statistics.median(times), len(phase["edits"]), len(errors), errors


def run(scale: float) -> list[Figure]:
    folder = cached("concurrent-v2", scale, lambda f: build(f, scale))
    work = folder / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "window.sqlite3"
    shutil.copy(folder / "base.sqlite3", db)
    deadline = 60 + 240 * scale  # seconds the import may run before it is killed
    try:
        got = measure(
            "tests.bench.bench_concurrent:child",
            str(db),
            str(folder / "txt"),
            str(work),
            deadline,
            # The import, a reference as long (at most 30 s), and one more 30 s busy wait each.
            timeout=deadline + 180,
        ).result
    finally:
        shutil.rmtree(work, ignore_errors=True)
    during, without = got["during"], got["without"]
    d_max, d_p50, d_n, d_failed, d_errors = _edit_figures(during)
    w_max, w_p50, w_n, w_failed, _ = _edit_figures(without)
    expected = files_for(scale) + 1
    imported = "killed at its deadline" if during["import_killed"] else "done"
    if not during["import_killed"] and (
        during["import_status"] != 0 or got["documents"] != expected
    ):
        imported = (
            f"exit {during['import_status']}, {got['documents'] - 1} documents: "
            f"{during['import_said']}"
        )
    context = (
        f"import of {files_for(scale)} files ran {during['import_seconds']:.1f} s, {imported}; "
        f"{d_n} edits during it, {w_n} without"
    )
    failed_note = f"{d_failed} of {d_n} failed"
    if d_errors:
        failed_note += f", first: {d_errors[0][:120]}"
    return [
        Figure(FIGURES[0], during["max_gap_ms"], "ms", without["max_gap_ms"], note=context),
        Figure(
            FIGURES[1],
            d_max,
            "ms",
            w_max,
            note=f"key to disk; {d_n} edits, {during.get('waited', 0)} waited for the lock; "
            f"{w_n} in the reference",
        ),
        Figure(FIGURES[2], d_p50, "ms", w_p50),
        Figure(FIGURES[3], d_failed, "n", w_failed, note=failed_note),
    ]
