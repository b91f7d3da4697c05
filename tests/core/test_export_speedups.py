"""The fast paths of the token exports give exactly what the plain code they replaced gave.

Issue 12 made the spaCy export several times faster by doing per-token work in numpy and in
the regex engine: the shared tokenizer classes characters with numpy, sentence ends are found
with a pattern that starts with a character set and an anchored match on the reversed text, and
``.spacy`` columns are compressed in parts on a worker thread. Each is held here to the code it
replaced, on text as hostile as scraped news.
"""

from __future__ import annotations

import io
import re
import tempfile
import zlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.text import (
    _BEFORE_NUMBERS,
    _TITLES,
    normalise,
    sentence_bounds,
    trim_whitespace,
)
from annotator.core.formats.writers import tokenize_numpy
from annotator.core.formats.writers.tokenize import _continues, tokenize, tokenize_loop
from annotator.core.formats.writers.zlib_parts import (
    Compressor,
    Part,
    adler32_combine,
    write_stream,
)

# Scraped news: words, digits, typographic punctuation, odd spaces, marks, joiners, emoji.
NEWS = st.sampled_from(
    [
        *"ab Zé9_-.,;:!?'\"“”‘’…()\n\t",
        *("\u00a0", "\u2009", "\u2028", "\u0301", "\u200d", "\ufe0f", "ı", "ß", "ق", "中"),
        *("🚀", "👩", "Gen. ", "U.S. ", "Dec. 29", "No. 5", "e.g. ", "...", "  "),
    ]
)
TEXTS = st.lists(NEWS, max_size=40).map("".join).map(normalise)
ANY_TEXT = st.one_of(TEXTS, st.text(max_size=60))

# -- sentence_bounds as it was: a search back from every full stop --

_OLD_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n+")
_OLD_WORD_BEFORE = re.compile(r"(?<![\w.])(\w+(?:\.\w+)*)\Z")


def old_abbreviation(text: str, dot: int) -> bool:
    found = _OLD_WORD_BEFORE.search(text, max(0, dot - 24), dot)
    if found is None:
        return False
    word = found.group(1).lower()
    if word in _TITLES or "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word in _BEFORE_NUMBERS:
        return text[dot + 1 : dot + 4].lstrip()[:1].isdigit()
    return False


def old_sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    pos = 0
    for match in _OLD_END.finditer(text):
        mark = match.group()
        if mark == "." and old_abbreviation(text, match.start()):
            continue
        if mark in ("…", "...") and text[match.end() : match.end() + 2].strip()[:1].islower():
            continue
        end = match.end() if match.group().strip() else match.start()
        s, e = trim_whitespace(text, pos, end)
        if s < e:
            bounds.append((s, e))
        pos = match.end()
    s, e = trim_whitespace(text, pos, len(text))
    if s < e:
        bounds.append((s, e))
    return bounds


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_sentence_bounds_are_those_of_the_search_back(text: str) -> None:
    assert sentence_bounds(text) == old_sentence_bounds(text)


def test_sentence_bounds_of_long_words_and_dotted_runs() -> None:
    for text in (
        "x" * 30 + ". Next one.",
        "a.b.c" * 6 + ". Next.",
        "He met Lt.Col. Aras. Then left.",
        ".b.c. Next.",
        "x..b. Next.",
        "Dec. 29 came. No. it did not. No. 5 did.",
        "ab. " * 10,
    ):
        assert sentence_bounds(text) == old_sentence_bounds(text), text


# -- the tokenizer --


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_numpy_tokens_are_those_of_the_loop(text: str) -> None:
    assert tokenize(text) == tokenize_loop(text)


def test_numpy_tokenizes_text_without_marks_and_leaves_marks_to_the_loop() -> None:
    assert tokenize_numpy.bounds("Gen. Yılmaz said “no” on 14\u00a0March 🚀.", _continues)
    assert tokenize_numpy.bounds("Q\u0301uarta", _continues) is None
    assert tokenize_numpy.bounds("👩\u200d🚀", _continues) is None
    assert tokenize("Q\u0301uarta and 👩\u200d🚀").starts == [0, 8, 12]


# -- one zlib stream from parts compressed apart --


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_adler32_of_two_parts_combines(first: bytes, second: bytes) -> None:
    combined = adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.binary(max_size=3000), max_size=6), max_size=5))
def test_a_stream_of_parts_decompresses_to_the_pieces_in_order(
    columns: list[list[bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        compressor = Compressor(1)
        parts = [Part(Path(tmp) / f"part{n}", compressor) for n in range(len(columns))]
        for row in range(max((len(c) for c in columns), default=0)):  # interleaved, as docs come
            for part, column in zip(parts, columns, strict=True):
                if row < len(column):
                    part.write(column[row])
        for part in parts:
            part.finish()
        compressor.wait()
        pieces: list[bytes | Part] = []
        for n, part in enumerate(parts):
            pieces += [f"<{n}>".encode(), part]
        out = io.BytesIO()
        write_stream(out, pieces, 1)
        compressor.shutdown()
        for part in parts:
            part.close()
    expected = b"".join(f"<{n}>".encode() + b"".join(c) for n, c in enumerate(columns))
    assert zlib.decompress(out.getvalue()) == expected


def test_a_part_larger_than_a_chunk_is_compressed_in_chunks(tmp_path: Path) -> None:
    compressor = Compressor(1)
    part = Part(tmp_path / "big", compressor)
    data = bytes(range(256)) * 9000  # over two chunks
    for start in range(0, len(data), 70_000):
        part.write(data[start : start + 70_000])
    part.finish()
    compressor.wait()
    out = io.BytesIO()
    write_stream(out, [b"head", part, b"tail"], 1)
    compressor.shutdown()
    part.close()
    assert zlib.decompress(out.getvalue()) == b"head" + data + b"tail"


# -- pieces of a text cut out at once --


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.lists(st.integers(0, 70), max_size=30))
def test_cut_gives_the_slices(text: str, edges: list[int]) -> None:
    import numpy

    points = sorted({min(e, len(text)) for e in edges})
    starts, ends = points[0:-1:2], points[1::2]  # ordered pieces, gaps between them
    got = tokenize_numpy.cut(text, numpy.array(starts, numpy.int64), numpy.array(ends, numpy.int64))
    assert got == [text[s:e] for s, e in zip(starts, ends, strict=True)]


def test_cut_slices_a_text_that_holds_its_separator() -> None:
    import numpy

    text = "a\x00b c\ud83d\ude80"
    starts, ends = numpy.array([0, 1, 2, 4, 5, 6]), numpy.array([1, 2, 3, 5, 6, 7])
    assert tokenize_numpy.cut(text, starts, ends) == ["a", "\x00", "b", "c", "\ud83d", "\ude80"]
    assert tokenize_numpy.cut(text.replace("\x00", "."), starts, ends)[4:] == ["\ud83d", "\ude80"]
