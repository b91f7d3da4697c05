"""Krippendorff's unitizing alpha (alpha_u) for labelled spans on a continuum of characters.

Span agreement by F1 depends on how "a match" is defined; alpha_u needs no matching. It compares
how the annotators cut the text into units and gaps, weighs every disagreement by its squared
length, and corrects for chance by all the ways the same units could lie on the same continuum
(Krippendorff 1995, 2004). Computed per category as DKPro Statistics'
``KrippendorffAlphaUnitizingAgreement`` does, and over all categories by averaging the observed
and the expected disagreements before dividing. The formulas are in ``continuum``.

Sums stay in integers and each coefficient is one integer division, which Python rounds
correctly: equal inputs give equal results and long documents lose no precision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from math import prod
from typing import NamedTuple

from annotator.core.domain.agreement.continuum import (
    Interval,
    Sums,
    distance,
    expected,
    joined_gaps,
)
from annotator.core.domain.agreement.measures import ONE_ANNOTATOR, Measure

__all__ = ["Continuum", "Grouped", "Unit", "UnitizingResult", "alpha_u", "alpha_u_each", "distance"]

NO_UNITS = "no units"
NO_EXPECTED = "no expected disagreement"


class Unit(NamedTuple):
    """One annotator's unit: ``category`` over [start, start + length)."""

    rater: str
    category: Hashable
    start: int
    length: int


@dataclass(frozen=True)
class Continuum:
    """A text of ``length`` characters (offsets from 0) and the units marked on it."""

    length: int
    units: Sequence[Unit]


@dataclass(frozen=True)
class Grouped:
    """A continuum whose units are grouped already: category -> per rater (in the order of
    ``raters``) the (start, end) intervals. What a caller holding spans per annotator builds
    in one pass, without a Unit per span."""

    length: int
    intervals: Mapping[Hashable, Sequence[list[Interval]]]


@dataclass(frozen=True)
class UnitizingResult:
    """alpha_u overall and per category, with the disagreements it came from (for checking)."""

    overall: Measure
    categories: dict[Hashable, Measure] = field(default_factory=dict)
    observed: dict[Hashable, float] = field(default_factory=dict)
    expected: dict[Hashable, float] = field(default_factory=dict)


def alpha_u(continua: Sequence[Continuum | Grouped], raters: Sequence[str]) -> UnitizingResult:
    """alpha_u of ``raters`` over the continua, laid end to end as one continuum.

    Every rater is taken to have unitized every continuum: a rater without units there marked it
    all as gap. Documents are concatenated (the usual way to get one figure for a corpus), so a
    gap at the end of one text joins the gap at the start of the next. A rater's overlapping
    units of one category are merged into their union first: the measure is defined on a
    partition of the text into units and gaps, which overlapping units do not form. A unit must
    have a positive length and lie within its continuum (ValueError otherwise).

    ``n`` of each Measure is the number of units (after merging) it rests on.
    """
    names = list(dict.fromkeys(raters))
    return _result([(c.length, _sums(c, names)) for c in continua], len(names))


def alpha_u_each(
    continua: Sequence[Continuum | Grouped], raters: Sequence[str]
) -> tuple[UnitizingResult, list[UnitizingResult]]:
    """``alpha_u`` over all the continua together, and for each one alone, in one pass."""
    names = list(dict.fromkeys(raters))
    parts = [(continuum.length, _sums(continuum, names)) for continuum in continua]
    return _result(parts, len(names)), [_result([part], len(names)) for part in parts]


Part = tuple[int, dict[Hashable, Sums]]  # a continuum's length and its sums per category


def _sums(continuum: Continuum | Grouped, raters: list[str]) -> dict[Hashable, Sums]:
    if isinstance(continuum, Grouped):
        grouped = continuum.intervals
        if any(len(per_rater) != len(raters) for per_rater in grouped.values()):
            raise ValueError(f"grouped intervals need one list per rater ({len(raters)})")
    else:
        index = {name: i for i, name in enumerate(raters)}
        found: dict[Hashable, list[list[Interval]]] = {}
        for rater, category, start, length in continuum.units:
            per_rater = found.get(category)
            if per_rater is None:
                per_rater = found[category] = [[] for _ in raters]
            if rater not in index:
                raise ValueError(f"unit of an unknown rater {rater!r}")
            per_rater[index[rater]].append((start, start + length))
        grouped = found
    return {
        category: Sums.of(continuum.length, per_rater) for category, per_rater in grouped.items()
    }


def _result(parts: Sequence[Part], raters: int) -> UnitizingResult:
    """alpha_u over ``parts`` laid end to end.

    D_o = 2·observed / (R(R-1)L²) and D_e = expected / below are integer ratios, so
    alpha = 1 - D_o/D_e is one integer division (correctly rounded by Python).
    """
    categories = list(dict.fromkeys(c for _, found in parts for c in found))
    total_units = sum(len(s.lengths) for _, found in parts for s in found.values())
    if raters < 2:
        return UnitizingResult(Measure.none(total_units, ONE_ANNOTATOR))
    if not categories:
        return UnitizingResult(Measure.none(0, NO_UNITS))
    whole = sum(size for size, _ in parts)
    per_pair = raters * (raters - 1) * whole * whole
    result = UnitizingResult(Measure.none(total_units, NO_EXPECTED))  # overall set at the end
    sum_observed = 0
    expectations = []  # (numerator, denominator) of each category's D_e
    for category in categories:
        found = [(size, sums.get(category)) for size, sums in parts]
        present = [sums for _, sums in found if sums is not None]
        observed = 2 * sum(sums.observed for sums in present)
        lengths = Counter(chain.from_iterable(sums.lengths for sums in present))
        numerator, below = expected(lengths, Counter(joined_gaps(found, raters)), raters, whole)
        units = lengths.total()
        if numerator == 0:
            result.categories[category] = Measure.none(units, NO_EXPECTED)
        else:
            scale = per_pair * numerator
            result.categories[category] = Measure((scale - observed * below) / scale, units)
        result.observed[category] = observed / per_pair
        result.expected[category] = numerator / below
        sum_observed += observed
        expectations.append((numerator, below))
    # Both disagreements averaged over the categories, then divided: the 1/|categories| cancels.
    # The D_e add up over the product of their denominators.
    common = prod(below for _, below in expectations)
    sum_expected = sum(numerator * (common // below) for numerator, below in expectations)
    if sum_expected == 0:
        return result
    scale = per_pair * sum_expected
    overall = Measure((scale - sum_observed * common) / scale, total_units)
    return UnitizingResult(overall, result.categories, result.observed, result.expected)
