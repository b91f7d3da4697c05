"""Text rules shared by import, the store and export: normalisation, hashing, boundaries.

Offsets everywhere in the core are Python string indices (Unicode code points) into the stored
text, which is normalised once on import and never changes after.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from operator import itemgetter

_WORD_CHAR = re.compile(r"\w", re.UNICODE)
# A sentence ends at . ! ? … (possibly followed by closing quotes or brackets) before
# whitespace, or at a line break: ``[.!?…]+["'”’»)\]]*(?=\s)|\n+``, written to begin with one
# character set, which lets the regex engine skip every other character at C speed.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])[.!?…]*[\"'”’»)\]]*(?=\s))")
# The word before a full stop: "Gen", "U.S", "Lt". Matched backwards on the reversed text:
# the run of word characters and full stops before the stop (25 means longer than a word).
_RUN_BEFORE = re.compile(r"[\w.]{0,25}")
_WORD_DOTS = re.compile(r"\w+(?:\.\w+)*")
# Titles and ranks come before a name, so a full stop after them never ends a sentence.
_TITLE_WORDS = """
adm amb brig capt cdr cmdr col cols cpl dr fr gen gens gov hon jr lt lts maj messrs mr mrs ms mt
pres prof pvt rep rev sec sen sgt sr st supt vadm vs cf fig figs vol approx dept univ
"""
_TITLES = frozenset(_TITLE_WORDS.split())
# Months and numbering abbreviations end a sentence unless a number follows ("Dec. 29").
_NUMBER_WORDS = "jan feb mar apr jun jul aug sep sept oct nov dec no nos nr art para pp p ch"
_BEFORE_NUMBERS = frozenset(_NUMBER_WORDS.split())
_START_OF, _END_OF = itemgetter(0), itemgetter(1)


def normalise(text: str) -> str:
    """Line endings to ``\\n``, Unicode NFC, no byte-order mark. Applied once, on import."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def content_hash(text: str) -> str:
    """The identity of a document's text, used to refuse duplicates and detect changes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_boundary(text: str, index: int) -> bool:
    """True if a span may start or end at ``index``: not inside a combining sequence."""
    if index <= 0 or index >= len(text):
        return 0 <= index <= len(text)
    ch = text[index]
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f\ufe0e":
        return False
    # Lone surrogates only reach here from broken input; never split next to one.
    return not ("\udc00" <= ch <= "\udfff")


def is_word_char(ch: str) -> bool:
    return bool(_WORD_CHAR.match(ch)) or unicodedata.combining(ch) > 0


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a selection to whole words and trim surrounding white space.

    Selecting from the middle of "missile" to the middle of "forces" gives "missile forces".
    A selection of only white space or punctuation is returned trimmed, never widened.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    if is_word_char(text[start]):
        while start > 0 and is_word_char(text[start - 1]):
            start -= 1
    if is_word_char(text[end - 1]):
        while end < len(text) and is_word_char(text[end]):
            end += 1
    return start, end


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """Exact-character snapping still drops white space at either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _word_before(text: str, rev: str, dot: int) -> str | None:
    """The word that ends at the full stop ``dot`` ("Gen", "U.S"), or None.

    A word is word characters with single full stops between them, neither just before it, 24
    characters at most. ``rev`` is ``text[::-1]``: the run before the stop is one anchored
    match there, where a search back through the text tried every start.
    """
    at = len(text) - dot
    found = _RUN_BEFORE.match(rev, at)  # always matches, if only the empty string
    run = found.end() - at if found else 0
    if not run or run > 24:
        return None
    start = dot - run
    return text[start:dot] if _WORD_DOTS.fullmatch(text, start, dot) else None


def _abbreviation(text: str, dot: int, rev: str) -> bool:
    """Whether the full stop at ``dot`` closes an abbreviation rather than a sentence.

    Titles ("Gen.", "Lt. Col."), initials and initialisms ("U.S.", "J.") never end one;
    months and "No." do not before a number ("Dec. 29", "No. 5").
    """
    found = _word_before(text, rev, dot)
    if found is None:
        return False
    word = found.lower()
    if word in _TITLES or "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word in _BEFORE_NUMBERS:
        rest = text[dot + 1 : dot + 4].lstrip()
        return rest[:1].isdigit()
    return False


def _trie(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` sharing prefixes: ``sen|sec`` as ``se(?:c|n)``, which
    the regex engine tries a character at a time instead of word by word."""
    heads: dict[str, list[str]] = {}
    for word in words:
        heads.setdefault(word[:1], []).append(word[1:])
    branches = [re.escape(head) + _trie(rest) for head, rest in sorted(heads.items()) if head]
    if not branches:
        return ""
    return "(?:" + "|".join(branches) + ")" + ("?" if "" in heads else "")


# A full stop that may close an abbreviation, matched on the reversed text at the stop (the
# word before it comes after it there): white space after the stop and, before it, a whole run
# of word characters and full stops that is one character, has a full stop inside, or is a
# listed word in any case. A superset, checked by ``_abbreviation`` where it matches: one
# anchored match rules out nearly every full stop, with no Python step.
_LISTED_REVERSED = _trie(word[::-1] for word in _TITLES | _BEFORE_NUMBERS)
_MAYBE_ABBREVIATION = re.compile(rf"\.(?<=\s.)(?:(?i:{_LISTED_REVERSED})|\w(?:\w*\.\w+)*)(?![\w.])")


def _pause(text: str, start: int, end: int) -> bool:
    """A lone ellipsis before a lower-case word ("ambitious … what matters"): not an end."""
    if text[start:end] not in ("…", "..."):
        return False
    return text[end : end + 2].strip()[:1].islower()


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Split text into sentences as (start, end) offsets, white space excluded.

    A full stop after an abbreviation ("Gen. Mehmet Yılmaz", "Dec. 29") is not an end.
    """
    bounds: list[tuple[int, int]] = []
    rev = text[::-1]
    maybe_abbreviation, last = _MAYBE_ABBREVIATION.match, len(text) - 1
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        start, end = match.span()
        first = text[start]
        if first == "\n":
            s, e = trim_whitespace(text, pos, start)
            if s < e:
                bounds.append((s, e))
            pos = end
            continue
        if end - start == 1 and first == ".":
            if maybe_abbreviation(rev, last - start) and _abbreviation(text, start, rev):
                continue
        elif _pause(text, start, end):
            continue
        while text[pos].isspace():  # the mark is no white space: the sentence is never empty
            pos += 1
        bounds.append((pos, end))
        pos = end
    s, e = trim_whitespace(text, pos, len(text))
    if s < e:
        bounds.append((s, e))
    return bounds


def context_window(
    sentences: list[tuple[int, int]], start: int, end: int, extra: int
) -> tuple[int, int]:
    """The sentences overlapping [start, end) plus ``extra`` sentences either side.

    ``sentences`` are in text order and do not overlap (as ``sentence_bounds`` gives them), so
    the ones overlapping the span are a run found by bisection, not by a scan per span.
    """
    if not sentences:
        return start, end
    first_hit = bisect_right(sentences, start, key=_END_OF)  # the first ending after start
    last_hit = bisect_left(sentences, end, key=_START_OF) - 1  # the last starting before end
    if first_hit > last_hit:
        return start, end
    first = max(0, first_hit - extra)
    last = min(len(sentences) - 1, last_hit + extra)
    return min(sentences[first][0], start), max(sentences[last][1], end)
