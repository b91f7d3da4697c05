"""Whether a regular expression may keep Python's ``re`` busy for a long time on one text.

``re`` backtracks: ``(a+)+$`` over forty ``a`` and a ``b`` takes hours, ``.*.*x`` over a long
line without ``x`` grows with the line's length cubed. While it runs it holds the interpreter
lock and ignores Ctrl+C, so a search thread cannot be stopped and the window does not repaint.
A search whose expression has such a shape runs in a child process instead, which stopping
kills (``services/search_child.py``). The test is deliberately broad: a false alarm costs a
process start, a miss a frozen window.

Such a shape is: a repeat of something that itself repeats, branches or refers back; a back
reference; or an open-ended repeat of something that can match white space (it then runs over
words and lines, not within a word).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
OPEN_ENDED = 64  # a repeat allowed more times than this is open-ended (``+``, ``*``, ``{2,}``)
_BACKTRACKING = (*REPEATS, sre.BRANCH, sre.GROUPREF, sre.GROUPREF_EXISTS)
_SPACE = " \t\n\r\f\v\u00a0\u2028"


def may_backtrack_long(pattern: str, ignore_case: bool = False) -> bool:
    """Whether ``pattern`` has a shape that can take ``re`` far longer than its text's length
    (see the module's docstring). A pattern that does not compile says False: it never runs."""
    items = _parsed(pattern, ignore_case)
    return items is not None and _anywhere(items, _risky)


def repeats_a_repeat(pattern: str, ignore_case: bool = False) -> bool:
    """Whether ``pattern`` repeats something that itself repeats, branches or refers back
    (``(\\w+\\s?)+``): the shape whose time can grow exponentially with the text, the worst
    of those ``may_backtrack_long`` names. A pattern that does not compile says False."""
    items = _parsed(pattern, ignore_case)
    return items is not None and _anywhere(items, _repeats_backtracking)


def _parsed(pattern: str, ignore_case: bool) -> list[tuple[Any, Any]] | None:
    try:
        return list(_parser.parse(pattern, re.IGNORECASE if ignore_case else 0))
    except re.error:
        return None


def _anywhere(items: list[tuple[Any, Any]], test: Callable[[Any, Any], bool]) -> bool:
    """Whether ``test(op, av)`` holds for an item of ``items`` or of any pattern inside one."""
    return any(
        test(op, av) or any(_anywhere(list(inner), test) for inner in sub_patterns(op, av))
        for op, av in items
    )


def _repeats_backtracking(op: Any, av: Any) -> bool:
    """A repeat, more than once, of something that repeats, branches or refers back."""
    return op in REPEATS and av[1] > 1 and any(_holds(_BACKTRACKING, i) for i in list(av[2]))


def _risky(op: Any, av: Any) -> bool:
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS) or _repeats_backtracking(op, av):
        return True
    return op in REPEATS and av[1] > OPEN_ENDED and _may_match_space(list(av[2]))


def _holds(ops: tuple[Any, ...], item: tuple[Any, Any]) -> bool:
    """Whether ``item`` is, or holds, one of ``ops``."""
    op, av = item
    return op in ops or any(_holds(ops, sub) for inner in sub_patterns(op, av) for sub in inner)


def _may_match_space(items: list[tuple[Any, Any]]) -> bool:
    """Whether a repeat's body may match a white-space character: broad, so unknown is yes."""
    for op, av in items:
        if op is sre.LITERAL:
            if chr(av) in _SPACE:
                return True
        elif op is sre.IN:
            if _class_may_match_space(av):
                return True
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP):
            if any(_may_match_space(list(inner)) for inner in sub_patterns(op, av)):
                return True
        else:  # any character, a negated literal, anything not known here
            return True
    return False


def _class_may_match_space(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is sre.NEGATE:
            return True
        if op is sre.LITERAL and chr(av) in _SPACE:
            return True
        if op is sre.RANGE and any(av[0] <= ord(c) <= av[1] for c in _SPACE):
            return True
        if op is sre.CATEGORY and av not in (
            sre.CATEGORY_DIGIT,
            sre.CATEGORY_WORD,
            sre.CATEGORY_UNI_DIGIT,
            sre.CATEGORY_UNI_WORD,
            sre.CATEGORY_LOC_WORD,
        ):
            return True
    return False


def sub_patterns(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of a node of ``re._parser``'s tree (a repeat's body, a group's, each
    branch, ...): what a walk over a parsed pattern descends into."""
    if op in REPEATS:
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[3]]
    if op is sre.BRANCH:
        return list(av[1])
    if op is sre.ATOMIC_GROUP:
        return [av]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []
