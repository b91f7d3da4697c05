"""Boilerplate as character ranges: what the importer recognised, what annotators marked or
unmarked by hand, and what that makes together (issue 13, defect 2).

The text itself never changes; a document keeps its hand-made marks in its meta as
``{"boilerplate": {"marked": [[start, end], …], "unmarked": […]}}``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import Any

Range = tuple[int, int]
META_KEY = "boilerplate"


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, with overlapping or touching ranges made one."""
    out: list[Range] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(ranges: Iterable[Range], cuts: Iterable[Range]) -> list[Range]:
    """``ranges`` without any character of ``cuts``."""
    out = merge(ranges)
    for cut_start, cut_end in merge(cuts):
        kept: list[Range] = []
        for start, end in out:
            if end <= cut_start or start >= cut_end:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if end > cut_end:
                kept.append((cut_end, end))
        out = kept
    return out


def marks(meta: Mapping[str, Any]) -> tuple[list[Range], list[Range]]:
    """The hand-made (marked, unmarked) ranges a document's meta holds."""
    held = meta.get(META_KEY) or {}
    return (
        [(int(s), int(e)) for s, e in held.get("marked", [])],
        [(int(s), int(e)) for s, e in held.get("unmarked", [])],
    )


def with_marks(meta: Mapping[str, Any], marked: list[Range], unmarked: list[Range]) -> dict:
    """A copy of ``meta`` holding these marks (none: the key goes)."""
    out = {k: v for k, v in meta.items() if k != META_KEY}
    if marked or unmarked:
        out[META_KEY] = {
            "marked": [list(r) for r in merge(marked)],
            "unmarked": [list(r) for r in merge(unmarked)],
        }
    return out


def effective(detected: Iterable[Range], marked: list[Range], unmarked: list[Range]) -> list[Range]:
    """What the window dims: recognised or marked, unless unmarked by hand."""
    return subtract(merge([*detected, *marked]), unmarked)


def toggled(
    current: list[Range], marked: list[Range], unmarked: list[Range], chosen: Range
) -> tuple[list[Range], list[Range]]:
    """The marks after the annotator toggles ``chosen``: boilerplate already there is
    unmarked, anything else is marked."""
    if covering(current, *chosen):
        return subtract(marked, [chosen]), merge([*unmarked, chosen])
    return merge([*marked, chosen]), subtract(unmarked, [chosen])


def covering(ranges: list[Range], start: int, end: int) -> bool:
    """Whether ``ranges`` (merged) hold every character of [start, end)."""
    i = bisect_right([s for s, _ in ranges], start) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]


def overlapping(ranges: list[Range], start: int, end: int) -> bool:
    """Whether ``ranges`` (merged) hold any character of [start, end)."""
    i = bisect_left([s for s, _ in ranges], end) - 1
    return i >= 0 and ranges[i][1] > start


def whole_lines(text: str, start: int, end: int) -> Range:
    """[start, end) widened to the lines it touches (without their line breaks)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", max(end - 1, start))
    return first, len(text) if last < 0 else last
