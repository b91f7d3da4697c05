"""Where the caret jumps to: the next or previous sentence, paragraph or quotation (issue 13).

Positions are code points into the document's text. Forward, a jump lands on the next unit's
start; forward with Shift (extending the selection) it stops at the end of the unit the caret
is in, so that a jump to a sentence's start and a Shift jump select exactly that sentence.
Backward, a jump lands on the start of the unit the caret is in, or of the one before.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from annotator.core.domain.text import sentence_bounds

Units = Callable[[str], Sequence[tuple[int, int]]]

# An opening quotation mark: curly or guillemet, or a straight one after a space or a bracket.
_OPENING = re.compile(r"[“„«‹]|(?:(?<=^)|(?<=[\s(\[]))[\"‘']", re.MULTILINE)
_CLOSING = {"“": "”", "„": "“”", "«": "»", "‹": "›", '"': '"', "‘": "’", "'": "'’"}


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Each line that holds more than white space: the editor shows a line as a paragraph."""
    units = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            units.append((start + lead, start + lead + len(stripped)))
        start = end + 1
    return units


def quotations(text: str) -> list[tuple[int, int]]:
    """Each quotation: from its opening mark to just after the matching closing one (to the
    paragraph's end if it has none)."""
    units = []
    for match in _OPENING.finditer(text):
        mark = match.group()
        stop = text.find("\n", match.end())
        stop = len(text) if stop < 0 else stop
        closes = _CLOSING[mark]
        end = next((i + 1 for i in range(match.end(), stop) if text[i] in closes), stop)
        units.append((match.start(), end))
    return units


UNITS: dict[str, Units] = {
    "sentence": sentence_bounds,
    "paragraph": paragraphs,
    "quote": quotations,
}


def jump(units: Sequence[tuple[int, int]], pos: int, forward: bool, extend: bool) -> int:
    """The caret's new position among ``units`` (sorted by start); ``pos`` if there is none."""
    starts = [s for s, _ in units]
    if forward and extend:
        inside = bisect_right(starts, pos) - 1
        if inside >= 0 and units[inside][1] > pos:
            return units[inside][1]
        after = bisect_right(starts, pos)
        return units[after][1] if after < len(units) else pos
    if forward:
        after = bisect_right(starts, pos)
        return starts[after] if after < len(units) else pos
    before = bisect_left(starts, pos) - 1
    return starts[before] if before >= 0 else pos
