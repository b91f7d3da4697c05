"""Rule suggestions (the "quotes" engine) on one article and on a very long text.

- 5 kB article: demo articles joined to 5 kB (headlines, bylines, captions, quotes), the median
  of 50 runs of ``QuoteEngine.suggest``. Target < 50 ms: what a user waits when a document
  opens with suggestions on.
- 1 MB text: the demo articles repeated to 1 MB (scale 1, each copy's lines numbered so
  that they are not taken for repeated captions), one run. Reference: the project's
  own one-pass sentence splitter (``domain.text.sentence_bounds``) over the same text, so the
  ratio says how many such passes the engine costs; the engine must stay linear.
- 1 MB without line breaks: the same text as one paragraph (cut into pieces at sentence ends).
- cancel latency: ``cancelled()`` turns true half way through the 1 MB text; the time from then
  until ``suggest`` returns with what it has (most of it is making the records of the half
  found, about 1,800 statements). Target < 100 ms: a cancel that feels immediate.

Each runs in a fresh child process; timings are taken inside it (start-up excluded).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time

from tests.bench.common import REPO, Figure, measure

MB = 1_000_000
ARTICLE = 5_000
FIGURES = (
    "quotes engine, 5 kB article",
    "quotes engine, 1 MB text",
    "quotes engine, 1 MB one paragraph",
    "quotes engine, cancel latency",
)


def _demo_texts() -> list[str]:
    """The demo articles up to their readers' comments (which the engine skips, as it should
    skip everything after them: a text joined from articles must not end at the first)."""
    path = REPO / "resources" / "demo" / "articles.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    return [re.split(r"\n(?=Comments)", text)[0] for text in texts]


def _article() -> str:
    """About 5 kB of demo articles, cut at a paragraph."""
    text = "\n".join(_demo_texts())
    return text[: text.index("\n\n", ARTICLE)]


def _long(size: int) -> str:
    """The demo articles repeated to ``size``, each copy's lines numbered: the engine takes a
    line seen twice for a caption or a headline, and a real long text repeats few lines."""
    parts: list[str] = []
    total = copy = 0
    while total < size:
        copy += 1
        for text in _demo_texts():
            piece = "\n".join(f"[{copy}] {line}" if line else "" for line in text.split("\n"))
            parts.append(piece)
            total += len(piece) + 2
    return "\n\n".join(parts)[:size]


def child(size: int) -> dict[str, float]:
    """Every timing, measured in this process after building the engine once."""
    from annotator.core.domain.schema.parser import load_schema
    from annotator.core.domain.suggesting.quote_engine import QuoteEngine
    from annotator.core.domain.text import sentence_bounds

    engine = QuoteEngine.from_schema(load_schema(REPO / "label_schemas/defence_statements.yaml"))
    article = _article()
    engine.suggest(article)  # warm-up
    runs = []
    for _ in range(50):
        start = time.perf_counter()
        found = engine.suggest(article)
        runs.append(time.perf_counter() - start)
    out = {"article_s": statistics.median(runs), "article_chars": len(article)}
    out["article_statements"] = sum(1 for s in found.spans if s.label == "STATEMENT")

    text = _long(size)
    start = time.perf_counter()
    sentence_bounds(text)
    out["reference_s"] = time.perf_counter() - start
    start = time.perf_counter()
    found = engine.suggest(text)
    out["long_s"] = time.perf_counter() - start
    out["long_statements"] = sum(1 for s in found.spans if s.label == "STATEMENT")

    flat = text.replace("\n", " ")
    start = time.perf_counter()
    engine.suggest(flat)
    out["flat_s"] = time.perf_counter() - start

    calls = [0]
    turned: list[float] = []
    half = size // 2 // 2000  # checks come every 2,000 characters or so

    def cancelled() -> bool:
        calls[0] += 1
        if calls[0] >= half:
            if not turned:
                turned.append(time.perf_counter())
            return True
        return False

    found = engine.suggest(text, cancelled=cancelled)
    out["cancel_s"] = time.perf_counter() - turned[0]
    out["cancel_share"] = max((s.end for s in found.spans), default=0) / len(text)
    return out


def run(scale: float) -> list[Figure]:
    size = max(50_000, round(MB * scale))
    got = measure("tests.bench.bench_suggest:child", size).result
    label = f"{size / MB:g} MB" if size >= MB else f"{size // 1000} kB"
    return [
        Figure(
            FIGURES[0],
            got["article_s"] * 1000,
            "ms",
            target="< 50 ms",
            met=got["article_s"] < 0.05,
            note=f"{got['article_chars']} characters, {got['article_statements']} statements",
        ),
        Figure(
            FIGURES[1],
            got["long_s"],
            "s",
            got["reference_s"],
            note=f"{label}, {got['long_statements']} statements; reference: sentence_bounds",
        ),
        Figure(FIGURES[2], got["flat_s"], "s", got["long_s"], note="reference: with its lines"),
        Figure(
            FIGURES[3],
            got["cancel_s"] * 1000,
            "ms",
            target="< 100 ms",
            met=got["cancel_s"] < 0.1,
            note=f"stopped at {got['cancel_share']:.0%} of the text",
        ),
    ]


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
