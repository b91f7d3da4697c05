"""The pattern engine: spans from the schema's gazetteer phrases and regular expressions.

Each label's phrases become one case-insensitive regular expression (longest phrase first, so
"ballistic missile" wins over "missile"); its regexes run as written, on word boundaries. A
text is scanned once per label and regex, in C: a long article takes milliseconds. Where
matches of one label overlap, the leftmost, then longest, is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.domain.schema import Pattern, Schema
from annotator.core.domain.schema.patterns import bounded_regex
from annotator.core.domain.suggesting.frames import Cancelled, SuggestedSpan, Suggestions

NAME = "patterns"
PHRASE_CONFIDENCE = 0.6
REGEX_CONFIDENCE = 0.7  # a regex names a system ("S-400"); a phrase may be generic ("rocket")
CHECK_EVERY = 4000  # characters between two looks at cancelled()
_SEPARATOR = r"[\s\-‐‑–]+"
_VOWELS = "aeiou"


def phrase_regex(phrase: str) -> str:
    """A phrase as a regex: its words apart by spaces or hyphens, the last one inflected
    (plural -s/-es, -y/-ies, possessive 's or ')."""
    words = [w for w in re.split(r"[\s\-‐‑–]+", phrase.strip()) if w]
    *head, last = words
    if len(last) > 1 and last[-1].lower() == "y" and last[-2].lower() not in _VOWELS:
        tail = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        tail = re.escape(last) + "(?:e?s)?"
    return _SEPARATOR.join([*(re.escape(w) for w in head), tail + "(?:['’]s|['’])?"])


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    pattern: Pattern


class _LabelMatcher:
    """One label's patterns, compiled once: phrases as one alternation, each regex alone."""

    def __init__(self, label: str, patterns: Sequence[Pattern]) -> None:
        self.label = label
        phrases = sorted(
            (p for p in patterns if p.phrase is not None),
            key=lambda p: -len(p.phrase or ""),
        )
        self._phrases = phrases
        alternatives = "|".join(
            f"(?P<p{i}>{phrase_regex(p.phrase or '')})" for i, p in enumerate(phrases)
        )
        self._phrase_re = (
            re.compile(f"(?<!\\w)(?:{alternatives})(?!\\w)", re.IGNORECASE) if phrases else None
        )
        self._regexes = [
            (re.compile(bounded_regex(p.regex)), p) for p in patterns if p.regex is not None
        ]

    def matches(self, text: str, cancelled: Cancelled | None) -> list[_Match]:
        found: list[_Match] = []
        scans: list[tuple[re.Pattern[str], Pattern | None]] = list(self._regexes)
        if self._phrase_re is not None:
            scans.insert(0, (self._phrase_re, None))
        for compiled, pattern in scans:
            checkpoint = CHECK_EVERY
            for m in compiled.finditer(text):
                if m.start() >= checkpoint:
                    if cancelled is not None and cancelled():
                        return found
                    checkpoint = m.start() + CHECK_EVERY
                if m.end() <= m.start():
                    continue
                which = pattern or self._phrases[int((m.lastgroup or "p0")[1:])]
                found.append(_Match(m.start(), m.end(), which))
        return _leftmost_longest(found)


def _leftmost_longest(found: list[_Match]) -> list[_Match]:
    kept: list[_Match] = []
    for match in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


def _values(pattern: Pattern) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in pattern.attributes}


class PatternEngine:
    """Suggests spans of every label that has ``patterns`` in the schema."""

    name = NAME

    def __init__(self, patterns: Mapping[str, Sequence[Pattern]]) -> None:
        self._matchers = [_LabelMatcher(label, ps) for label, ps in patterns.items() if ps]

    @classmethod
    def from_schema(cls, schema: Schema) -> PatternEngine:
        return cls({label.name: label.patterns for label in schema.labels})

    def suggest(self, text: str, *, cancelled: Cancelled | None = None) -> Suggestions:
        spans: list[SuggestedSpan] = []
        for matcher in self._matchers:
            if cancelled is not None and cancelled():
                break
            for m in matcher.matches(text, cancelled):
                regex = m.pattern.regex is not None
                spans.append(
                    SuggestedSpan(
                        key=f"p{len(spans)}",
                        start=m.start,
                        end=m.end,
                        label=matcher.label,
                        confidence=REGEX_CONFIDENCE if regex else PHRASE_CONFIDENCE,
                        engine=NAME,
                        attributes=_values(m.pattern),
                        evidence=f"pattern {m.pattern.text}",
                    )
                )
        spans.sort(key=lambda s: (s.start, s.end, s.label))
        return Suggestions(spans=tuple(spans))
