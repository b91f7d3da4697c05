"""Counts in words: "1 document", "2 documents", never "2 document(s)".

Messages are read by people at a glance; a count with its noun agreeing reads faster, and
"2 statements record(s)" (issue 13) read as a typo.
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries"}
# What a document still lacks before it is done (the service's refusal and the window's question).
MISSING, MISSING_PLURAL = "required value or link", "required values or links"


def plural(noun: str) -> str:
    """The plural of an English noun as our messages use them (the last word changes)."""
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def counted(count: int, noun: str, plural_form: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is exactly one."""
    return f"{count} {noun if count == 1 else plural_form or plural(noun)}"
