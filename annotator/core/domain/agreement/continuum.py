"""The sums alpha_u is made of, for one category on one continuum, and how they add up.

Kept apart from ``unitizing`` (which assembles the coefficient) because this is where the
formulas live: Krippendorff's distance between segments, the observed disagreement as a sweep
over two raters' units, and the expected disagreement over all placements of units in gaps.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

Interval = tuple[int, int]  # [start, end) on the continuum


def distance(start1: int, length1: int, unit1: bool, start2: int, length2: int, unit2: bool) -> int:
    """Krippendorff's squared distance between two segments (a unit, or a gap when not ``unit``).

    Two overlapping units differ by the squares of their start and end offsets; a unit lying
    wholly inside the other annotator's gap counts its squared length; anything else is 0.
    """
    if unit1 and unit2:
        if start1 < start2 + length2 and start2 < start1 + length1:
            return (start1 - start2) ** 2 + (start1 + length1 - start2 - length2) ** 2
        return 0
    if unit1 and not unit2 and start2 <= start1 and start1 + length1 <= start2 + length2:
        return length1 * length1
    if unit2 and not unit1 and start1 <= start2 and start2 + length2 <= start1 + length1:
        return length2 * length2
    return 0


@dataclass(frozen=True)
class Sums:
    """One category on one continuum: what alpha_u needs, in parts that add across continua.

    ``observed``: sum over rater pairs of the squared distances. ``lengths``: every unit's
    length. ``inner_gaps``: the gaps between two units of one rater. ``edges``: per rater, the
    gap before its first and after its last unit, or None when it has no unit here.
    """

    size: int
    observed: int
    lengths: list[int]
    inner_gaps: list[int]
    edges: list[tuple[int, int] | None]

    @staticmethod
    def of(size: int, per_rater: Sequence[list[Interval]]) -> Sums:
        units = [_merged(intervals, size) for intervals in per_rater]
        lengths = [e - s for ivs in units for s, e in ivs]
        observed = sum(_pair_observed(a, b) for a, b in combinations(units, 2))
        return Sums(
            size,
            observed,
            lengths,
            [b - e for ivs in units for (_, e), (b, _) in pairwise(ivs) if b > e],
            [(ivs[0][0], size - ivs[-1][1]) if ivs else None for ivs in units],
        )


def joined_gaps(sums: Sequence[tuple[int, Sums | None]], raters: int) -> list[int]:
    """Every gap of the continua (size, sums or None) laid end to end: edge gaps join up."""
    gaps = [g for _, found in sums if found is not None for g in found.inner_gaps]
    for r in range(raters):
        carry = 0  # the open gap reaching into this continuum from the previous ones
        for size, found in sums:
            edge = found.edges[r] if found is not None else None
            if edge is None:
                carry += size
            else:
                if carry + edge[0]:
                    gaps.append(carry + edge[0])
                carry = edge[1]
        if carry:
            gaps.append(carry)
    return gaps


def expected(lengths: Counter[int], gaps: Counter[int], raters: int, whole: int) -> tuple[int, int]:
    """D_e as (numerator, denominator): the mean squared distance over all placements.

    D_e = 2/L * sum over units of [(N - 1) l(l-1)(2l-1)/3 + l² * sum over gaps g >= l of
    (g - l + 1)], divided by R·L(R·L - 1) - sum over units of l(l - 1); computed per distinct
    length, with suffix sums over the sorted distinct gap lengths.
    """
    n_units = lengths.total()
    gap_sizes = sorted(gaps)
    count_from = [0] * (len(gap_sizes) + 1)  # how many gaps are >= gap_sizes[k]
    total_from = [0] * (len(gap_sizes) + 1)  # and their total length
    for k in range(len(gap_sizes) - 1, -1, -1):
        g = gap_sizes[k]
        count_from[k] = count_from[k + 1] + gaps[g]
        total_from[k] = total_from[k + 1] + gaps[g] * g
    within = 0  # sum of l(l-1)(2l-1), a multiple of 6
    placed = 0
    squares = 0
    for length, count in lengths.items():
        within += count * length * (length - 1) * (2 * length - 1)
        k = bisect_left(gap_sizes, length)
        fits = total_from[k] - (length - 1) * count_from[k]
        placed += count * length * length * fits
        squares += count * length * (length - 1)
    numerator = (n_units - 1) * within // 3 + placed
    return 2 * numerator, whole * (raters * whole * (raters * whole - 1) - squares)


def _merged(intervals: list[Interval], size: int) -> list[Interval]:
    """Sorted, overlapping intervals joined; each must be non-empty and lie in [0, size]."""
    out: list[Interval] = []
    reach = 0
    for start, end in sorted(intervals):
        if end <= start:
            raise ValueError(f"unit {start}-{end} is empty")
        if out and start < reach:
            reach = max(end, reach)
            out[-1] = (out[-1][0], reach)
        else:
            out.append((start, end))
            reach = end
    if out and (out[0][0] < 0 or out[-1][1] > size):
        raise ValueError(f"a unit does not lie on the continuum [0, {size}]")
    return out


def _pair_observed(a: list[Interval], b: list[Interval]) -> int:
    """Two raters' units of one category: overlapping pairs by offsets, lone units by length².

    A unit that overlaps none of the other's units lies inside one of the other's gaps; a unit
    that overlaps some unit of the other is inside none of its gaps. So these are all the
    non-zero distances between the two partitions (``distance`` for each pair of segments).
    Units both raters marked alike overlap nothing else and add 0: they are set aside first.
    """
    same = set(a).intersection(b)
    if same:
        if len(same) == len(a) == len(b):
            return 0
        a = [iv for iv in a if iv not in same]
        b = [iv for iv in b if iv not in same]
    total = sum((e - s) * (e - s) for s, e in a) + sum((e - s) * (e - s) for s, e in b)
    # Each overlapping pair adds its distance; a unit found overlapping is no longer lone.
    i = j = 0
    last_i = last_j = -1
    na, nb = len(a), len(b)
    while i < na and j < nb:
        s1, e1 = a[i]
        s2, e2 = b[j]
        if s1 < e2 and s2 < e1:
            total += (s1 - s2) * (s1 - s2) + (e1 - e2) * (e1 - e2)
            if i != last_i:
                total -= (e1 - s1) * (e1 - s1)
                last_i = i
            if j != last_j:
                total -= (e2 - s2) * (e2 - s2)
                last_j = j
        if e1 <= e2:
            i += 1
        else:
            j += 1
    return total
