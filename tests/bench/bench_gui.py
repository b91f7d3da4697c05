"""The window's speed: start-up, opening a large annotated article, adding a span, filtering.

Each figure is measured in a fresh child process on the offscreen platform, with its reference
measured the same way in the same run (issue 3 and issue 5 name the targets).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.common import Figure, cached, measure

FIGURES = (
    "gui start-up, 100k documents",
    "gui open 1 MB article, 10k spans",
    "gui add span p50",
    "gui add span p95",
    "gui filter 100k document list",
    "gui scroll 1 MB article, page p95",
    "gui peak RSS, start-up",
    "gui peak RSS, open article + adds",
    "gui curation open, 3 x 10k spans",
    "gui add span key to idle p50",
    "gui add span key to idle p95",
    "gui add span key to idle, CPU p50",
    "gui add span key to idle, CPU p95",
)
WORDS = [
    "missile",
    "drone",
    "sanctions",
    "ministry",
    "general",
    "export",
    "launcher",
    "cruise",
    "ballistic",
    "navy",
    "defence",
    "statement",
    "warning",
    "border",
    "alliance",
    "treaty",
    "rocket",
    "artillery",
    "submarine",
    "minister",
    "programme",
    "deployment",
    "retaliation",
    "accord",
    "shipment",
]


def _text(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize()
        line = sentence + ("." if rng.random() < 0.8 else ".\n")
        parts.append(line)
        size += len(line) + 1
    return " ".join(parts)[:chars]


def build_corpus(folder: Path, scale: float) -> None:
    """100k small documents plus one 1 MB article with 10k spans (times ``scale``)."""
    from annotator.core.domain.text import content_hash
    from annotator.core.services.bundled import default_schema
    from annotator.core.services.workspace import Workspace

    db_path = folder / "gui.sqlite3"
    with Workspace(str(db_path)) as ws:
        schema = default_schema()
        ref = ws.schemas.set_active(schema)
        annotator = ws.annotators.get_or_create("bench")
    rng = random.Random(7)
    big = _text(rng, int(1_000_000 * scale))
    docs = []
    for i in range(int(100_000 * scale)):
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        docs.append((f"doc-{i}", f"{title} {i}", _text(rng, 400) + f" {i}"))
    # The 1 MB articles come last: start-up opens the first unfinished document, a typical one;
    # opening the big one is measured on its own ("open").
    docs += [("big", "Big article", big), ("big-plain", "Big article without spans", big + ".")]
    con = sqlite3.connect(db_path)
    now = "2026-01-01 00:00:00"
    con.executemany(
        "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
        "VALUES (?, ?, ?, ?, '{}', ?, ?)",
        [(k, t, x, len(x), content_hash(x), now) for k, t, x in docs],
    )
    big_id = con.execute("SELECT id FROM documents WHERE key='big'").fetchone()[0]
    # Word spans spread over the article, a fifth of them STATEMENTs with a stance.
    starts = [m for m in range(1, len(big) - 20) if big[m - 1] == " "]
    chosen = sorted(rng.sample(starts, min(int(10_000 * scale), len(starts))))
    rows = []
    last_end = 0
    for n, start in enumerate(chosen):
        end = big.find(" ", start)
        if start < last_end or end <= start:
            continue
        label, attrs = (
            ("STATEMENT", '{"stance": "supports"}')
            if n % 5 == 0
            else ("WEAPON", '{"weapon_type": "drone"}')
        )
        rows.append((big_id, annotator.id, ref.id, start, end, label, attrs, now, now))
        last_end = end
    con.executemany(
        'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
        "attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.commit()
    con.close()


# -- children (run in fresh processes by ``measure``) --


def _settings(folder: str):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    return QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)


def _settle(app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        app.processEvents()


def _until_idle(app) -> None:  # type: ignore[no-untyped-def]
    """Process events until none is left: posted events, zero-interval timers (the deferred
    list, panel and row updates) and the repaints they ask for, chained as they come."""
    from PySide6.QtCore import QEventLoop

    dispatcher = app.eventDispatcher()
    flags = QEventLoop.ProcessEventsFlag.AllEvents
    quiet = 0
    deadline = time.perf_counter() + 10
    while quiet < 2:  # twice in a row: an event handled last may have posted another
        if time.perf_counter() > deadline:
            raise TimeoutError("the window never went idle: a zero timer that restarts itself?")
        app.sendPostedEvents()
        quiet = 0 if dispatcher.processEvents(flags) else quiet + 1


def child_startup(db_path: str, tmp: str) -> float:
    """Imports, database open, window built, shown and painted (seconds).

    With settings of its own, made fresh: the other children's settings remember the 1 MB
    article they edit as the last document, and a start-up would reopen it ("open" measures
    that article on its own); this one opens the first unfinished document, a short one.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    fresh = tempfile.mkdtemp(dir=tmp, prefix="startup-")
    start = time.perf_counter()
    from annotator.gui.app import application, open_window

    app = application()
    window = open_window(db_path, "bench", _settings(fresh), ask=False)
    window.show()
    _settle(app)
    window.repaint()
    return time.perf_counter() - start


def child_bare_startup(text: str) -> float:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    app = QApplication([])
    window = QMainWindow()
    view = QPlainTextEdit()
    view.setPlainText(text)
    window.setCentralWidget(view)
    window.resize(1400, 860)
    window.show()
    _settle(app)
    window.repaint()
    return time.perf_counter() - start


def _window(db_path: str, tmp: str):  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.gui.app import application, open_window

    app = application()
    window = open_window(db_path, "bench", _settings(tmp), ask=False)
    window.resize(1400, 860)
    window.show()
    _settle(app)
    return app, window


def child_open(db_path: str, tmp: str) -> dict[str, float]:
    """Median ms to open the annotated article and paint it, and the same without spans."""
    app, window = _window(db_path, tmp)
    big = window.workspace.documents.by_key("big")
    plain = window.workspace.documents.by_key("big-plain")
    timings: dict[str, list[float]] = {"spans": [], "plain": []}
    for _ in range(5):
        for key, doc in (("spans", big), ("plain", plain)):
            window.open_document(window.workspace.documents.by_key("doc-0").id)
            _settle(app)
            start = time.perf_counter()
            window.open_document(doc.id)
            app.processEvents()  # the highlighter's pass and anything else queued by opening
            window.text_view.viewport().repaint()
            timings[key].append((time.perf_counter() - start) * 1000)
    return {k: statistics.median(v) for k, v in timings.items()}


def add_team(db_path: Path) -> None:
    """Two more annotators on the big article: the bench's spans, each leaving some out."""
    from annotator.core.services.workspace import Workspace

    Workspace(str(db_path)).close()  # a cached corpus from an older version: upgraded first
    con = sqlite3.connect(db_path)
    now = "2026-01-01 00:00:00"
    rows = con.execute(
        'SELECT document_id, schema_id, start, "end", label, attributes FROM spans'
        " WHERE document_id = (SELECT id FROM documents WHERE key = 'big')"
    ).fetchall()
    for n, name in enumerate(("bench2", "bench3"), start=1):
        cur = con.execute(
            "INSERT INTO annotators (name, kind, created_at) VALUES (?, 'person', ?)", (name, now)
        )
        who = cur.lastrowid
        con.executemany(
            'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
            "attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (d, who, sc, st, en, la, at, now, now)
                for i, (d, sc, st, en, la, at) in enumerate(rows)
                if i % 7 != n
            ],
        )
    con.commit()
    con.close()


def child_open_curation(db_path: str, tmp: str) -> float:
    """Median ms to open the big article in curation mode: gold in the editor (empty) and the
    curation panel's rows for three annotators' 10k spans each."""
    app, window = _window(db_path, tmp)
    window.set_curation(True)
    _settle(app)
    big = window.workspace.documents.by_key("big")
    timings = []
    for _ in range(5):
        window.open_document(window.workspace.documents.by_key("doc-0").id)
        _settle(app)
        start = time.perf_counter()
        window.open_document(big.id)
        app.processEvents()
        window.text_view.viewport().repaint()
        window.curation_panel.table.viewport().repaint()
        timings.append((time.perf_counter() - start) * 1000)
    assert window.curation_panel.model.rowCount() > 0
    return statistics.median(timings)


def child_scroll(db_path: str, tmp: str, pages: int) -> list[float]:
    """ms per page scrolled down the annotated article (format newly shown blocks + repaint)."""
    app, window = _window(db_path, tmp)
    window.open_document(window.workspace.documents.by_key("big").id)
    _settle(app)
    bar = window.text_view.verticalScrollBar()
    times = []
    for _ in range(pages):
        if bar.value() >= bar.maximum():
            break
        start = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        app.processEvents()
        window.text_view.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    return times


def child_add_span(db_path: str, tmp: str, count: int) -> dict[str, list[float]]:
    """ms from the S key press to the span committed and the text repainted ("gui"), and to
    the window idle again, every deferred list and panel update done ("idle"), ``count``
    times."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app, window = _window(db_path, tmp)
    window.open_document(window.workspace.documents.by_key("big").id)
    _settle(app)
    view = window.text_view
    text = window.session.document.text
    taken = {(s.start, s.end) for s in window.session.spans.values()}
    rng = random.Random(11)
    times: list[float] = []
    idle: list[float] = []
    cpu: list[float] = []  # the GUI thread's own CPU time: what a loaded machine does not add
    while len(times) < count:
        start = rng.randrange(0, len(text) - 200)
        start = text.find(" ", start) + 1
        end = text.find(" ", text.find(" ", start) + 1)
        if (start, end) in taken or end <= start:
            continue
        taken.add((start, end))
        cursor = view.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        _until_idle(app)
        before = len(window.session.spans)
        t0, c0 = time.perf_counter(), time.thread_time()
        QTest.keyClick(view, Qt.Key.Key_S)
        view.viewport().repaint()
        times.append((time.perf_counter() - t0) * 1000)
        _until_idle(app)
        idle.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert len(window.session.spans) == before + 1, "the key press made no span"
    # The reference: one bare row insert and commit on the same database, same pragmas.
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    reference = []
    for i in range(count):
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO settings (key, value) VALUES (?, 'x')", (f"bench-{i}",))
        con.execute("COMMIT")
        reference.append((time.perf_counter() - t0) * 1000)
    con.execute("DELETE FROM settings WHERE key LIKE 'bench-%'")
    con.close()
    return {"gui": times, "idle": idle, "cpu": cpu, "reference": reference}


def child_filter(db_path: str, tmp: str) -> float:
    """Median ms for the document list to show only titles containing a word."""
    _app, window = _window(db_path, tmp)
    timings = []
    for word in ("missile", "treaty", "xyz-none", "drone", "border"):
        start = time.perf_counter()
        window.doc_model.set_filter((), word)
        window.doc_view.viewport().repaint()
        timings.append((time.perf_counter() - start) * 1000)
        window.doc_model.set_filter((), "")
    return statistics.median(timings)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(scale: float) -> list[Figure]:
    folder = cached("gui-v2", scale, lambda f: build_corpus(f, scale))
    db = str(folder / "gui.sqlite3")
    work = folder / "runs"
    work.mkdir(exist_ok=True)
    figures: list[Figure] = []
    # Each run changes the database (spans added), so later runs use a copy.
    ours = measure("tests.bench.bench_gui:child_startup", db, str(work))
    bare = measure("tests.bench.bench_gui:child_bare_startup", "Big article\n" * 200)
    figures.append(
        Figure(
            FIGURES[0], ours.result * 1000, "ms", bare.result * 1000, "< 500 ms", ours.result < 0.5
        )
    )
    opened_run = measure("tests.bench.bench_gui:child_open", db, str(work))
    opened = opened_run.result
    figures.append(
        Figure(
            FIGURES[1], opened["spans"], "ms", opened["plain"], "< 150 ms", opened["spans"] < 150
        )
    )
    copy = work / "add.sqlite3"
    src = sqlite3.connect(db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    added_run = measure(
        "tests.bench.bench_gui:child_add_span",
        str(copy),
        str(work),
        max(20, int(200 * min(scale * 10, 1))),
    )
    added = added_run.result
    ref50, ref95 = _p(added["reference"], 0.5), _p(added["reference"], 0.95)
    p50, p95 = _p(added["gui"], 0.5), _p(added["gui"], 0.95)
    figures.append(Figure(FIGURES[2], p50, "ms", ref50, "", None))
    figures.append(Figure(FIGURES[3], p95, "ms", ref95, "< 16 ms", p95 < 16))
    idle50, idle95 = _p(added["idle"], 0.5), _p(added["idle"], 0.95)
    to_idle = "key press to no event left (deferred list and panel updates included)"
    figures.append(Figure(FIGURES[9], idle50, "ms", ref50, "", None, note=to_idle))
    figures.append(Figure(FIGURES[10], idle95, "ms", ref95, "< 16 ms", idle95 < 16, note=to_idle))
    cpu50, cpu95 = _p(added["cpu"], 0.5), _p(added["cpu"], 0.95)
    on_cpu = (
        "the GUI thread's CPU time over the same stretch (waiting for a core or a disk excluded)"
    )
    figures.append(Figure(FIGURES[11], cpu50, "ms", ref50, "", None, note=on_cpu))
    figures.append(Figure(FIGURES[12], cpu95, "ms", ref95, "", None, note=on_cpu))
    filtered = measure("tests.bench.bench_gui:child_filter", db, str(work)).result
    figures.append(Figure(FIGURES[4], filtered, "ms", None, "< 100 ms", filtered < 100))
    scrolled = measure("tests.bench.bench_gui:child_scroll", db, str(work), 300).result
    figures.append(
        Figure(
            FIGURES[5], _p(scrolled, 0.95), "ms", None, "< 16 ms (a frame)", _p(scrolled, 0.95) < 16
        )
    )
    figures.append(Figure(FIGURES[6], ours.peak_rss_mb, "MB", bare.peak_rss_mb))
    figures.append(
        Figure(
            FIGURES[7], max(opened_run.peak_rss_mb, added_run.peak_rss_mb), "MB", bare.peak_rss_mb
        )
    )
    copy.unlink(missing_ok=True)
    team = work / "team.sqlite3"
    src, dst = sqlite3.connect(db), sqlite3.connect(team)
    src.backup(dst)
    src.close()
    dst.close()
    add_team(team)
    curated = measure("tests.bench.bench_gui:child_open_curation", str(team), str(work)).result
    figures.append(
        Figure(
            FIGURES[8],
            curated,
            "ms",
            opened["spans"],
            "<= 1x editor open",
            curated <= opened["spans"],
            note="reference: the editor opening one annotator's 10k spans",
        )
    )
    team.unlink(missing_ok=True)
    return figures
