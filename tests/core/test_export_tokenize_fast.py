"""The fast tokenizer, covering and sentence starts give what the plain step-by-step versions
(kept here as the reference) give, on text as scraped news has it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.text import sentence_bounds
from annotator.core.formats.writers.documents import ExportDocument
from annotator.core.formats.writers.tokenize import Tokens, _joins, covering, tokenize
from annotator.core.formats.writers.units import Prepared
from tests.core.reference_sentences import reference_sentence_starts
from tests.core.test_export_tokenize import TEXTS

# Spaces in every arrangement the covering treats apart: runs, leading, trailing, odd kinds.
SPACED = st.lists(
    st.sampled_from([*"ab .\u0301\u200d", " ", "  ", "\n", "\u00a0", " \n"]), max_size=20
).map("".join)


def reference_tokenize(text: str) -> tuple[list[int], list[int]]:
    import re

    starts: list[int] = []
    ends: list[int] = []
    for match in re.finditer(r"\w+|[^\w\s]", text):
        start, end = match.span()
        if ends and ends[-1] == start and _joins(text, starts[-1], start):
            ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def reference_covering(tokens: Tokens) -> tuple[list[int], list[int], list[bool], list[int]]:
    text = tokens.text
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []
    index: list[int] = []
    pos = 0
    for i in range(len(tokens) + 1):
        gap_end = tokens.starts[i] if i < len(tokens) else len(text)
        if pos < gap_end:
            if ws and text[pos] == " ":
                ws[-1] = True
                pos += 1
            if pos < gap_end:
                starts.append(pos)
                ends.append(gap_end)
                ws.append(False)
        if i < len(tokens):
            index.append(len(starts))
            starts.append(tokens.starts[i])
            ends.append(tokens.ends[i])
            ws.append(False)
            pos = tokens.ends[i]
    return starts, ends, ws, index


def prepared(text: str) -> Prepared:
    return Prepared(ExportDocument(1, "d", "t", text, None, None, None, {}, ""))


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, SPACED))
def test_fast_tokens_covering_and_sentences_match_the_reference(text: str) -> None:
    tokens = tokenize(text)
    assert (tokens.starts, tokens.ends) == reference_tokenize(text)
    assert tokens.words == [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    cover = covering(tokens)
    assert (cover.starts, cover.ends, cover.ws, cover.index) == reference_covering(tokens)
    rebuilt = "".join(cover.text_of(i) + " " * cover.ws[i] for i in range(len(cover)))
    assert rebuilt == text
    assert prepared(text).sentence_firsts.tolist() == sorted(reference_sentence_starts(tokens))


def test_a_long_plain_text_takes_the_fast_path_and_agrees() -> None:
    text = "The minister said.  Drones\n\nwere shipped ,  twice. " * 50
    tokens = tokenize(text)
    assert (tokens.starts, tokens.ends) == reference_tokenize(text)
    cover = covering(tokens)
    assert (cover.starts, cover.ends, cover.ws, cover.index) == reference_covering(tokens)


def reference_abbreviation(text: str, dot: int) -> bool:
    import re

    from annotator.core.domain.text import _BEFORE_NUMBERS, _TITLES

    found = re.compile(r"(?<![\w.])(\w+(?:\.\w+)*)\Z").search(text, max(0, dot - 24), dot)
    if found is None:
        return False
    word = found.group(1).lower()
    if word in _TITLES or "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word in _BEFORE_NUMBERS:
        return text[dot + 1 : dot + 4].lstrip()[:1].isdigit()
    return False


WORDS = st.sampled_from(["Gen", "gen", "U", "S", "Dec", "No", "said", "x_y", "Yılmaz", "a1", "é"])
ABBREVIATED = st.lists(
    st.one_of(WORDS, st.sampled_from([".", " ", "  ", "\n", "5", " 29", "-", "“", "a" * 30])),
    max_size=25,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(ABBREVIATED)
def test_the_quick_abbreviation_check_agrees_with_the_regex(text: str) -> None:
    from annotator.core.domain.text import _abbreviation

    for dot, ch in enumerate(text):
        if ch == ".":
            assert _abbreviation(text, dot, text[::-1]) == reference_abbreviation(text, dot), (
                text,
                dot,
            )


def reference_context_window(
    sentences: list[tuple[int, int]], start: int, end: int, extra: int
) -> tuple[int, int]:
    if not sentences:
        return start, end
    hit = [i for i, (s, e) in enumerate(sentences) if s < end and e > start]
    if not hit:
        return start, end
    first = max(0, hit[0] - extra)
    last = min(len(sentences) - 1, hit[-1] + extra)
    return min(sentences[first][0], start), max(sentences[last][1], end)


@settings(max_examples=300, deadline=None)
@given(ABBREVIATED, st.integers(0, 80), st.integers(1, 20), st.integers(0, 2))
def test_the_context_window_by_bisection_agrees_with_the_scan(
    text: str, start: int, length: int, extra: int
) -> None:
    from annotator.core.domain.text import context_window

    sentences = sentence_bounds(text)
    end = min(start + length, len(text))
    start = min(start, end)
    assert context_window(sentences, start, end, extra) == reference_context_window(
        sentences, start, end, extra
    )
