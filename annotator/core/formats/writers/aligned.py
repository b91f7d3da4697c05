"""Spans placed on the shared tokens, with every one that does not fit reported.

Used by each token-based format, so that prodigy, spacy and conll agree on which spans they
hold and why any is missing.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from annotator.core.formats.writers.documents import ExportSpan
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit


class TokenSpan(NamedTuple):
    """A span on tokens; a named tuple, as one is made per span of every unit (a frozen
    dataclass took four times as long to make)."""

    span: ExportSpan
    first: int  # inclusive token indices
    last: int


def place(prepared: Prepared, unit: Unit, problems: ProblemLog, part: str) -> list[TokenSpan]:
    """The unit's spans on tokens; spans with an edge inside a token are reported and left out.

    A span whose edges are exactly a token's start and another's end (nearly all) is placed
    here with two bisections; ``Tokens.align`` says what is wrong with any other.
    """
    tokens = prepared.tokens
    starts, ends = tokens.starts, tokens.ends
    placed = []
    for sp in unit.spans:
        first = bisect_left(starts, sp.start)
        last = bisect_left(starts, sp.end) - 1
        if first <= last and starts[first] == sp.start and ends[last] == sp.end:
            placed.append(TokenSpan(sp, first, last))
            continue
        found = tokens.align(sp.start, sp.end)
        if found.problem is not None:
            problems.add_span(found.problem, part, unit, sp, found.detail)
        if found.first is not None and found.last is not None:
            placed.append(TokenSpan(sp, found.first, found.last))
    return placed


def outermost(spans: list[TokenSpan]) -> tuple[list[TokenSpan], list[TokenSpan]]:
    """Non-overlapping spans, longest first where they nest, earliest first where they cross.

    Returns (kept, left out), each in text order.
    """
    ordered = sorted(spans, key=lambda t: (t.first, -t.last, t.span.label, t.span.id))
    kept: list[TokenSpan] = []
    left: list[TokenSpan] = []
    end = -1
    for ts in ordered:
        if ts.first > end:
            kept.append(ts)
            end = ts.last
        else:
            left.append(ts)
    return kept, left


def report_left_out(
    kind: str, left: list[TokenSpan], unit: Unit, problems: ProblemLog, part: str, detail: str
) -> None:
    for ts in left:
        problems.add_span(kind, part, unit, ts.span, detail)
