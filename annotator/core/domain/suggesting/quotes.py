"""Quotations in a paragraph: where each outermost quote opens and closes.

News mixes typographic quotes (“ ” and ‘ ’, either as the outer pair) with straight ones ("),
nests ‘…’ inside “…”, and uses ’ as an apostrophe (Korvath’s, don’t). Only outermost quotes are
returned: a nested quote is part of the statement around it, never one of its own. One pass
over the quote characters of the paragraph, so a long text costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

_MARKS = re.compile(r"[“”‘’\"]")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")


@dataclass(frozen=True)
class Quote:
    start: int  # the opening mark
    end: int  # just after the closing mark
    mark: str  # the opening mark: “ ‘ or "

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, self.end - 1


def _wordish(ch: str) -> bool:
    return ch.isalnum()


def find_quotes(text: str, start: int, end: int) -> list[Quote]:
    """The outermost closed quotes in ``text[start:end]`` (one paragraph), in order.

    A quote left open at the end of the paragraph is dropped: a paragraph's stray mark must not
    swallow the rest of the article.
    """
    found: list[Quote] = []
    stack: list[tuple[str, int]] = []  # open marks, innermost last
    for match in _MARKS.finditer(text, start, end):
        mark, at = match.group(), match.start()
        before = text[at - 1] if at > start else " "
        after = text[at + 1] if at + 1 < end else " "
        if mark == "“":
            stack.append((mark, at))
        elif mark == "”":
            _close(stack, "“", at, found)
        elif mark == "‘":
            if not _wordish(before):
                stack.append((mark, at))
        elif mark == "’":
            if _wordish(before) and _wordish(after):
                continue  # an apostrophe: Korvath’s, don’t
            if any(m == "‘" for m, _ in stack):
                _close(stack, "‘", at, found)
        elif any(m == '"' for m, _ in stack):
            _close(stack, '"', at, found)
        elif not after.isspace():
            stack.append((mark, at))
    return found


def _close(stack: list[tuple[str, int]], opener: str, at: int, found: list[Quote]) -> None:
    """Close the innermost ``opener``; record it when no double quote encloses it.

    Marks opened after it and never closed are dropped with it. A single-quoted pair counts as
    outermost only when no double quote is open around it, and a double-quoted pair is outermost
    even inside a stray ‘ (double quotes are the outer pair in English news).
    """
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == opener:
            begin = stack[i][1]
            del stack[i:]
            doubles_open = any(m in '“"' for m, _ in stack)
            if not doubles_open and (opener != "‘" or not stack):
                found.append(Quote(begin, at + 1, opener))
                if opener != "‘":
                    stack.clear()
            return


def word_count(text: str, start: int, end: int, limit: int = 50) -> int:
    """Words between two offsets (hyphenated and apostrophe words count once), counted up to
    ``limit`` only: callers compare with small numbers, and a long range must stay cheap."""
    return sum(1 for _ in islice(_WORD.finditer(text, start, end), limit))
