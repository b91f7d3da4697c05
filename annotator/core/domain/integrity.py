"""Checking spans against their text before anything is written, fast enough for every export.

``text.is_boundary`` per offset costs a Python call per span edge; here each document's text is
scanned once for the few characters a span may not start or end before (combining marks,
joiners, variation selectors, lone low surrogates), which most texts do not contain at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from annotator.core.domain.errors import IntegrityError
from annotator.core.domain.text import content_hash

# Combining marks live in the first two planes and in plane 14's variation selectors.
_PLANES = (range(0x0300, 0x20000), range(0xE0000, 0xE1000))


@cache
def _non_boundary_pattern() -> re.Pattern[str]:
    """Every character that ``text.is_boundary`` refuses to split before, as one class."""
    points = [cp for plane in _PLANES for cp in plane if unicodedata.combining(chr(cp))] + [
        0x200D,
        0xFE0E,
        0xFE0F,
    ]
    points.sort()
    ranges: list[tuple[int, int]] = []
    for cp in points:
        if ranges and cp <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(cp, ranges[-1][1]))
        else:
            ranges.append((cp, cp))
    parts = [
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    ]
    return re.compile("[" + "".join(parts) + "\udc00-\udfff]")


def non_boundaries(text: str) -> frozenset[int]:
    """Offsets inside ``text`` where no span may start or end (usually none)."""
    if text.isascii():
        return frozenset()
    return frozenset(m.start() for m in _non_boundary_pattern().finditer(text) if m.start() > 0)


def check_text(key: str, text: str, digest: str) -> None:
    if content_hash(text) != digest:
        raise IntegrityError(
            f"document {key!r}: its text changed after import (hash mismatch); refusing to "
            "export spans that would be shifted"
        )


def check_span_rows(key: str, text: str, rows: Iterable[Sequence[Any]]) -> None:
    """Raise on the first span row (document_id, id, annotator_id, start, end, label, ...)
    whose offsets do not fit the text, or fall inside a combined character."""
    n = len(text)
    bad = non_boundaries(text)
    for r in rows:
        start, end = r[3], r[4]
        if not (0 <= start < end <= n) or (bad and (start in bad or end in bad)):
            raise IntegrityError(
                f"document {key!r}: span #{r[1]} {r[5]} {start}-{end} does not "
                f"fit the text (length {n})"
            )
