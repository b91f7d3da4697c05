"""One paragraph as the quotes engine reads it: its sentences, quotes, cues and statements.

Shared by the quote rules (quote_engine.py) and the reported-speech rules (reported.py); every
look-up is a bisection, so a paragraph with thousands of quotes or cues stays linear.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from annotator.core.domain.suggesting.blocks import Block
from annotator.core.domain.suggesting.cues import Cue
from annotator.core.domain.suggesting.quotes import Quote
from annotator.core.domain.suggesting.speakers import Mention

_SENTENCE_END = ".!?…"
_CLOSERS = '”’"»)'


@dataclass
class Statement:
    """A statement found, before it becomes records: where, which form, who says it, why."""

    start: int
    end: int
    form: str
    mention: Mention | None
    cued: bool
    evidence: str
    open_ended: bool = False  # a quote the next paragraph continues; it lends the speaker


@dataclass
class Paragraph:
    """What one paragraph's statements share: sentence bounds, quotes, speakers by sentence."""

    block: Block
    sentences: list[tuple[int, int]]
    quotes: list[Quote]
    cues: list[Cue]
    used: set[int] = field(default_factory=set)  # cue starts already given to a quote
    speakers: dict[int, Mention] = field(default_factory=dict)  # sentence start -> last one
    tails: dict[int, tuple[int, int]] = field(default_factory=dict)  # clause end -> "but ..."
    quote_starts: list[int] = field(default_factory=list)
    cue_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.quote_starts = [q.start for q in self.quotes]
        self.cue_starts = [c.start for c in self.cues]

    def cues_in(self, start: int, end: int) -> list[Cue]:
        """The cues starting in ``[start, end)``, by bisection (blocks may hold many)."""
        return self.cues[bisect_left(self.cue_starts, start) : bisect_left(self.cue_starts, end)]

    def quotes_in(self, start: int, end: int) -> list[Quote]:
        """The quotes opening in ``[start, end)``."""
        lo = bisect_left(self.quote_starts, start)
        return self.quotes[lo : bisect_left(self.quote_starts, end)]

    def sentence(self, pos: int) -> tuple[int, int]:
        """The (merged) sentence holding ``pos``, or the block when it has none."""
        if not self.sentences:
            return self.block.start, self.block.end
        i = bisect_right(self.sentences, (pos, 1 << 62)) - 1
        return self.sentences[max(0, i)]

    def opens_sentence(self, text: str, q: Quote) -> bool:
        """Whether a quote stands where a sentence starts (not inside the journalist's)."""
        i = q.start
        while i > self.block.start and text[i - 1].isspace():
            i -= 1
        j = i
        while j > self.block.start and text[j - 1] in _CLOSERS:
            j -= 1
        if j == self.block.start:
            return True
        last = text[j - 1] if j < i else text[i - 1]
        return last in _SENTENCE_END or last in "–—:"

    def inside_quote(self, pos: int) -> Quote | None:
        """The quote ``pos`` lies strictly inside, if any."""
        i = bisect_left(self.quote_starts, pos) - 1
        return self.quotes[i] if i >= 0 and self.quotes[i].end > pos else None


def near(statements: list[Statement], start: int, end: int) -> list[Statement]:
    """The statements (sorted by start, not overlapping each other) that may overlap a range."""
    i = bisect_left(statements, start, key=lambda s: s.start)
    return statements[max(0, i - 1) : bisect_left(statements, end, key=lambda s: s.start)]
