"""A quick scan that rules out texts a regular expression cannot match, when RE2 is installed.

Python's ``re`` tries a pattern at every position of every text: a regex of common words over
100,000 articles is about two seconds, most of a search. RE2 (``google-re2``, the ``search``
extra) scans in linear time, several times quicker. Its rules differ, though: ``\\w`` and
``\\b`` are ASCII only, its case folding does not pair ``i`` with ``İ``, it has no look-around
or back reference. So RE2 never decides a hit. The pattern is rewritten as a *looser* RE2
pattern, one that matches wherever the original can (anchors, look-arounds and word boundaries
dropped, classes and letters that ignore case widened by every non-ASCII character, case
spelled out), and a text the
loose pattern does not match is skipped. Every other text is searched by ``re`` as before, so
the hits are exactly ``re``'s; only texts with no hit are passed over sooner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache, partial
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from annotator.core.domain.regex_risk import REPEATS

Ranges = list[tuple[int, int]]  # inclusive code point ranges
_LAST = 0x10FFFF
NON_ASCII: Ranges = [(0x80, _LAST)]
_LETTERS: Ranges = [(0x41, 0x5A), (0x61, 0x7A)]
_DIGITS: Ranges = [(0x30, 0x39)]
_WORD: Ranges = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
# White space in ASCII: what both ``re`` modes call \s, and what either one may.
_SPACE_BOTH: Ranges = [(0x09, 0x0D), (0x20, 0x20)]
_SPACE_EITHER: Ranges = [(0x09, 0x0D), (0x1C, 0x20)]
_RE2_MOST = 1000  # RE2 refuses a counted repeat above this
QuickSearch = Callable[[str], bool]


class Unsupported(Exception):
    """A construct with no loose RE2 form: the pattern gets no prefilter."""


def _ascii_complement(ranges: Ranges) -> Ranges:
    """The ASCII characters not in ``ranges`` (which lie in ASCII)."""
    out: Ranges = []
    at = 0
    for lo, hi in sorted(ranges):
        if lo > at:
            out.append((at, lo - 1))
        at = max(at, hi + 1)
    if at <= 0x7F:
        out.append((at, 0x7F))
    return out


# Each category: (ranges holding all it can match, ranges it surely matches), either mode.
_CATEGORIES: dict[Any, tuple[Ranges, Ranges]] = {
    sre.CATEGORY_WORD: (_WORD + NON_ASCII, _WORD),
    sre.CATEGORY_NOT_WORD: (_ascii_complement(_WORD) + NON_ASCII, _ascii_complement(_WORD)),
    sre.CATEGORY_DIGIT: (_DIGITS + NON_ASCII, _DIGITS),
    sre.CATEGORY_NOT_DIGIT: (_ascii_complement(_DIGITS) + NON_ASCII, _ascii_complement(_DIGITS)),
    sre.CATEGORY_SPACE: (_SPACE_EITHER + NON_ASCII, _SPACE_BOTH),
    sre.CATEGORY_NOT_SPACE: (
        _ascii_complement(_SPACE_BOTH) + NON_ASCII,
        _ascii_complement(_SPACE_EITHER),
    ),
}


def loose_pattern(pattern: str, flags: int = 0) -> str:
    """An RE2 pattern that matches somewhere in every text where ``re.compile(pattern,
    flags)`` does. Raises ``Unsupported`` for what it cannot widen, ``re.error`` for a pattern
    ``re`` refuses."""
    parsed = _parser.parse(pattern, flags)
    ignore = bool((flags | parsed.state.flags) & re.IGNORECASE)
    return _sequence(list(parsed), ignore)


def _sequence(items: Iterable[tuple[Any, Any]], ignore: bool) -> str:
    return "".join(_item(op, av, ignore) for op, av in items)


def _item(op: Any, av: Any, ignore: bool) -> str:
    if op is sre.LITERAL:
        return _class(_literal(av, ignore))
    if op is sre.NOT_LITERAL:
        return _class([(av, av)], negate=True)  # Python also leaves out av's other case
    if op is sre.ANY:
        return "(?s:.)"
    if op is sre.IN:
        return _in(av, ignore)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return ""  # a condition on the position: without it, more matches
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return f"(?:{_sequence(body, ignore or bool(add_flags & re.IGNORECASE))})"
    if op is sre.ATOMIC_GROUP:
        return f"(?:{_sequence(av, ignore)})"
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(alt, ignore) for alt in av[1]) + ")"
    if op is sre.GROUPREF_EXISTS:
        _group, yes, no = av
        return f"(?:{_sequence(yes, ignore)}|{_sequence(no or [], ignore)})"
    if op is sre.GROUPREF:
        return "(?s:.*)"  # whatever the group held
    if op in REPEATS:
        low, high, body = av
        return f"(?:{_sequence(body, ignore)}){_count(low, high)}"
    raise Unsupported(str(op))


def _count(low: int, high: int) -> str:
    if high == sre.MAXREPEAT:
        if low <= 1:
            return "*+"[low]
        return f"{{{low},}}" if low <= _RE2_MOST else "*"
    if high > _RE2_MOST:
        return "*"
    return f"{{{low},{high}}}"


def _literal(code: int, ignore: bool) -> Ranges:
    if not ignore:
        return [(code, code)]
    if code < 0x80:
        ch = chr(code)
        if not ch.isalpha():
            return [(code, code)]  # no other character folds to an ASCII digit or sign
        # Its other case, and any non-ASCII letter that folds to it (K to k, ſ to s, İ to i).
        lower, upper = ord(ch.lower()), ord(ch.upper())
        return [(lower, lower), (upper, upper), *NON_ASCII]
    return _LETTERS + NON_ASCII  # a non-ASCII letter may fold to an ASCII one (K is k)


def _in(items: Sequence[tuple[Any, Any]], ignore: bool) -> str:
    if items and items[0][0] is sre.NEGATE:
        # Leave out only what the class surely holds: the negation then keeps all it can.
        sure: Ranges = []
        for op, av in items[1:]:
            if op is sre.LITERAL:
                sure.append((av, av))
            elif op is sre.RANGE:
                sure.append(av)
            elif op is sre.CATEGORY and av in _CATEGORIES:
                sure += _CATEGORIES[av][1]
            else:
                raise Unsupported(str(op))
        return _class(sure, negate=True)
    wide: Ranges = []
    for op, av in items:
        if op is sre.LITERAL:
            wide += _literal(av, ignore)
        elif op is sre.RANGE:
            wide.append(av)
            if ignore:
                wide += _LETTERS + NON_ASCII
        elif op is sre.CATEGORY and av in _CATEGORIES:
            wide += _CATEGORIES[av][0]
        else:
            raise Unsupported(str(op))
    return _class(wide)


def _class(ranges: Ranges, negate: bool = False) -> str:
    if not ranges:
        return "(?s:.)" if negate else "[^\\x{0}-\\x{10FFFF}]"  # anything / nothing
    body = "".join(
        f"\\x{{{lo:x}}}" if lo == hi else f"\\x{{{lo:x}}}-\\x{{{hi:x}}}"
        for lo, hi in _merged(ranges)
    )
    return f"[^{body}]" if negate else f"[{body}]"


def _merged(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


@cache
def _re2() -> Any:
    """``google-re2``'s module, or None when the ``search`` extra is not installed."""
    try:
        import re2
    except ImportError:
        return None
    return re2


@lru_cache(maxsize=16)
def _compiled(loose: str) -> Any:
    """RE2's compiled ``loose`` pattern, on UTF-8 bytes (the str interface also maps byte
    offsets back to characters); None when RE2 is missing or refuses it."""
    re2 = _re2()
    if re2 is None:
        return None
    options = re2.Options()
    options.never_capture = True
    options.log_errors = False
    try:
        return re2.compile(loose.encode(), options)
    except re2.error:
        return None


def loose_re2(pattern: str, flags: int = 0) -> str | None:
    """``loose_pattern``, when RE2 is installed and takes it; else None (no quick scan)."""
    if _re2() is None:
        return None
    try:
        loose = loose_pattern(pattern, flags)
    except (Unsupported, re.error, RecursionError):  # nested past what a walk can take
        return None
    return loose if _compiled(loose) is not None else None


def quick_search(pattern: str, flags: int = 0) -> QuickSearch | None:
    """A test that is False only for texts ``re.compile(pattern, flags)`` finds nothing in;
    None when there is no such test (RE2 missing, or the pattern has no loose RE2 form)."""
    loose = loose_re2(pattern, flags)
    return None if loose is None else partial(may_match_utf8, loose)


def may_match_utf8(loose: str, text: bytes | str | None) -> bool:
    """Whether ``loose`` (from ``loose_re2``) matches ``text``'s UTF-8 bytes; True where RE2
    cannot tell (a lone surrogate has no UTF-8). Given bytes by SQLite, which hands a text over
    so when it is cast to BLOB: a text ruled out is then never decoded."""
    compiled = _compiled(loose)
    if compiled is None or text is None:
        return True
    try:
        return compiled.search(text.encode() if isinstance(text, str) else text) is not None
    except Exception:  # raised inside SQLite, it would fail the search: let re decide
        return True
