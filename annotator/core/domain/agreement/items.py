"""The plain data agreement is computed from: one annotator's spans and links in one document.

The services read these from the database; the domain never sees a session or a row, so the
measures can be checked on hand-made data and run anywhere.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple, cast

_NO_VALUES: Mapping[str, object] = MappingProxyType({})


class SpanItem(NamedTuple):
    """One span: offsets into the document text, label, attribute values.

    ``id`` is unique among one annotator's spans in one document; links refer to it. A named
    tuple, not a dataclass: a large team corpus is read into hundreds of thousands of these.
    """

    id: int
    start: int
    end: int
    label: str
    attributes: Mapping[str, object] = _NO_VALUES


class LinkItem(NamedTuple):
    """A relation ``label`` from one span (``source_id``) to another (``target_id``), with
    the link's own values (stance toward its target)."""

    label: str
    source_id: int
    target_id: int
    attributes: Mapping[str, object] = _NO_VALUES


@dataclass(frozen=True)
class DocAnnotations:
    """What one annotator marked in one document of ``length`` characters."""

    length: int
    spans: Sequence[SpanItem] = ()
    links: Sequence[LinkItem] = ()


_PLAIN = frozenset({str, int, bool, float})


def category_of(value: object) -> Hashable:
    """An attribute value as a category to compare: unset is a category of its own.

    None, a missing key and an empty multi-choice all mean "not set" and compare equal to each
    other and unequal to every value; a multi-choice compares as a set (order does not matter);
    anything unhashable compares by its repr.
    """
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(category_of(v) for v in value) or None
    if isinstance(value, Hashable):
        return value
    return repr(value)


def categories_of(raw: dict[int, tuple[object, ...]]) -> dict[int, tuple[Hashable, ...]]:
    """``category_of`` each value of each tuple (span id -> its attribute values).

    Choice and bool attributes hold plain values, which are their own categories: when every
    value is plain the dict comes back as it is, without a call per value.
    """
    try:
        distinct = set(raw.values())
    except TypeError:  # a list among the values (a multi-choice attribute)
        distinct = None
    if distinct is not None and all(
        value is None or type(value) in _PLAIN for values in distinct for value in values
    ):
        return cast(dict[int, tuple[Hashable, ...]], raw)  # plain values are hashable
    return {ident: tuple(map(category_of, values)) for ident, values in raw.items()}
