"""Checking stored spans against their text before an export writes them.

The rule is the writers' own (``rules.span_fits``): a span the editor or the importer would
refuse is refused here too, so nothing that could not have been written goes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from annotator.core.domain.errors import IntegrityError
from annotator.core.domain.rules import span_fits
from annotator.core.domain.text import content_hash


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
    for r in rows:
        start, end = r[3], r[4]
        if not span_fits(text, start, end):
            raise IntegrityError(
                f"document {key!r}: span #{r[1]} {r[5]} {start}-{end} does not "
                f"fit the text (length {n})"
            )
