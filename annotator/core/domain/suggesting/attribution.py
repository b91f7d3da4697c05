"""Reported clauses: where an indirect statement after (or before) a cue begins and ends.

"X said (that) CLAUSE." reports CLAUSE, up to the end of the sentence or the next reported
clause ("... and said ...", ", warning that ..."); "CLAUSE, the ministry said on Friday." reports
what comes before. Small token-free rules over one sentence at a time.
"""

from __future__ import annotations

import re

# Adjuncts between a cue and what it reports: "said on Saturday (that)", "said in a statement".
_ADJUNCT = re.compile(
    r"(?:\s*,?\s*(?:on\s+(?:\w+day|\w+\s+\d+)(?:\s+(?:morning|afternoon|evening|night))?"
    r"|in\s+(?:a|an)\s+(?:\w+\s+){0,2}(?:statement|speech|address|interview|post|briefing)"
    r"|at\s+(?:a|an|the)\s+(?:\w+\s+){0,2}(?:conference|briefing|ceremony|summit|meeting)"
    r"|late\s+on\s+\w+day|earlier|later|also|again|last\s+(?:week|month|year)|by\s+telephone"
    r"|yesterday|today|publicly|separately)(?!\w))+"
)
_THAT = re.compile(r"\bthat\b")
# Where one reported clause ends and a new one (or the journalist's words) begins.
_CLAUSE_CUT = re.compile(
    r",\s+and\s+that\s|\s+but\s+|,\s+(?:in|during|at)\s+(?:a|an|the)\s+(?:\w+\s+)?"
    r"(?:speech|interview|statement|address|news conference|press conference|briefing)\b"
)
# A dateline before the first sentence: "VARDAS, March 14 (Meridian Wire) – ".
_DATELINE = re.compile(
    r"[A-ZÀ-Þ][A-ZÀ-Þ .'\-]{1,40}(?:,[^–—()\n]{0,30})?\s*(?:\([^()\n]{0,40}\))?\s*[–—-]\s+"
)
_TRAILING = ".,;: \u00a0\t"


def skip_adjuncts(text: str, pos: int, end: int) -> int:
    """The offset after any adjuncts that follow a cue ending at ``pos``."""
    found = _ADJUNCT.match(text, pos, end)
    return found.end() if found else pos


def find_that(text: str, pos: int, end: int, within: int = 80) -> int | None:
    """The offset after the first "that" within ``within`` characters, before a comma."""
    limit = min(end, pos + within)
    found = _THAT.search(text, pos, limit)
    if found is None or "," in text[pos : found.start()] or "“" in text[pos : found.start()]:
        return None
    return found.end()


def clause_cut(text: str, start: int, end: int) -> int:
    """Where the reported clause starting at ``start`` ends, at the latest ``end``."""
    found = _CLAUSE_CUT.search(text, start, end)
    return found.start() if found else end


def after_dateline(text: str, start: int, end: int) -> int:
    found = _DATELINE.match(text, start, end)
    return found.end() if found else start


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space and a final full stop or comma from either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end
