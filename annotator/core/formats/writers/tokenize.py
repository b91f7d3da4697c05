"""The one tokenizer behind every token-based format (prodigy, spacy, conll).

Tokens are runs of word characters, or single other characters; white space is never part of a
token. A mark or joiner continues the token before it, so a token never starts or ends where a
span may not. Spans are aligned to tokens, never the reverse: a span edge inside a token is
reported by ``align``, not moved.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any

from annotator.core.formats.writers import tokenize_numpy

NAME = "annotator-words-v1"
DESCRIPTION = (
    "runs of word characters (letters, digits, _ and their combining marks), or single other "
    "characters; white space separates tokens and is never part of one (Prodigy tasks also "
    "hold the white space beyond one space as tokens of their own, as spaCy does)"
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SPLIT = re.compile(r"(\w+|[^\w\s])")  # white space, token, white space, ..., white space
_WORD = re.compile(r"\w")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
_SPAN = re.Match.span
# White space runs that are not one plain space after a token: the covering's own tokens.
_ODD_SPACE = re.compile(r"\s\s+|[^\S ]|\A ")


def _continues(ch: str) -> bool:
    return ch in _JOINERS or unicodedata.category(ch)[0] == "M" or "\udc00" <= ch <= "\udfff"


@dataclass(frozen=True)
class Tokens:
    """A text's tokens as parallel lists of start and end offsets."""

    text: str
    starts: list[int]
    ends: list[int]
    # The same offsets as numpy arrays, when numpy made them (for the spaCy writer).
    arrays: Any = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.starts)

    def text_of(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    @cached_property
    def words(self) -> list[str]:
        """Every token's text, in order: cut once, shared by each annotator's record."""
        text = self.text
        if self.arrays is not None:  # numpy made the tokens: it cuts them out too
            return tokenize_numpy.cut(text, *self.arrays)
        return [text[s:e] for s, e in zip(self.starts, self.ends, strict=True)]

    def followed_by_space(self, i: int) -> bool:
        end = self.ends[i]
        return end < len(self.text) and self.text[end].isspace()

    def align(self, start: int, end: int) -> Alignment:
        """The tokens a span covers, or why its edges do not fall between tokens."""
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        inside_start = first < len(self) and self.starts[first] < start
        inside_end = last >= 0 and self.ends[last] > end
        if inside_start or inside_end:
            which = []
            if inside_start:
                which.append(f"start {start} falls inside token {self.text_of(first)!r}")
            if inside_end:
                which.append(f"end {end} falls inside token {self.text_of(last)!r}")
            return Alignment(None, None, "edge_inside_token", "; ".join(which))
        if first > last:
            return Alignment(None, None, "no_tokens", "covers only white space")
        if self.starts[first] != start or self.ends[last] != end:
            return Alignment(first, last, "whitespace_edge", "white space at an edge left out")
        return Alignment(first, last)


@dataclass(frozen=True)
class Alignment:
    """Inclusive token indices (``None`` if the span cannot be placed), and any problem.

    ``problem`` is a kind of ``problems.KINDS``: set whenever the tokens do not cover exactly
    the span's characters.
    """

    first: int | None
    last: int | None
    problem: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.first is not None


def _joins(text: str, prev_start: int, start: int) -> bool:
    """Whether the token at ``start`` continues the one just before it (no space between)."""
    if _continues(text[start]):
        return True
    before = text[start - 1]
    if before == "\u200d":  # a zero-width joiner binds whatever follows (emoji sequences)
        return True
    # A word resumes after a combining mark inside it: "x\u0301y" is one word.
    return (
        _continues(before)
        and _WORD.match(text, start) is not None
        and (_WORD.match(text, prev_start) is not None)
    )


def tokenize(text: str) -> Tokens:
    """The text's tokens: with numpy where no token can join the next (the spaCy writer then
    takes the arrays too), else by one split where none can, else the regex loop."""
    arrays = tokenize_numpy.bounds(text, _continues)
    if arrays is not None:
        return Tokens(text, arrays[0].tolist(), arrays[1].tolist(), arrays)
    if text.isascii() or not any(map(_continues, set(text))):
        # No mark or joiner anywhere, so no token continues another: the common case, done
        # without a Python step per token. Splitting keeps the white space between tokens, so
        # the running sum of the pieces' lengths gives every start and end.
        pieces = _SPLIT.split(text)
        bounds = list(accumulate(map(len, pieces)))
        tokens = Tokens(text, bounds[0:-1:2], bounds[1::2])
        tokens.__dict__["words"] = pieces[1::2]  # the cached property, already known
        return tokens
    return tokenize_loop(text)


def tokenize_loop(text: str) -> Tokens:
    """The reference: regex matches, joined where a mark or joiner continues a token."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in map(_SPAN, _TOKEN.finditer(text)):
        if ends and ends[-1] == start and _joins(text, starts[-1], start):
            ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return Tokens(text, starts, ends)


@dataclass(frozen=True)
class Covering:
    """Tokens that cover the whole text, with spaCy's whitespace convention.

    One plain space after a token is its ``ws`` flag; any other white space (newlines, tabs,
    NBSP, U+2028, a second space, white space at the very start) is a token of its own with
    ``ws`` false, as ``spacy.blank(...)`` makes it. So ``"".join(text + " " * ws)`` is the text,
    and ``Doc(vocab, words, spaces)`` rebuilds it: what Prodigy and spaCy do with a task.
    ``index[i]`` is where word token ``i`` of the shared ``Tokens`` sits here.
    """

    text: str
    starts: list[int]
    ends: list[int]
    ws: list[bool]
    index: list[int]

    def __len__(self) -> int:
        return len(self.starts)

    def text_of(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]


def covering(tokens: Tokens) -> Covering:
    """The shared word tokens with the white space between them made tokens where spaCy would.

    The white space between tokens is exactly the text's runs of white space: a run that is one
    plain space after a token is that token's ``ws``; every other run is a token (less a plain
    space it starts with after a token). Where numpy made the tokens, a few array operations
    find them (``tokenize_numpy.cover``, shared with the spaCy writer); else those few are found
    by one regex and merged in, so the cost per word token is a slice, not a loop step.
    """
    if tokens.arrays is not None:  # numpy made the tokens: it makes the covering too
        arrays = tokenize_numpy.cover(tokens.text, *tokens.arrays)
        return Covering(tokens.text, *(a.tolist() for a in arrays))
    text, word_starts, word_ends = tokens.text, tokens.starts, tokens.ends
    size = len(text)
    word_ws = [e < size and text[e] == " " for e in word_ends]
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []
    index: list[int] = []
    done = 0  # word tokens merged so far

    def words_up_to(at: int) -> None:
        index.extend(range(len(starts), len(starts) + at - done))
        starts.extend(word_starts[done:at])
        ends.extend(word_ends[done:at])
        ws.extend(word_ws[done:at])

    for match in _ODD_SPACE.finditer(text):
        a, b = match.span()
        if a and text[a] == " ":  # one plain space belongs to the token before
            a += 1
        at = bisect_left(word_starts, a, done)
        words_up_to(at)
        done = at
        starts.append(a)
        ends.append(b)
        ws.append(False)
    words_up_to(len(word_starts))
    return Covering(text, starts, ends, ws, index)
