"""``sentence_bounds`` gives what a plain character-by-character splitter gives.

The splitter rules out nearly every full stop with one anchored regex match (``text.py``'s
``_MAYBE_ABBREVIATION``) before the abbreviation check; held here to a reference that walks
the text one character at a time, on the demo corpus and on generated text full of
abbreviations, ellipses, quotes and line breaks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.text import _BEFORE_NUMBERS, _TITLES, normalise, sentence_bounds

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
MARKS = ".!?…"
CLOSERS = "\"'”’»)]"


def is_word(ch: str) -> bool:
    """``\\w`` of a str pattern: alphanumeric or the underscore."""
    return ch.isalnum() or ch == "_"


def word_before(text: str, dot: int) -> str | None:
    """The whole run of word characters and full stops before ``dot``, if it is a word with
    single full stops inside ("U.S", "Gen") of 24 characters at most."""
    start = dot
    while start > 0 and (is_word(text[start - 1]) or text[start - 1] == "."):
        start -= 1
    run = text[start:dot]
    if not 1 <= len(run) <= 24:
        return None
    parts = run.split(".")
    if all(part and all(map(is_word, part)) for part in parts):
        return run
    return None


def closes_abbreviation(text: str, dot: int) -> bool:
    found = word_before(text, dot)
    if found is None:
        return False
    word = found.lower()
    if word in _TITLES or "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word in _BEFORE_NUMBERS:
        return text[dot + 1 : dot + 4].lstrip()[:1].isdigit()
    return False


def reference_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence ends found by walking the text: a run of line breaks, or a run of ``MARKS``
    and then of ``CLOSERS`` before white space, unless it is a lone full stop after an
    abbreviation or a lone ellipsis before a lower-case letter."""
    bounds: list[tuple[int, int]] = []
    n = len(text)

    def add(start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            bounds.append((start, end))

    pos = i = 0
    while i < n:
        if text[i] == "\n":
            j = i
            while j < n and text[j] == "\n":
                j += 1
            add(pos, i)
            pos = i = j
            continue
        if text[i] not in MARKS:
            i += 1
            continue
        j = i
        while j < n and text[j] in MARKS:
            j += 1
        k = j
        while k < n and text[k] in CLOSERS:
            k += 1
        if k == n or not text[k].isspace():
            i += 1
            continue
        mark = text[i:k]
        pause = mark in ("…", "...") and text[k : k + 2].strip()[:1].islower()
        if not pause and not (mark == "." and closes_abbreviation(text, i)):
            add(pos, k)
            pos = k
        i = k
    add(pos, n)
    return bounds


def demo_texts() -> list[str]:
    texts = []
    for path in sorted(DEMO.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(normalise(json.loads(line)["text"]))
    return texts


def test_the_demo_corpus_splits_as_the_reference_splits_it() -> None:
    texts = demo_texts()
    assert texts
    for text in texts:
        assert sentence_bounds(text) == reference_bounds(text)


PIECES = st.sampled_from(
    [
        *(
            "Gen.",
            "gen.",
            "GEN.",
            "U.S.",
            "u.s.a.",
            "Dec.",
            "Dec. 29",
            "No. 5",
            "No.",
            "nos.",
            "p.",
        ),
        *("Lt.Col.", "Messrs.", "approx.", "Fig.", "e.g.", "i.e.", "J.", "x.", "İ.", "K."),
        *("ſt.", "Kr.", "_.", "9.", "a.b", ".b", "..", "...", "…", ". . .", "?!", "!.", "?”"),
        *("said.", "forces.", "x" * 24 + ".", "x" * 25 + ".", "a.b.c.d.e.f.g.h.i.j.k.l."),
        *(" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "\u2009", "\u0301"),
        *('"', "'", "“", "”", "’", "»", ")", "]", "(", "word", "Word", "what", "29", "²", "٣"),
    ]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_text_full_of_abbreviations_splits_as_the_reference_splits_it(text: str) -> None:
    assert sentence_bounds(text) == reference_bounds(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('aB.İK…?!"” \n\t\u00a0_9'), max_size=60))
def test_any_mix_of_marks_splits_as_the_reference_splits_it(text: str) -> None:
    assert sentence_bounds(text) == reference_bounds(text)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Gen. Yılmaz left. He came back.", ["Gen. Yılmaz left.", "He came back."]),
        (
            "On Dec. 29 it rained. In Dec. It snowed.",
            ["On Dec. 29 it rained.", "In Dec.", "It snowed."],
        ),
        ("The U.S. Army said so … then left.", ["The U.S. Army said so … then left."]),
        ("Wait... What?\nNo. 5 won.", ["Wait...", "What?", "No. 5 won."]),
    ],
)
def test_the_reference_splits_as_a_reader_would(text: str, sentences: list[str]) -> None:
    """The reference itself, on sentences whose split a reader knows."""
    assert [text[s:e] for s, e in reference_bounds(text)] == sentences
    assert [text[s:e] for s, e in sentence_bounds(text)] == sentences
