"""The shared tokenizer's token offsets computed with numpy, when numpy is installed.

Every token-based export tokenizes every text; the regex loop of ``tokenize.py`` costs a Python
step per token (most of a million-span spaCy export). Here each character is classed (white
space, word, other) in one array pass and tokens are where the class changes: the same offsets,
five times faster. Only for texts where no token can continue the one before it (no combining
mark, joiner or lone low surrogate): there the loop decides, since joining needs context.
numpy comes with spaCy; without it ``bounds`` returns None and the loop runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import chain
from typing import Any

SPACE, WORD, OTHER = 0, 1, 2
_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")


def char_class(ch: str) -> int:
    """``\\w`` is WORD, ``\\s`` SPACE, anything else a one-character token (OTHER)."""
    if _WORD.match(ch):
        return WORD
    return SPACE if _SPACE.match(ch) else OTHER


@cache
def _numpy() -> Any:
    """numpy, imported at the first text (not when the command line starts), or None."""
    try:
        import numpy
    except ImportError:  # numpy comes with spaCy, not with annotator itself
        return None
    return numpy


@cache
def _ascii() -> Any:
    return _numpy().array([char_class(chr(i)) for i in range(128)], dtype=_numpy().uint8)


def codes_of(text: str) -> Any:
    """The text's code points as a numpy array (lone surrogates kept as they are)."""
    numpy = _numpy()
    return numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)


def classes(text: str, codes: Any, continues: Any) -> Any:
    """Each character's class, or None if one of them continues a token (``continues``)."""
    numpy, ascii_classes = _numpy(), _ascii()
    if text.isascii():
        return ascii_classes[codes]
    high = codes >= 128
    found = numpy.unique(codes[high])
    kinds = []
    for code in found.tolist():
        ch = chr(code)
        if continues(ch):
            return None
        kinds.append(char_class(ch))
    out = ascii_classes[numpy.where(high, 0, codes)]
    out[high] = numpy.array(kinds, dtype=out.dtype)[numpy.searchsorted(found, codes[high])]
    return out


def bounds(text: str, continues: Any) -> tuple[Any, Any] | None:
    """Token (starts, ends) arrays as ``tokenize`` gives them, or None where the loop decides."""
    numpy = _numpy()
    if numpy is None or not text:
        return None
    cls = classes(text, codes_of(text), continues)
    if cls is None:
        return None
    word = cls == WORD
    other = cls == OTHER
    before = numpy.zeros_like(word)
    before[1:] = word[:-1]
    after = numpy.zeros_like(word)
    after[:-1] = word[1:]
    starts = numpy.flatnonzero(other | (word & ~before))
    ends = numpy.flatnonzero(other | (word & ~after)) + 1
    return starts, ends


def cover(text: str, starts: Any, ends: Any) -> tuple[Any, Any, Any, Any]:
    """``tokenize.covering`` as arrays (starts, ends, ws, index), from the token arrays.

    The white space after each token is its ``ws`` when it begins with a plain space; what is
    left of it, if anything, is a token of its own (as is white space before the first token).
    """
    numpy = _numpy()
    n, size = len(starts), len(text)
    following = numpy.empty(n, dtype=numpy.int64)  # where the white space after a token ends
    following[:-1] = starts[1:]
    following[-1:] = size
    spaced = following > ends
    spaced[spaced] = codes_of(text)[ends[spaced]] == 32
    rest = ends + spaced  # where a white-space token after the token starts, if any
    loose = following > rest
    lead = 1 if (int(starts[0]) if n else size) > 0 else 0
    index = numpy.arange(lead, n + lead, dtype=numpy.int64)
    index[1:] += numpy.cumsum(loose[:-1])
    width = n + lead + int(numpy.count_nonzero(loose))
    out_starts = numpy.empty(width, dtype=numpy.int64)
    out_ends = numpy.empty(width, dtype=numpy.int64)
    ws = numpy.zeros(width, dtype=bool)
    out_starts[index], out_ends[index], ws[index] = starts, ends, spaced
    gaps = index[loose] + 1
    out_starts[gaps], out_ends[gaps] = rest[loose], following[loose]
    if lead:
        out_starts[0], out_ends[0] = 0, (int(starts[0]) if n else size)
    return out_starts, out_ends, ws, index


def cut(text: str, starts: Any, ends: Any) -> list[str]:
    """``[text[s:e] for s, e in zip(starts, ends)]`` for ordered, non-overlapping pieces.

    A slice each was a Python step per word of every document; here the pieces' characters are
    gathered with a separator after each, decoded once and split, which makes the strings in C.
    The separator is NUL, so a text holding one is cut a slice at a time.
    """
    numpy = _numpy()
    if not len(starts) or "\x00" in text:
        return list(map(text.__getitem__, map(slice, starts.tolist(), ends.tolist())))
    if text.isascii():
        encoding, codes = "ascii", numpy.frombuffer(text.encode("ascii") + b"\0", numpy.uint8)
    else:
        encoding, codes = "utf-32-le", codes_of(text + "\x00")
    block = ends - starts + 1  # each piece and the separator after it
    at = numpy.cumsum(block) - block  # where each block begins in the gathered characters
    gathered = codes[numpy.arange(int(at[-1] + block[-1])) + numpy.repeat(starts - at, block)]
    gathered[at + block - 1] = 0
    return gathered[:-1].tobytes().decode(encoding, "surrogatepass").split("\x00")


def token_arrays(tokens: Any) -> tuple[Any, Any]:
    """Token starts and ends as numpy arrays (those ``bounds`` made, when it made the tokens).

    ``tokens``: a ``tokenize.Tokens``.
    """
    if tokens.arrays is not None:
        return tokens.arrays
    numpy = _numpy()
    return numpy.array(tokens.starts, dtype=numpy.int64), numpy.array(tokens.ends, numpy.int64)


def sentence_firsts(starts: Any, sentences: Sequence[tuple[int, int]]) -> Any:
    """The first token of each sentence that holds one, in order, as an array: from one
    ``searchsorted`` instead of a bisection per sentence.

    ``starts``: the token starts as an array; ``sentences``: ``sentence_bounds`` of the text.
    """
    numpy = _numpy()
    if not sentences or not len(starts):
        return numpy.zeros(0, dtype=numpy.int64)
    flat = chain.from_iterable(sentences)  # fromiter: half the time of array on tuples
    bounds = numpy.fromiter(flat, numpy.int64, 2 * len(sentences)).reshape(-1, 2)
    first = numpy.searchsorted(starts, bounds[:, 0])  # the first token at or after each start
    inside = first < len(starts)
    inside[inside] = starts[first[inside]] < bounds[inside, 1]
    return first[inside]
