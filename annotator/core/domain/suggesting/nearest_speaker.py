"""Who said it: a statement span linked to the nearest speaker span of its own sentence.

A model labels spans one by one and knows no links, so the link is drawn by a simple rule: among
the speaker spans in the sentences a statement touches (``text.sentence_bounds``) and outside
the statement itself, the one with the fewest characters between it and the statement; on a tie
the one after the statement ("..." he said). A statement with no such speaker gets no link. The
link's confidence is the lower of the two spans'.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from annotator.core.domain.suggesting.frames import SuggestedLink, SuggestedSpan
from annotator.core.domain.text import sentence_bounds


def _sentence_range(bounds: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The character range of the sentences that ``start..end`` touches."""
    starts = [s for s, _ in bounds]
    first = max(bisect_right(starts, start) - 1, 0)
    last = max(bisect_right(starts, max(end - 1, start)) - 1, 0)
    return bounds[first][0], bounds[last][1]


def _gap(a: SuggestedSpan, b: SuggestedSpan) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


def link_speakers(
    text: str,
    spans: Sequence[SuggestedSpan],
    statement_label: str,
    speaker_label: str,
    relation: str,
    engine: str,
) -> tuple[SuggestedLink, ...]:
    """One ``relation`` link from each statement to its nearest speaker (see the module)."""
    bounds = sentence_bounds(text) or [(0, len(text))]
    speakers = [s for s in spans if s.label == speaker_label]
    links: list[SuggestedLink] = []
    for statement in spans:
        if statement.label != statement_label:
            continue
        lo, hi = _sentence_range(bounds, statement.start, statement.end)
        near = [
            s
            for s in speakers
            if s.start >= lo
            and s.end <= hi
            and (s.end <= statement.start or s.start >= statement.end)
        ]
        if not near:
            continue
        best = min(near, key=lambda s: (_gap(s, statement), s.start < statement.start))
        links.append(
            SuggestedLink(
                statement.key,
                best.key,
                relation,
                min(statement.confidence, best.confidence),
                engine,
            )
        )
    return tuple(links)
