"""Pairing two annotators' spans in one document, to count agreement span by span.

Two modes, because "the same span" means different things to different teams: ``exact`` asks
for the same start, end and label; ``overlap`` accepts any overlap with the same label, so that a
quote taken with or without its closing full stop still counts. Matching is one-to-one: a span
agrees with at most one span of the other annotator, or F1 would reward duplicates.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal, NamedTuple

from annotator.core.domain.agreement.items import SpanItem

Mode = Literal["exact", "overlap"]
MODES: tuple[Mode, ...] = ("exact", "overlap")


class Counts(NamedTuple):
    """Per label: matched pairs, spans only the second has (fp), spans only the first has (fn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0


@dataclass(frozen=True)
class SpanMatch:
    """Matched (first's id, second's id) pairs with their labels, and the counts per label."""

    pairs: tuple[tuple[int, int], ...]
    labels: tuple[str, ...]  # the label of each pair (both spans have it)
    counts: dict[str, Counts]


class Indexed:
    """One annotator's spans in one document, indexed once to be matched against several.

    ``label_of`` maps span id -> label; ``by_key`` (start, end, label) -> ids; ``totals``
    label -> number of spans; ``intervals`` label -> the distinct (start, end) of its
    non-empty spans; ``reach`` the smallest start and the largest end (to check them at once).
    """

    __slots__ = ("_by_label", "by_key", "intervals", "label_of", "reach", "spans", "totals")

    def __init__(self, spans: Sequence[SpanItem]) -> None:
        self.spans = spans
        self.label_of = {span[0]: span[3] for span in spans}  # (id, start, end, label, ...)
        by_key: dict[tuple[int, int, str], list[int]] = {}
        intervals: dict[str, list[tuple[int, int]]] = {}
        for span in spans:
            key = span[1:4]  # (start, end, label): a slice of the named tuple, made in C
            found = by_key.get(key)
            if found is not None:
                found.append(span[0])
                continue
            by_key[key] = [span[0]]
            if key[1] > key[0]:
                per_label = intervals.get(key[2])
                if per_label is None:
                    intervals[key[2]] = [key[:2]]
                else:
                    per_label.append(key[:2])
        self.by_key = by_key
        self.intervals = intervals
        if spans:
            self.reach = (min(map(attrgetter("start"), spans)), max(map(attrgetter("end"), spans)))
        else:
            self.reach = (0, 0)
        self.totals = Counter(map(attrgetter("label"), spans))
        self._by_label: dict[str, tuple[list[int], list[SpanItem], int]] | None = None

    def by_label(self) -> dict[str, tuple[list[int], list[SpanItem], int]]:
        """label -> (starts, spans sorted by start, longest length), for overlap search."""
        if self._by_label is None:
            grouped: dict[str, list[SpanItem]] = defaultdict(list)
            for span in self.spans:
                if span.end > span.start:
                    grouped[span.label].append(span)
            self._by_label = {}
            for label, items in grouped.items():
                items.sort(key=attrgetter("start", "end", "id"))
                longest = max(s.end - s.start for s in items)
                self._by_label[label] = ([s.start for s in items], items, longest)
        return self._by_label


def match_spans(first: Sequence[SpanItem], second: Sequence[SpanItem], mode: Mode) -> SpanMatch:
    """Match ``first`` (the reference) against ``second`` (the prediction) in one document.

    exact: same (start, end, label); identical duplicates pair off in id order.
    overlap: same label and at least one character in common; pairs are taken greedily by the
    largest overlap, ties broken by the smaller boundary shift, then by position and id, so the
    result never depends on the input order. Pairs come back sorted by the first's id.
    """
    return match_indexed(Indexed(first), Indexed(second), mode)


def match_indexed(first: Indexed, second: Indexed, mode: Mode) -> SpanMatch:
    """``match_spans`` on spans indexed beforehand (each annotator's once, not once a pair)."""
    if mode == "exact":
        found = _exact(first, second)
    elif mode == "overlap":
        found = _overlap(first, second)
    else:
        raise ValueError(f"unknown matching mode {mode!r}; use one of {', '.join(MODES)}")
    if not found:
        pairs: tuple[tuple[int, int], ...] = ()
        labels: tuple[str, ...] = ()
    else:
        found.sort()
        firsts, seconds, labels = zip(*found, strict=True)
        pairs = tuple(zip(firsts, seconds, strict=True))
    tp = Counter(labels)
    counts = {
        label: Counts(tp[label], second.totals[label] - tp[label], first.totals[label] - tp[label])
        for label in sorted(first.totals.keys() | second.totals.keys())
    }
    return SpanMatch(pairs, labels, counts)


def _exact(first: Indexed, second: Indexed) -> list[tuple[int, int, str]]:
    found = []
    theirs = second.by_key
    for key, ids in first.by_key.items():
        other = theirs.get(key)
        if other is None:
            continue
        if len(ids) == 1 and len(other) == 1:
            found.append((ids[0], other[0], key[2]))
        else:  # identical duplicates: pair them off in id order
            found.extend((a, b, key[2]) for a, b in zip(sorted(ids), sorted(other), strict=False))
    return found


def _overlap(first: Indexed, second: Indexed) -> list[tuple[int, int, str]]:
    """Greedy one-to-one matching by the largest overlap.

    A pair with identical boundaries, unique on both sides, is always taken: no pair with
    either span overlaps more, and on equal overlap the shift of 0 comes first. So those pairs
    are taken up front and only the other spans go through the search.
    """
    found = []
    rest: list[tuple[int, int, str, int]] = []  # (start, end, label, id) not matched up front
    taken_b: set[int] = set()
    theirs = second.by_key
    for key, ids in first.by_key.items():
        other = theirs.get(key)
        if other is not None and len(ids) == 1 and len(other) == 1 and key[1] > key[0]:
            found.append((ids[0], other[0], key[2]))
            taken_b.add(other[0])
        elif key[1] > key[0]:
            rest.extend((*key, ident) for ident in ids)
    if not rest:
        return found
    index = second.by_label()
    candidates = []
    for a_start, a_end, label, a_id in rest:
        entry = index.get(label)
        if entry is None:
            continue
        starts, spans, longest = entry
        # Only a span starting after a_start - longest and before a_end can overlap it.
        for b in spans[bisect_right(starts, a_start - longest) : bisect_left(starts, a_end)]:
            b_start, b_end = b.start, b.end
            common = (a_end if a_end < b_end else b_end) - (
                a_start if a_start > b_start else b_start
            )
            if common > 0 and b.id not in taken_b:
                shift = abs(a_start - b_start) + abs(a_end - b_end)
                candidates.append((-common, shift, a_start, b_start, a_id, b.id, label))
    candidates.sort()
    taken_a: set[int] = set()
    for *_, a_id, b_id, label in candidates:
        if a_id not in taken_a and b_id not in taken_b:
            taken_a.add(a_id)
            taken_b.add(b_id)
            found.append((a_id, b_id, label))
    return found
