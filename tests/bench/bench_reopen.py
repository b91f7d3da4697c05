"""How long reopening a long article holds the window when it has thousands of suggestions.

The arcs benchmark's 1 MB article (10,000 spans, 7,500 links) in two copies of its database:
one with the article's suggestions computed by the default engines (about 18,000), one with
none. In a fresh child process each, the window goes to another document and back to the
article, five times; a 2 ms timer ticks all along, and the longest gap between its ticks, from
the request to open until the suggestions are shown and 200 ms more, is how long the window
could not answer a key or paint (opening the article itself included). Suggesting on open is
off in both: only reading what is stored is measured.

- ours: the copy with suggestions (also: when they were shown, and how many frames).
- reference: the copy without suggestions, the same article and spans.

Deciding, in a fresh child on the copy with suggestions: accepting a statement's frame and
rejecting one in turn, each with the next frames the window then shows (made from those shown,
``frames_after``). Reference: one full read of the article's open frames, what each decision
cost before it read only around the suggestion decided (three such reads a key).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

from tests.bench.bench_arcs import build_corpus
from tests.bench.bench_gui import _settings, _settle, _until_idle
from tests.bench.common import Figure, cached, measure

FIGURES = (
    "reopen 1 MB article with suggestions, window blocked",
    "reopen 1 MB article, suggestions shown after",
    "decide a suggestion on the 1 MB article, median",
)
DECISIONS = 12  # accept and reject in turn


def _suggested(work: Path) -> None:
    """The arcs database with the article's suggestions computed (what ``annotator suggest``
    stores), made once: the engines take seconds on 1 MB."""
    from annotator.core.services.workspace import Workspace

    target = work / "suggested.sqlite3"
    _copy(work.parent / "arcs.sqlite3", target)
    with Workspace(str(target)) as ws:
        big = ws.documents.by_key("big")
        assert big is not None
        ws.suggestions().compute([big.id])


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def child_reopen(db_path: str, tmp: str, rounds: int) -> dict[str, object]:
    """Per round: the longest stall (ms) while reopening the article, and when its
    suggestions were shown (ms after the request)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.gui.app import application, open_window

    settings = _settings(tmp)
    settings.setValue("suggestions/onOpen", False)
    app = application()
    window = open_window(db_path, "bench", settings, ask=False)
    window.resize(1400, 860)
    window.show()
    _settle(app)
    big = window.workspace.documents.by_key("big").id
    other = window.workspace.documents.by_key("demo-01").id
    stalls: list[float] = []
    shown: list[float] = []
    frames = 0
    for _ in range(rounds + 1):  # the first round warms the caches up: not counted
        window.open_document(other)
        _until_idle(app)
        stall, until = _reopen(window, big)
        stalls.append(stall)
        shown.append(until)
        frames = len(window.suggestions.frames)
    return {"stall": stalls[1:], "shown": shown[1:], "frames": frames}


def child_decide(db_path: str, decisions: int) -> dict[str, list[float]]:
    """Per decision (ms): the service's accept or reject and the next frames made from those
    shown; and a full read of the open frames after it (the reference)."""
    from annotator.core.services.workspace import Workspace

    out: dict[str, list[float]] = {"accept": [], "reject": [], "full read": []}
    with Workspace(db_path) as ws:
        big = ws.documents.by_key("big")
        assert big is not None
        service = ws.suggestions()
        frames = service.open_frames(big.id, "bench")
        for turn in range(decisions):
            frame = next(f for f in frames if f.parts)
            start = time.perf_counter()
            if turn % 2 == 0:
                closed = service.accept_frame("bench", frame.head.id, skip_refused=True).accepted
                frames = service.frames_after(frames, closed, "accepted")
            else:
                closed = service.reject("bench", frame.head.id)
                frames = service.frames_after(frames, closed, "rejected")
            out["reject" if turn % 2 else "accept"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            read = service.open_frames(big.id, "bench")
            out["full read"].append((time.perf_counter() - start) * 1000)
            assert read == frames  # what the window shows is what a full read finds
    return out


def _reopen(window, big: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Open the article from an event loop with a timer ticking every 2 ms: the longest gap
    between ticks (ms), and when its suggestions were shown (ms after the request)."""
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    done: list[float] = []
    loop = QEventLoop()

    def tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        session = window.session
        opened = session is not None and session.document.id == big
        reading = getattr(window.suggestions, "reading", False)  # older trees: never
        if not done and opened and not reading:
            done.append(now)
        if done and now - done[0] > 0.2:
            loop.quit()

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(tick)
    start = time.perf_counter()
    timer.start()
    QTimer.singleShot(0, lambda: window.open_document(big))
    loop.exec()
    timer.stop()
    gaps = [b - a for a, b in zip([start, *ticks], ticks, strict=False)]
    return max(gaps) * 1000, (done[0] - start) * 1000


def run(scale: float) -> list[Figure]:
    folder = cached("arcs-v1", scale, lambda f: build_corpus(f, scale))
    work = folder / "reopen"
    if not (work / ".complete").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        _suggested(work)
        (work / ".complete").write_text("ok\n")
    # Each run reopens its own copies; the plain one has no suggestion (the arcs benchmark's
    # window may have computed some in its database).
    plain, suggested = work / "run-plain.sqlite3", work / "run-suggested.sqlite3"
    _copy(folder / "arcs.sqlite3", plain)
    con = sqlite3.connect(plain)
    con.execute("DELETE FROM suggestion_decisions")
    con.execute("DELETE FROM suggestions")
    con.commit()
    con.close()
    _copy(work / "suggested.sqlite3", suggested)
    rounds = 5
    ours = measure("tests.bench.bench_reopen:child_reopen", str(suggested), str(work), rounds)
    ref = measure("tests.bench.bench_reopen:child_reopen", str(plain), str(work), rounds)
    mine, bare = ours.result, ref.result
    stall, bare_stall = statistics.median(mine["stall"]), statistics.median(bare["stall"])
    note = (
        f"{mine['frames']} suggestion frames; longest stall per round "
        + ", ".join(f"{v:.0f}" for v in mine["stall"])
        + " ms (without: "
        + ", ".join(f"{v:.0f}" for v in bare["stall"])
        + " ms)"
    )
    shown = statistics.median(mine["shown"])
    _copy(work / "suggested.sqlite3", suggested)
    decided = measure("tests.bench.bench_reopen:child_decide", str(suggested), DECISIONS).result
    each = decided["accept"] + decided["reject"]
    decide_note = (
        f"accept {statistics.median(decided['accept']):.1f} ms, reject "
        f"{statistics.median(decided['reject']):.1f} ms (medians of {DECISIONS // 2}); "
        "reference: one full read of the article's open frames"
    )
    for path in (plain, suggested):
        path.unlink(missing_ok=True)
    return [
        Figure(
            FIGURES[0],
            stall,
            "ms",
            bare_stall,
            "<= 1.2x without suggestions",
            stall <= 1.2 * bare_stall,
            note=note,
        ),
        Figure(
            FIGURES[1],
            shown,
            "ms",
            statistics.median(bare["shown"]),
            note="from the request to open until the frames are on screen",
        ),
        Figure(
            FIGURES[2],
            statistics.median(each),
            "ms",
            statistics.median(decided["full read"]),
            note=decide_note,
        ),
    ]
