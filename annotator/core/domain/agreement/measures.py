"""Chance-corrected agreement on categorical judgements, and precision/recall/F1.

Every measure returns a ``Measure``: a value, or ``None`` with the reason it has none. A
coefficient whose denominator vanishes is undefined, and saying so is more honest than NaN or a
flattering 1.0. The sums are kept in integers (or fractions) and divided once at the end, so the
results do not depend on the order of the data and match the textbook formulas exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypedDict, TypeVar

C = TypeVar("C", bound=Hashable)  # a category
Item = TypeVar("Item", bound=tuple[Hashable, ...])  # the values an item was given

NO_ITEMS = "no items"
ONE_CATEGORY = "only one category used"
ONE_ANNOTATOR = "one annotator"
NOTHING_MARKED = "nothing marked by either annotator"


@dataclass(frozen=True)
class Measure:
    """One coefficient: ``value`` is None exactly when ``undefined`` says why."""

    value: float | None
    n: int
    undefined: str | None = None

    @staticmethod
    def none(n: int, reason: str) -> Measure:
        return Measure(None, n, reason)


def _ratio(numerator: int | Fraction, denominator: int | Fraction, n: int) -> Measure:
    """``numerator / denominator`` as a Measure; a zero denominator means one category only."""
    if denominator == 0:
        return Measure.none(n, ONE_CATEGORY)
    return Measure(float(Fraction(numerator) / Fraction(denominator)), n)


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> Measure:
    """Cohen's kappa for two annotators; each pair is (first's category, second's category)."""
    return cohen_kappa_table(Counter(pairs))


def cohen_kappa_table(table: Mapping[tuple[C, C], int]) -> Measure:
    """Cohen's kappa from a confusion table: (first's category, second's category) -> count.

    kappa = (p_o - p_e) / (1 - p_e), written over n² so it stays in integers. Undefined with no
    items, or when p_e = 1 (both used one and the same category: nothing to tell chance from).
    A table lets a caller count a large, uniform cell (e.g. "no link" / "no link") without
    listing its items.
    """
    n = sum(table.values())
    if n == 0:
        return Measure.none(0, NO_ITEMS)
    agree = 0
    first: Counter[C] = Counter()
    second: Counter[C] = Counter()
    for (a, b), count in table.items():
        if count < 0:
            raise ValueError(f"negative count {count} for ({a!r}, {b!r})")
        first[a] += count
        second[b] += count
        if a == b:
            agree += count
    chance = sum(count * second[category] for category, count in first.items())
    return _ratio(agree * n - chance, n * n - chance, n)


def fleiss_kappa(items: Sequence[Sequence[Hashable]]) -> Measure:
    """Fleiss' kappa; each item is the list of categories its raters gave.

    Fleiss assumes every item has the same number of ratings m. Items whose count differs from
    the most common count are left out (on a tie, the larger count wins, as it keeps more
    judgements per item); ``n`` is the number of items used. Undefined with no item rated at
    least twice, or when all ratings fall in one category.
    """
    return fleiss_kappa_counted(Counter(tuple(item) for item in items))


def fleiss_kappa_counted(items: Mapping[Item, int]) -> Measure:
    """``fleiss_kappa`` of items given as (ratings -> how many items have them).

    Large studies repeat the same few combinations of ratings over and over; counting them once
    each keeps the cost at the number of distinct combinations.
    """
    sizes: Counter[int] = Counter()
    for item, count in items.items():
        if len(item) >= 2:
            sizes[len(item)] += count
    if not sizes:
        return Measure.none(0, NO_ITEMS)
    m = max(sizes, key=lambda k: (sizes[k], k))
    ratings: Counter[Hashable] = Counter()
    same = 0  # sum over items and categories of n_ij²
    for item, count in items.items():
        if len(item) == m:
            per_item = Counter(item)
            for category, k in per_item.items():
                ratings[category] += k * count
                same += k * k * count
    n_items = sizes[m]
    total = n_items * m
    chance = sum(c * c for c in ratings.values())
    # P̄ = (same - total) / (total (m - 1)), P_e = chance / total²;
    # kappa = (P̄ - P_e) / (1 - P_e), multiplied through by total² (m - 1).
    numerator = (same - total) * total - chance * (m - 1)
    return _ratio(numerator, (m - 1) * (total * total - chance), n_items)


def krippendorff_alpha_nominal(items: Sequence[Mapping[str, Hashable]]) -> Measure:
    """Krippendorff's alpha, nominal metric; each item maps coder -> value, missing allowed.

    Built on the coincidence matrix: an item with m values contributes each ordered pair of
    values from different coders with weight 1 / (m - 1). Items with fewer than two values are
    not pairable and are left out; ``n`` is the number of pairable items. alpha = 1 - D_o / D_e.
    """
    return krippendorff_alpha_counted(Counter(tuple(item.values()) for item in items))


def krippendorff_alpha_counted(items: Mapping[Item, int]) -> Measure:
    """``krippendorff_alpha_nominal`` of items given as (values -> how many items have them).

    The nominal coincidence matrix does not depend on which coder gave which value, only on the
    values of each item, so an item is the tuple of its values (missing ones left out).
    """
    differing: Counter[int] = Counter()  # m -> ordered pairs of differing values, items of size m
    pairable: Counter[Hashable] = Counter()
    used = 0
    for item, count in items.items():
        m = len(item)
        if m < 2:
            continue
        used += count
        per_item = Counter(item)
        for category, k in per_item.items():
            pairable[category] += k * count
        differing[m] += (m * m - sum(k * k for k in per_item.values())) * count
    if used == 0:
        return Measure.none(0, NO_ITEMS)
    observed = sum((Fraction(d, m - 1) for m, d in differing.items()), Fraction(0))
    n = pairable.total()
    expected = n * n - sum(c * c for c in pairable.values())
    if expected == 0:
        return Measure.none(used, ONE_CATEGORY)
    return Measure(float(1 - (n - 1) * observed / expected), used)


class PRF(TypedDict, total=False):
    precision: float | None
    recall: float | None
    f1: float | None
    tp: int
    fp: int
    fn: int
    undefined: str


def prf(tp: int, fp: int, fn: int) -> PRF:
    """Precision, recall and F1 from counts; ``undefined`` says "key: reason; ..." for the Nones.

    F1 = 2tp / (2tp + fp + fn) is defined whenever anything was marked, even when precision or
    recall is not (nothing predicted: F1 is 0, not undefined).
    """
    result: PRF = {"precision": None, "recall": None, "f1": None, "tp": tp, "fp": fp, "fn": fn}
    reasons = []
    if tp + fp:
        result["precision"] = tp / (tp + fp)
    else:
        reasons.append("precision: nothing predicted")
    if tp + fn:
        result["recall"] = tp / (tp + fn)
    else:
        reasons.append("recall: nothing in the reference")
    if tp + fp + fn:
        result["f1"] = 2 * tp / (2 * tp + fp + fn)
    else:
        reasons = [f"{key}: {NOTHING_MARKED}" for key in ("precision", "recall", "f1")]
    if reasons:
        result["undefined"] = "; ".join(reasons)
    return result
