"""The paragraphs of a scraped article, and which of them are the article's prose.

Scraped pages carry headlines (often twice), site lines, bylines, photo captions (often twice),
"Read more" and "Recent Posts" lists. Annotators mark none of them, so an engine looks for
statements in prose paragraphs, and elsewhere only for a quote with its own reporting clause.
A paragraph longer than ``MAX_BLOCK`` is cut at sentence ends, so work (and checks for
cancellation) stays in small pieces even in a text with no line breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

MAX_BLOCK = 4000
MAX_HEADLINE = 300  # a longer first line is prose that lacks a final full stop
_LINE = re.compile(r"[^\n]+")
_PROSE_END = re.compile(r"[.!?…][”’\"»)\]]*\s*\Z")
_SENTENCE_BREAK = re.compile(r"[.!?…][”’\"»]*\s+")
_BOILERPLATE = re.compile(
    r"(?:photo|image|picture|handout|credit|caption|©|copyright|by\s|read more|related|"
    r"more on|tags:|\(reporting|\(editing|reporting by|editing by|sponsored|advertisement|"
    r"recent posts|join |sign up|subscribe|comments|log in|share)",
    re.IGNORECASE,
)
_AGO = re.compile(r"\b\d+\s+(?:minute|hour|day|week|month)s?\s+ago\b", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    prose: bool  # article prose, where any statement may be; else only cued quotes
    headline: bool  # the first line (or a repeat of it) when no sentence: never a statement


def blocks(text: str) -> Iterator[Block]:
    """The paragraphs (lines) of ``text`` in order, long ones cut at sentence ends."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    counts = Counter(text[s:e].strip() for s, e in lines if e - s < 500)
    headline = ""
    for s, e in lines:
        line = text[s:e].strip()
        if not line:
            continue
        if not headline:
            # the first line is the headline unless it reads as a sentence (a text of prose)
            short = len(line) <= MAX_HEADLINE
            headline = line if short and not _PROSE_END.search(line) else "\0"
        is_headline = line == headline
        prose = not is_headline and counts.get(line, 1) == 1 and _is_prose(line)
        for bs, be in _pieces(text, s, e):
            yield Block(bs, be, prose, is_headline)


def _is_prose(line: str) -> bool:
    """Prose ends like a sentence and is no byline, caption, list item or site line."""
    if not _PROSE_END.search(line) or len(line.split()) < 5:
        return False
    return not _BOILERPLATE.match(line) and not _AGO.search(line)


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``[start, end)`` cut at sentence ends into pieces of about ``MAX_BLOCK`` at most."""
    while end - start > MAX_BLOCK:
        cut = None
        for match in _SENTENCE_BREAK.finditer(text, start + MAX_BLOCK // 2, start + MAX_BLOCK):
            cut = match.end()
        if cut is None:
            cut = start + MAX_BLOCK
        yield start, cut
        start = cut
    yield start, end
