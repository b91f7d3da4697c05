"""A document's ``published`` text as JSONL records carry it: a calendar date, or null.

The database keeps ``published`` as the text a source gave (``2024-05-01``, an HTML page's
``2024-05-01T10:30:00+02:00``, ``May 2024``). pyarrow's JSON reader, which Hugging Face
``datasets`` uses, turns every ISO-looking string into a timestamp before any Features cast,
per block of lines: the same text then loads as ``2024-05-01 00:00:00`` in one split, as
``2024-05-01`` in another, and a date-time loses its zone (converted to UTC). No string
column survives that, so records carry the date itself, ``YYYY-MM-DD`` (the date as the
source wrote it, before any zone conversion), which the manifest types ``date32``: every split
loads a date on every ``datasets`` version, and null where the text holds no whole date (a
month, a year, free text). The native format, which must give back what it took, also writes
the text as given when it says more than that date (``published_as_given``).
"""

from __future__ import annotations

import re
from datetime import date

_LEADING_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?=$|[T ])")


def published_date(text: str | None) -> str | None:
    """The calendar date a published text starts with, as ``YYYY-MM-DD``, or None."""
    match = _LEADING_DATE.match(text.strip()) if text else None
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:  # 2024-02-30: not a date
        return None


def published_fields(text: str | None) -> tuple[str | None, str | None]:
    """``published`` and ``published_as_given`` of a record: the given text only where the
    date alone would lose something of it."""
    day = published_date(text)
    return day, (None if text == day else text)
