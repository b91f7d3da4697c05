"""The quotes engine on arbitrary text: never fails, and what it returns is well formed."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.domain.schema.parser import load_schema
from annotator.core.domain.suggesting.frames import Suggestions
from annotator.core.domain.suggesting.quote_engine import QuoteEngine

REPO = Path(__file__).resolve().parents[3]
ENGINE = QuoteEngine.from_schema(load_schema(REPO / "label_schemas" / "defence_statements.yaml"))

# Pieces news is made of, mixed at random: quote marks, cues, names, titles, punctuation.
PIECES = [
    "“",
    "”",
    "‘",
    "’",
    '"',
    "'",
    ",",
    ".",
    ":",
    ";",
    "?",
    "…",
    " – ",
    "\n",
    "\n\n",
    " ",
    " ",
    "\u00a0",
    "said",
    "told",
    "denied that",
    "according to",
    "in a statement",
    "called",
    "warning",
    "and",
    "but",
    "that",
    "who",
    "he",
    "she",
    "it",
    "the ministry",
    "Gen.",
    "Defence Minister",
    "Ali Demir",
    "Demir",
    "Yılmaz’s",
    "don’t",
    "We will respond",
    "with force",
    "the report",
    "By Lena Hartmann | Meridian Wire",
    "Photo:",
    "Read more:",
    "(Meridian Wire)",
    "e\u0301",
    "\r\n",
    "Korvath",
]


def check(text: str, result: Suggestions) -> None:
    keys = [s.key for s in result.spans]
    assert len(keys) == len(set(keys))
    by_key = {s.key: s for s in result.spans}
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert not text[span.start].isspace() and not text[span.end - 1].isspace()
        assert 0 < span.confidence <= 1
        assert span.label in ("STATEMENT", "SPEAKER")
    speakers = sorted((s.start, s.end) for s in result.spans if s.label == "SPEAKER")
    assert all(a[1] <= b[0] for a, b in pairwise(speakers))
    sources = [link.source for link in result.links]
    assert len(sources) == len(set(sources))  # said_by: at most one per statement
    for link in result.links:
        assert by_key[link.source].label == "STATEMENT"
        assert by_key[link.target].label == "SPEAKER"
        assert link.label == "said_by"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_news_like_noise(pieces: list[str]) -> None:
    text = "".join(pieces)
    check(text, ENGINE.suggest(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    check(text, ENGINE.suggest(text))
