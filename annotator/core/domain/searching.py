"""Corpus search without a database: what is asked, how text matches, what a hit shows.

The service (``services/search.py``) narrows the documents and spans in SQL; everything whose
answer must be exact (a regular expression, accents, an attribute inside a list) is decided
here, on the text itself, so both databases give the same hits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.regex_prefilter import quick_search
from annotator.core.domain.rules import STATUSES

CONTEXT = 40  # characters of context shown on each side of a hit
MATCH_SHOWN = 160  # a longer hit (a whole statement) is shown as its head … its tail
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
# Letters NFD does not take apart but readers take for their plain letter.
_BASE_LETTERS = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i"}
_folded: dict[str, str] = {}


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Empty tuples mean "any"; every filter given must hold.

    Text alone finds each occurrence in the documents. A label, an attribute, a link or a layer
    makes the hits annotations instead: spans with that label, value and layer whose text holds
    ``text`` (when given). ``links`` are (name, text) pairs: the span must be linked, either
    way, to a span of that label, or be the source of a link of that name, whose far span's
    text holds ``text`` (``("SPEAKER", "Hatami")``: a statement said by Hatami);
    ``link_values`` are values one of its links (either way) must hold
    (``("stance_toward", "threatens")``). ``layers`` names annotators or "gold" /
    "suggestions"; left empty, every person's work is searched. ``statuses`` keeps documents a
    searched layer has in one of them ("new": never opened).
    """

    text: str = ""
    regex: bool = False
    ignore_case: bool = True
    ignore_accents: bool = False
    labels: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    layers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    link_values: tuple[tuple[str, str], ...] = ()

    @property
    def annotations(self) -> bool:
        """Whether hits are spans (a label, attribute, link or layer was asked for)."""
        return bool(self.labels or self.attributes or self.layers or self.links or self.link_values)

    def check(self) -> None:
        """Refuse a query that cannot run, before any database work."""
        if not self.text and not self.annotations:
            raise ValidationError(
                "nothing to search for: give text, a label, a value, a link or a layer"
            )
        for status in self.statuses:
            if status not in STATUSES:
                raise ValidationError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        if self.text:
            TextMatcher(self)
        for name, text in self.links:
            if not name or not text.strip():
                raise ValidationError(f"a link filter needs a name and a text, not {name}:{text}")

    def link_matcher(self, text: str) -> TextMatcher:
        """Finds a link filter's text in a linked span, case and accents as this query asks."""
        return TextMatcher(
            SearchQuery(text=text, ignore_case=self.ignore_case, ignore_accents=self.ignore_accents)
        )


@dataclass(frozen=True)
class Hit:
    """One place in the corpus: an occurrence of the text, or an annotation.

    ``start``/``end`` are code-point offsets into the document's text; ``before``, ``match`` and
    ``after`` are plain text on one line (white space runs shown as one space), for a list.
    """

    document_id: int
    key: str
    title: str
    start: int
    end: int
    before: str
    match: str
    after: str
    span_id: int | None = None
    label: str | None = None
    annotator: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def snippet(self) -> str:
        return f"{self.before}{self.match}{self.after}"

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "document": self.key,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
        }
        if self.span_id is not None:
            found.update(
                span=self.span_id,
                label=self.label,
                annotator=self.annotator,
                attributes=self.attributes,
            )
        return found


def parse_attribute(text: str) -> tuple[str, str]:
    """``stance=threatens`` as (name, value)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValidationError(f"{text!r} is not NAME=VALUE (e.g. stance=threatens)")
    return name.strip(), value.strip()


def has_value(attributes: dict[str, Any], name: str, value: str) -> bool:
    """Whether a span's ``name`` holds ``value``: equal, one of a list, or a yes/no."""
    if name not in attributes:
        return False
    held = attributes[name]
    if isinstance(held, bool):
        return value.lower() in (("true", "yes", "1") if held else ("false", "no", "0"))
    if isinstance(held, list):
        return any(str(item) == value for item in held)
    return str(held) == value


def _fold_char(ch: str) -> str:
    folded = _folded.get(ch)
    if folded is None:
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        folded = _folded[ch] = _BASE_LETTERS.get(base, base)
    return folded


def fold_accents(text: str) -> tuple[str, list[int] | None]:
    """``text`` without accents ("Ševčovič" -> "Sevcovic"), and where each of its characters
    came from (None when every character stayed one character: offsets are then the same)."""
    if text.isascii():
        return text, None
    table = {ord(ch): f for ch in set(text) if ord(ch) > 127 and (f := _fold_char(ch)) != ch}
    if not table:
        return text, None
    folded = text.translate(table)
    if len(folded) == len(text) and all(len(f) == 1 for f in table.values()):
        return folded, None
    origin: list[int] = []
    for i, ch in enumerate(text):
        origin.extend([i] * len(table.get(ord(ch), ch)))
    origin.append(len(text))
    return folded, origin


class TextMatcher:
    """Finds a query's text: plain (escaped) or a regular expression, case and accents as asked.

    Case is ignored by the expression itself, so offsets are the text's own; accents are
    ignored by matching a folded copy and mapping the offsets back. With RE2 installed, a
    quicker scan first skips texts the expression cannot match (``regex_prefilter``).
    """

    def __init__(self, query: SearchQuery) -> None:
        pattern = fold_accents(query.text)[0] if query.ignore_accents else query.text
        self.ignore_accents = query.ignore_accents
        flags = re.IGNORECASE if query.ignore_case else 0
        try:
            self._re = re.compile(pattern if query.regex else re.escape(pattern), flags)
        except re.error as exc:
            raise ValidationError(
                f"{query.text!r} is not a valid regular expression: {exc}"
                " (without --regex the text is searched as it is)"
            ) from None
        self._may_match = quick_search(self._re.pattern, flags) if query.regex else None

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each non-empty match, in order."""
        origin = None
        if self.ignore_accents:
            text, origin = fold_accents(text)
        if self._may_match is not None and not self._may_match(text):
            return
        for m in self._re.finditer(text):
            start, end = m.span()
            if end > start:
                yield (start, end) if origin is None else (origin[start], origin[end])

    def found_in(self, text: str) -> bool:
        return next(self.find(text), None) is not None


def snippet(
    text: str,
    start: int,
    end: int,
    context: int = CONTEXT,
    *,
    offset: int = 0,
    length: int | None = None,
) -> tuple[str, str, str]:
    """(before, match, after) around ``text[start:end]``: one line of plain text each, the
    context cut at a word boundary where one is near, and an ellipsis where text goes on.

    ``text`` may be a piece of a longer text (``length`` characters) that starts at ``offset``
    and holds the span and its context: what a search reads instead of the whole text.
    """
    total = len(text) + offset if length is None else length
    lo, hi = max(0, start - context), min(total, end + context)
    before, after = text[lo - offset : start - offset], text[end - offset : hi - offset]
    if lo > 0:
        cut = before.find(" ")
        before = ELLIPSIS + (before[cut + 1 :] if 0 <= cut < context // 2 else before)
    if hi < total:
        cut = after.rfind(" ")
        after = (after[:cut] if cut > context // 2 else after) + ELLIPSIS
    match = text[start - offset : end - offset]
    if len(match) > MATCH_SHOWN:
        match = f"{match[: MATCH_SHOWN * 2 // 3]} {ELLIPSIS} {match[-MATCH_SHOWN // 3 :]}"
    return _one_line(before), _one_line(match), _one_line(after)


def _one_line(text: str) -> str:
    if text.isprintable() and "  " not in text:  # most context: nothing to change
        return text
    return _SPACES.sub(" ", text)
