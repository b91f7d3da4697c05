"""The one tokenizer of prodigy, spacy and conll, and the fast offset checks of every export."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.rules import span_fits
from annotator.core.domain.text import is_boundary, normalise
from annotator.core.formats.writers.tokenize import tokenize

# Text as scraped news has it: words, digits, typographic punctuation, odd spaces, marks, emoji.
ALPHABET = st.sampled_from(
    [
        *"ab Zé9_-.,;:!?'\"“”‘’…()\n\t",
        *("\u00a0", "\u2009", "\u0301", "\u0308", "\u200d", "\ufe0f", "ı", "ß", "ق", "ك"),
        *("🚀", "👩"),
    ]
)
TEXTS = st.text(ALPHABET, max_size=60).map(normalise)


def words(text: str) -> list[str]:
    tokens = tokenize(text)
    return [tokens.text_of(i) for i in range(len(tokens))]


def test_tokens_of_a_news_sentence() -> None:
    text = "Gen. Yılmaz: “U.S.-made drones won’t stop us,” he said\u00a0on 14\u00a0March."
    assert words(text) == [
        "Gen",
        ".",
        "Yılmaz",
        ":",
        "“",
        "U",
        ".",
        "S",
        ".",
        "-",
        "made",
        "drones",
        "won",
        "’",
        "t",
        "stop",
        "us",
        ",",
        "”",
        "he",
        "said",
        "on",
        "14",
        "March",
        ".",
    ]
    assert words("Q\u0301uarta and 👩\u200d🚀 x\u0301y") == [
        "Q\u0301uarta",
        "and",
        "👩\u200d🚀",
        "x\u0301y",
    ]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tokens_cover_every_non_space_character_and_start_where_spans_may(text: str) -> None:
    tokens = tokenize(text)
    covered = [False] * len(text)
    last_end = 0
    for i in range(len(tokens)):
        start, end = tokens.starts[i], tokens.ends[i]
        assert last_end <= start < end
        assert not any(ch.isspace() for ch in text[start:end])
        assert is_boundary(text, start) or start == 0 or text[start - 1].isspace()
        for k in range(start, end):
            covered[k] = True
        last_end = end
    assert all(covered[k] or text[k].isspace() for k in range(len(text)))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 60), st.integers(0, 60))
def test_align_never_moves_an_edge(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    if start == end:
        return
    tokens = tokenize(text)
    found = tokens.align(start, end)
    if found.first is None or found.last is None:
        assert found.problem in ("edge_inside_token", "no_tokens")
        return
    first, last = tokens.starts[found.first], tokens.ends[found.last]
    assert start <= first and last <= end  # the tokens lie within the span
    assert text[start:first].isspace() or start == first
    assert text[last:end].isspace() or last == end
    assert (found.problem == "whitespace_edge") == ((first, last) != (start, end))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_fast_boundary_check_agrees_with_is_boundary(text: str) -> None:
    """``span_fits`` (the importer's and the exports' form) skips the Unicode lookup below
    U+0300; at every offset it must still say what ``is_boundary`` says."""
    n = len(text)
    for i in range(1, n):
        assert span_fits(text, 0, i) == is_boundary(text, i), i
        assert span_fits(text, i, n) == is_boundary(text, i), i
