"""What text every match of a regular expression must contain, for an index to narrow by.

A trigram index can only answer "which texts hold these strings", so a regex is read (by
Python's own parser, ``re._parser``) for the strings any match must contain: an AND of ORs, as
Google Code Search and pg_trgm do (Russ Cox, "Regular Expression Matching with a Trigram
Index"). Each node of the pattern gives what it matches exactly (a few strings), or else what
its matches start and end with and what they must contain. Where nothing can be said (``\\d+``,
``.*``) the answer is :data:`ANYTHING` and the caller reads every text, as before.

The answer only narrows: the caller still runs the real expression on what passes, so it must
never leave out a text the expression matches, and it may let through some it does not. A
"string" here is a run of positions, each the set of characters that may stand there: ignoring
case, ``k`` may be any of ``k K K`` (the Kelvin sign) exactly as Python's ``re`` decides, so
the index is asked for each of them and needs no case folding of its own to be right.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import product
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
from typing import Any

Needle = tuple[frozenset[str], ...]  # a string whose every position may be one of a few chars
TRIGRAM = 3  # the shortest string an index of character trigrams can look up
MAX_STRINGS = 16  # the most strings an exact, prefix or suffix set keeps before giving up
MAX_CLASS = 8  # a character class of more members than this is taken for any character
_CASED_END = 0x20000  # no code point from here on has a lower case (held by a test)


@dataclass(frozen=True)
class AllOf:
    """Every part must hold (no part: anything passes)."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part must hold."""

    parts: tuple[Condition, ...]


Condition = AllOf | AnyOf | Needle
ANYTHING = AllOf(())


def required_text(pattern: str, ignore_case: bool) -> Condition:
    """What every text ``re.compile(pattern, IGNORECASE if ignore_case)`` finds a match in
    holds: needles of at least three characters joined by AND and OR, or ANYTHING."""
    parsed = _parser.parse(pattern, re.IGNORECASE if ignore_case else 0)
    info = _pattern(list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    return _all(info.match, _finish(info))


# -- conditions --


def _all(*conditions: Condition) -> Condition:
    parts: list[Condition] = []
    for c in conditions:
        if isinstance(c, AllOf):
            parts.extend(p for p in c.parts if p not in parts)
        elif c not in parts:
            parts.append(c)
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _any(*conditions: Condition) -> Condition:
    parts: list[Condition] = []
    for c in conditions:
        if c == ANYTHING:
            return ANYTHING
        if isinstance(c, AnyOf):
            parts.extend(p for p in c.parts if p not in parts)
        elif c not in parts:
            parts.append(c)
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def _any_of(needles: frozenset[Needle]) -> Condition:
    """One of ``needles`` is in the text: ANYTHING when one of them is too short to look up."""
    if not needles or any(len(n) < TRIGRAM for n in needles):
        return ANYTHING
    # "drone strike" or "drone strikes": the first alone says as much
    kept = [n for n in needles if not any(o != n and _holds(n, o) for o in needles)]
    return _any(*sorted(kept, key=_order))


def _holds(longer: Needle, shorter: Needle) -> bool:
    """Whether every text holding ``longer`` holds ``shorter``."""
    return any(
        all(longer[i + j] <= chars for j, chars in enumerate(shorter))
        for i in range(len(longer) - len(shorter) + 1)
    )


def _order(needle: Needle) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(sorted(position)) for position in needle)


# -- what a piece of the pattern says --


@dataclass(frozen=True)
class _Info:
    """What the matches of a piece of the pattern are known to be (Cox's five facts)."""

    can_be_empty: bool
    exact: frozenset[Needle] | None  # all its matches, when few and known
    prefix: frozenset[Needle]  # every match starts with one of these ("" when unknown)
    suffix: frozenset[Needle]  # every match ends with one of these
    match: Condition  # what every text with a match holds


_EMPTY: Needle = ()
_UNKNOWN = frozenset({_EMPTY})
_EMPTY_STRING = _Info(True, _UNKNOWN, _UNKNOWN, _UNKNOWN, ANYTHING)
_ANY_STRING = _Info(True, None, _UNKNOWN, _UNKNOWN, ANYTHING)
_ANY_CHAR = _Info(False, None, _UNKNOWN, _UNKNOWN, ANYTHING)


def _exactly(needles: frozenset[Needle]) -> _Info:
    return _Info(_EMPTY in needles, needles, _UNKNOWN, _UNKNOWN, ANYTHING)


def _cross(left: frozenset[Needle], right: frozenset[Needle]) -> frozenset[Needle] | None:
    if len(left) * len(right) > MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _inexact(info: _Info) -> _Info:
    """The same facts with the exact set moved into prefix, suffix and match."""
    if info.exact is None:
        return info
    return _Info(
        info.can_be_empty, None, info.exact, info.exact, _all(info.match, _any_of(info.exact))
    )


def _trimmed(info: _Info) -> _Info:
    """Long prefixes and suffixes put into ``match`` and cut to two characters (all that can
    still join a neighbour's to make a trigram), so the sets stay small."""
    if info.exact is not None:
        if len(info.exact) <= MAX_STRINGS:
            return info
        info = _inexact(info)
    match = info.match
    prefix, suffix = info.prefix, info.suffix
    if any(len(p) >= TRIGRAM for p in prefix):
        match = _all(match, _any_of(prefix))
        prefix = frozenset(p[: TRIGRAM - 1] for p in prefix)
    if any(len(s) >= TRIGRAM for s in suffix):
        match = _all(match, _any_of(suffix))
        suffix = frozenset(s[-(TRIGRAM - 1) :] for s in suffix)
    if len(prefix) > MAX_STRINGS:
        prefix = _UNKNOWN
    if len(suffix) > MAX_STRINGS:
        suffix = _UNKNOWN
    return _Info(info.can_be_empty, None, prefix, suffix, match)


def _finish(info: _Info) -> Condition:
    if info.exact is not None:
        return _any_of(info.exact)
    return _all(_any_of(info.prefix), _any_of(info.suffix))


def _starts(info: _Info) -> frozenset[Needle]:
    return info.exact if info.exact is not None else info.prefix


def _ends(info: _Info) -> frozenset[Needle]:
    return info.exact if info.exact is not None else info.suffix


def _concat(x: _Info, y: _Info) -> _Info:
    """``x`` then ``y``."""
    can_be_empty = x.can_be_empty and y.can_be_empty
    match = _all(x.match, y.match)
    if x.exact is not None and y.exact is not None:
        exact = _cross(x.exact, y.exact)
        if exact is not None:
            return _trimmed(_Info(can_be_empty, exact, _UNKNOWN, _UNKNOWN, match))
    # Every match holds x's end joined to y's start: strings the two sets cannot show alone.
    joined = _cross(_ends(x), _starts(y))
    if joined is not None:
        match = _all(match, _any_of(joined))
    if x.exact is not None:
        prefix = _cross(x.exact, _starts(y)) or x.exact
    else:
        prefix = x.prefix | _starts(y) if x.can_be_empty else x.prefix
    if y.exact is not None:
        suffix = _cross(_ends(x), y.exact) or y.exact
    else:
        suffix = y.suffix | _ends(x) if y.can_be_empty else y.suffix
    return _trimmed(_Info(can_be_empty, None, prefix, suffix, match))


def _alternate(x: _Info, y: _Info) -> _Info:
    can_be_empty = x.can_be_empty or y.can_be_empty
    if x.exact is not None and y.exact is not None:
        return _trimmed(
            _Info(can_be_empty, x.exact | y.exact, _UNKNOWN, _UNKNOWN, _any(x.match, y.match))
        )
    x, y = _inexact(x), _inexact(y)
    return _trimmed(
        _Info(can_be_empty, None, x.prefix | y.prefix, x.suffix | y.suffix, _any(x.match, y.match))
    )


def _repeat(low: int, high: int, item: _Info) -> _Info:
    if high == 0:
        return _EMPTY_STRING
    if low == 0:
        if high == 1 and item.exact is not None:  # x?: x or nothing
            return _trimmed(_exactly(item.exact | _UNKNOWN))
        return _ANY_STRING
    if low == high == 1:
        return item
    # x{1,}: at least one x; what it starts and ends with is x's, what it holds is x's
    once = _inexact(item)
    return _Info(item.can_be_empty, None, once.prefix, once.suffix, once.match)


# -- the pattern --


def _pattern(items: list[tuple[Any, Any]], ignore_case: bool) -> _Info:
    info = _EMPTY_STRING
    for op, av in items:
        info = _concat(info, _item(op, av, ignore_case))
    return info


def _item(op: Any, av: Any, ignore_case: bool) -> _Info:
    if op is sre.LITERAL:
        return _exactly(frozenset({(_chars(av, ignore_case),)}))
    if op is sre.IN:
        chars = _class(av, ignore_case)
        return _ANY_CHAR if chars is None else _exactly(frozenset({(chars,)}))
    if op in (sre.NOT_LITERAL, sre.ANY):
        return _ANY_CHAR
    if op is sre.SUBPATTERN:
        _group, add, remove, inner = av
        if add & re.IGNORECASE:
            ignore_case = True
        if remove & re.IGNORECASE:
            ignore_case = False
        return _pattern(list(inner), ignore_case)
    if op is sre.ATOMIC_GROUP:
        return _pattern(list(av), ignore_case)
    if op is sre.BRANCH:
        branches = [_pattern(list(b), ignore_case) for b in av[1]]
        result = branches[0]
        for other in branches[1:]:
            result = _alternate(result, other)
        return result
    if op is sre.GROUPREF_EXISTS:
        _group, yes, no = av
        other = _pattern(list(no), ignore_case) if no is not None else _EMPTY_STRING
        return _alternate(_pattern(list(yes), ignore_case), other)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, inner = av
        return _repeat(low, high, _pattern(list(inner), ignore_case))
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY_STRING  # zero width: leaving it out only lets more texts through
    return _ANY_STRING  # a back reference (GROUPREF), or anything not known here


def _class(items: list[tuple[Any, Any]], ignore_case: bool) -> frozenset[str] | None:
    """The characters a ``[...]`` may match, or None when they are many or unknown."""
    members: set[int] = set()
    for op, av in items:
        if op is sre.LITERAL:
            members.add(av)
        elif op is sre.RANGE and av[1] - av[0] < MAX_CLASS:
            members.update(range(av[0], av[1] + 1))
        else:  # a negation, a category (\w, \d), a long range
            return None
        if len(members) > MAX_CLASS:
            return None
    return frozenset().union(*(_chars(m, ignore_case) for m in members))


def _chars(code: int, ignore_case: bool) -> frozenset[str]:
    """The characters a literal matches: itself, or its case class as ``re`` compiles it (a
    text character matches when its lower case is the literal's or one of ``re``'s extra
    equivalents, e.g. ``ı`` for ``i``)."""
    if not ignore_case:
        return frozenset(chr(code))
    return _case_class(code)


def like_folds_as_re(ch: str) -> bool:
    """Whether a case-blind ``LIKE`` (SQLite's folds ASCII letters only) finds ``ch`` where
    ``re`` ignoring case does: it has no case, or all its forms are ASCII (not ``s``: ``ſ``)."""
    forms = _case_class(ord(ch))
    return forms == {ch} or all(f.isascii() for f in forms)


@cache
def _case_class(code: int) -> frozenset[str]:
    lower = _sre.unicode_tolower(code)
    lowers = (lower, *_EXTRA_CASES.get(lower, ()))
    preimages = _lower_preimages()
    found = {code, *lowers}
    for lo in lowers:
        found.update(preimages.get(lo, ()))
    return frozenset(map(chr, found))


@cache
def _lower_preimages() -> dict[int, tuple[int, ...]]:
    """Every code point by its lower case (only those whose lower case is another): built once,
    about 20 ms."""
    found: dict[int, list[int]] = {}
    tolower = _sre.unicode_tolower
    for code in range(_CASED_END):
        lower = tolower(code)
        if lower != code:
            found.setdefault(lower, []).append(code)
    return {lower: tuple(codes) for lower, codes in found.items()}


def trigrams(needle: Needle, folded: Callable[[str], str] | None = None) -> list[frozenset[str]]:
    """Each run of three positions of ``needle`` as the strings it may be (``folded`` maps a
    string to the form the index keeps, to drop variants it cannot tell apart)."""
    windows = []
    for i in range(len(needle) - TRIGRAM + 1):
        strings = {"".join(chars) for chars in product(*needle[i : i + TRIGRAM])}
        windows.append(frozenset(map(folded, strings)) if folded else frozenset(strings))
    return windows
