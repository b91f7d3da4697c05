"""What drawing links as arcs (and labels as tags) adds to a paint of the article's screen.

- ours: scroll to a place in the article and repaint the view with the arcs on (the scene of
  that screen is computed afresh: its spans, their links, the arcs' geometry, then drawn).
- reference: the same scroll and repaint with the arcs off, at the same places, in the same
  child process (the highlighter's colours, the frames and the text itself).

On the demo article (demo-01) and on a generated 1 MB article with thousands of spans and links
(statements linked to a speaker, a target and a weapon near them; one link in ten reaching
far, so that it runs to the screen's edge). Issue 13's target: a screen under ~16 ms.
Suggestions are hidden in both runs (see ``child_paint``).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from tests.bench.bench_gui import _p, _settings, _settle, _text
from tests.bench.common import Figure, cached, measure

FIGURES = (
    "arcs paint, demo article p50",
    "arcs paint, 1 MB article p50",
    "arcs paint, 1 MB article p95",
)
STATEMENTS = 2_500  # at scale 1: each with a speaker, a target and a weapon (10k spans, 7.5k links)


def build_corpus(folder: Path, scale: float) -> None:
    """A database with the demo articles and one 1 MB article full of linked statements."""
    from annotator.core.domain.text import content_hash
    from annotator.core.services.bundled import default_schema
    from annotator.core.services.demo import load_demo
    from annotator.core.services.workspace import Workspace

    db_path = folder / "arcs.sqlite3"
    with Workspace(str(db_path)) as ws:
        ref = ws.schemas.set_active(default_schema())
        load_demo(ws, "bench", team=False)  # demo-01, annotated as the window's user
        annotator = ws.annotators.get_or_create("bench")
    rng = random.Random(13)
    text = _text(rng, max(20_000, int(1_000_000 * scale)))
    now = "2026-01-01 00:00:00"
    con = sqlite3.connect(db_path)
    cur = con.execute(
        "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
        "VALUES ('big', 'Big article', ?, ?, '{}', ?, ?)",
        (text, len(text), content_hash(text), now),
    )
    doc_id = cur.lastrowid
    words = [m for m in range(1, len(text) - 40) if text[m - 1] == " " and text[m] != " "]
    count = max(20, int(STATEMENTS * scale))
    step = len(words) // count

    def span(start: int, end: int, label: str, attrs: str) -> int:
        row = con.execute(
            'INSERT INTO spans (document_id, annotator_id, schema_id, start, "end", label, '
            "attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, annotator.id, ref.id, start, end, label, attrs, now, now),
        )
        assert row.lastrowid is not None
        return row.lastrowid

    def word_end(start: int) -> int:
        return text.index(" ", start)

    weapons: list[int] = []
    links = []
    for n in range(count):
        w = words[n * step : n * step + step]  # this statement's stretch of words
        if len(w) < 12:
            break
        speaker = span(w[0], word_end(w[0]), "SPEAKER", "{}")
        statement = span(w[2], word_end(w[8]), "STATEMENT", '{"stance": "threatens"}')
        target = span(w[9], word_end(w[9]), "TARGET", "{}")
        weapon = span(w[11], word_end(w[11]), "WEAPON", '{"weapon_type": "drone"}')
        weapons.append(weapon)
        far = weapons[rng.randrange(len(weapons))] if n % 10 == 9 else weapon
        links += [
            (statement, speaker, "said_by"),
            (statement, target, "aimed_at"),
            (statement, far, "about"),
        ]
    con.executemany(
        "INSERT OR IGNORE INTO relations (document_id, annotator_id, schema_id, label, "
        "source_id, target_id, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?)",
        [(doc_id, annotator.id, ref.id, label, s, t, now) for s, t, label in links],
    )
    con.commit()
    con.close()


def child_paint(db_path: str, tmp: str, key: str, places: int) -> dict[str, object]:
    """ms per scroll-and-repaint at ``places`` spots of the article, arcs off and on."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.gui.app import application, open_window

    app = application()
    window = open_window(db_path, "bench", _settings(tmp), ask=False)
    window.resize(1400, 860)
    window.show()
    _settle(app)
    window.open_document(window.workspace.documents.by_key(key).id)
    _settle(app)
    # Rule suggestions hidden (F6): their overlay frames every suggestion of the article at
    # each paint (18k on the 1 MB article, ~1 s a paint), which would drown both figures.
    window.suggestions.set_visible(False)
    view, arcs = window.text_view, window.link_arcs
    bar = view.verticalScrollBar()
    spots = [bar.maximum() * i // max(places - 1, 1) for i in range(places)] or [0]
    for value in spots:  # lay out and colour every spot once, as a reader would have
        bar.setValue(value)
        _settle(app)
    times: dict[str, list[float]] = {"off": [], "on": []}
    shown = []
    for value in spots:
        for state in ("off", "on"):
            arcs.set_enabled(state == "on")
            bar.setValue(value + bar.pageStep() if value < bar.maximum() else 0)
            _settle(app)
            start = time.perf_counter()
            bar.setValue(value)
            view.viewport().repaint()
            times[state].append((time.perf_counter() - start) * 1000)
        shown.append(len(arcs.scene().arcs))
    session = window.session
    assert session is not None
    return {
        **times,
        "arcs": statistics.mean(shown),
        "spans": len(session.spans),
        "links": len(session.relations),
    }


def run(scale: float) -> list[Figure]:
    folder = cached("arcs-v1", scale, lambda f: build_corpus(f, scale))
    db, work = str(folder / "arcs.sqlite3"), folder / "runs"
    work.mkdir(exist_ok=True)
    places = max(10, int(200 * min(scale * 10, 1)))
    demo = measure("tests.bench.bench_arcs:child_paint", db, str(work), "demo-01", 10).result
    big = measure("tests.bench.bench_arcs:child_paint", db, str(work), "big", places).result
    big_note = (
        f"{big['spans']} spans, {big['links']} links, {big['arcs']:.0f} arcs a screen, "
        f"{len(big['on'])} places"
    )
    demo_note = f"{demo['spans']} spans, {demo['links']} links, {demo['arcs']:.0f} arcs a screen"
    on95 = _p(big["on"], 0.95)
    return [
        Figure(FIGURES[0], _p(demo["on"], 0.5), "ms", _p(demo["off"], 0.5), note=demo_note),
        Figure(FIGURES[1], _p(big["on"], 0.5), "ms", _p(big["off"], 0.5), note=big_note),
        Figure(FIGURES[2], on95, "ms", _p(big["off"], 0.95), "< 16 ms", on95 < 16),
    ]


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
