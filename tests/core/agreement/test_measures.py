"""Cohen's and Fleiss' kappa, Krippendorff's alpha and P/R/F1 against independent implementations.

scikit-learn, statsmodels and the ``krippendorff`` package compute the same coefficients in
floating point; on any data where a coefficient is defined, ours must agree within 1e-9. Where it
is undefined, it must say why instead of returning NaN or 1.0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from krippendorff import alpha as krippendorff_alpha
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from annotator.core.domain.agreement import (
    Measure,
    cohen_kappa,
    cohen_kappa_table,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    prf,
)
from annotator.core.domain.agreement.measures import (
    NO_ITEMS,
    ONE_CATEGORY,
    fleiss_kappa_counted,
    krippendorff_alpha_counted,
)

TOLERANCE = 1e-9
PROPERTY = settings(max_examples=300, deadline=None)

category = st.integers(min_value=0, max_value=3)


# -- Cohen's kappa ------------------------------------------------------------------------------


@PROPERTY
@given(st.lists(st.tuples(category, category), min_size=1, max_size=60))
def test_cohen_kappa_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    ours = cohen_kappa(pairs)
    assert ours.n == len(pairs)
    used = sorted({c for pair in pairs for c in pair})
    if len(used) == 1:
        # p_e = 1: nothing to tell agreement from chance (scikit-learn divides 0 by 0).
        assert ours == Measure(None, len(pairs), ONE_CATEGORY)
        return
    first, second = zip(*pairs, strict=True)
    reference = cohen_kappa_score(first, second, labels=used)
    assert ours.value is not None
    assert ours.value == pytest.approx(reference, abs=TOLERANCE)


def test_cohen_kappa_by_hand() -> None:
    # 10 items: 7 agree (4 yes/yes, 3 no/no); yes/no 2, no/yes 1.
    # p_o = 0.7; first says yes 6 times, second 5 times: p_e = (6*5 + 4*5) / 100 = 0.5.
    pairs = [("y", "y")] * 4 + [("n", "n")] * 3 + [("y", "n")] * 2 + [("n", "y")]
    assert cohen_kappa(pairs) == Measure(0.4, 10)


def test_cohen_kappa_perfect_agreement_and_undefined_cases() -> None:
    assert cohen_kappa([("a", "a"), ("b", "b"), ("a", "a")]) == Measure(1.0, 3)
    assert cohen_kappa([]) == Measure(None, 0, NO_ITEMS)
    # Perfect agreement on a single category is not kappa 1.0: it is undefined.
    assert cohen_kappa([("a", "a")] * 5) == Measure(None, 5, ONE_CATEGORY)
    # Systematic disagreement is negative, not undefined.
    assert cohen_kappa([("a", "b"), ("b", "a")]) == Measure(-1.0, 2)


def test_cohen_kappa_table_equals_listing_the_items() -> None:
    table = {("R", "R"): 3, ("R", "none"): 1, ("none", "R"): 2, ("none", "none"): 40}
    listed = [pair for pair, count in table.items() for _ in range(count)]
    assert cohen_kappa_table(table) == cohen_kappa(listed)
    with pytest.raises(ValueError, match="negative"):
        cohen_kappa_table({("a", "a"): -1})


# -- Fleiss' kappa ------------------------------------------------------------------------------


@st.composite
def rated_items(draw: st.DrawFn) -> list[list[int]]:
    """Items all rated by the same number of raters."""
    raters = draw(st.integers(min_value=2, max_value=5))
    return draw(st.lists(st.lists(category, min_size=raters, max_size=raters), min_size=1))


@PROPERTY
@given(rated_items())
def test_fleiss_kappa_matches_statsmodels(items: list[list[int]]) -> None:
    ours = fleiss_kappa(items)
    assert ours.n == len(items)
    if len({c for item in items for c in item}) == 1:
        assert ours == Measure(None, len(items), ONE_CATEGORY)
        return
    table, _ = aggregate_raters(np.array(items))
    reference = statsmodels_fleiss(table, method="fleiss")
    assert ours.value is not None
    assert ours.value == pytest.approx(reference, abs=TOLERANCE)


@PROPERTY
@given(rated_items(), st.lists(st.lists(category, min_size=0, max_size=6), max_size=3))
def test_fleiss_kappa_uses_only_the_most_common_number_of_ratings(
    items: list[list[int]], odd: list[list[int]]
) -> None:
    """Items with another number of ratings, fewer than the modal ones, are left out."""
    m = len(items[0])
    odd = [item for item in odd if len(item) != m]
    # Keep the modal count the modal count: more odd items than regular ones would change it.
    if len(odd) >= len(items):
        odd = odd[: len(items) - 1]
    assert fleiss_kappa(items + odd) == fleiss_kappa(items)


def test_fleiss_kappa_on_a_tie_keeps_the_larger_number_of_ratings() -> None:
    two = [["a", "b"], ["a", "a"]]
    three = [["a", "a", "b"], ["b", "b", "b"]]
    assert fleiss_kappa(two + three) == fleiss_kappa(three)


def test_fleiss_kappa_undefined_cases() -> None:
    assert fleiss_kappa([]) == Measure(None, 0, NO_ITEMS)
    assert fleiss_kappa([["a"], ["b"]]) == Measure(None, 0, NO_ITEMS)  # one rating per item
    assert fleiss_kappa([["a", "a"], ["a", "a"]]) == Measure(None, 2, ONE_CATEGORY)
    assert fleiss_kappa([["a", "a"], ["b", "b"]]) == Measure(1.0, 2)


def test_fleiss_kappa_counted_equals_listing_the_items() -> None:
    items = [("a", "b", "b")] * 5 + [("a", "a", "a")] * 3 + [("c", "b", "a")]
    counted = {("a", "b", "b"): 5, ("a", "a", "a"): 3, ("c", "b", "a"): 1}
    assert fleiss_kappa_counted(counted) == fleiss_kappa(items)


# -- Krippendorff's alpha -----------------------------------------------------------------------


@st.composite
def coded_items(draw: st.DrawFn) -> list[dict[str, int]]:
    """Items coded by up to four coders, any of whom may be missing."""
    coders = [f"c{i}" for i in range(draw(st.integers(min_value=2, max_value=4)))]
    value = st.one_of(st.none(), category)
    rows = draw(st.lists(st.lists(value, min_size=len(coders), max_size=len(coders)), min_size=1))
    return [{c: v for c, v in zip(coders, row, strict=True) if v is not None} for row in rows]


def _reliability_matrix(items: Sequence[Mapping[str, object]]) -> np.ndarray:
    coders = sorted({c for item in items for c in item})
    return np.array([[item.get(c, np.nan) for item in items] for c in coders], dtype=float)


@PROPERTY
@given(coded_items())
def test_krippendorff_alpha_matches_the_krippendorff_package(items: list[dict[str, int]]) -> None:
    ours = krippendorff_alpha_nominal(items)
    pairable = [item for item in items if len(item) >= 2]
    assert ours.n == len(pairable)
    if not pairable:
        assert ours == Measure(None, 0, NO_ITEMS)
        return
    if len({v for item in pairable for v in item.values()}) == 1:
        assert ours == Measure(None, len(pairable), ONE_CATEGORY)
        return
    reference = krippendorff_alpha(
        reliability_data=_reliability_matrix(items), level_of_measurement="nominal"
    )
    assert ours.value is not None
    assert ours.value == pytest.approx(reference, abs=TOLERANCE)


def test_krippendorff_alpha_published_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal data with
    missing values: 4 coders, 12 units, alpha = 0.743."""
    rows = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    items = [
        {f"c{i}": row[u] for i, row in enumerate(rows) if row[u] is not None} for u in range(12)
    ]
    ours = krippendorff_alpha_nominal(items)
    assert ours.n == 11  # the last unit has a single value
    assert ours.value == pytest.approx(0.743, abs=5e-4)
    reference = krippendorff_alpha(
        reliability_data=_reliability_matrix(items), level_of_measurement="nominal"
    )
    assert ours.value == pytest.approx(reference, abs=TOLERANCE)


def test_krippendorff_alpha_undefined_and_perfect() -> None:
    assert krippendorff_alpha_nominal([]) == Measure(None, 0, NO_ITEMS)
    assert krippendorff_alpha_nominal([{"a": 1}, {"b": 2}]) == Measure(None, 0, NO_ITEMS)
    assert krippendorff_alpha_nominal([{"a": 1, "b": 1}] * 3) == Measure(None, 3, ONE_CATEGORY)
    assert krippendorff_alpha_nominal([{"a": 1, "b": 1}, {"a": 2, "b": 2}]) == Measure(1.0, 2)


def test_krippendorff_alpha_counted_equals_listing_the_items() -> None:
    items = [{"a": "x", "b": "y"}] * 4 + [{"a": "x", "b": "x", "c": "x"}] * 2 + [{"b": "y"}]
    counted = {("x", "y"): 4, ("x", "x", "x"): 2, ("y",): 1}
    assert krippendorff_alpha_counted(counted) == krippendorff_alpha_nominal(items)


# -- Precision, recall, F1 ----------------------------------------------------------------------


def test_prf_by_hand() -> None:
    assert prf(3, 1, 2) == {
        "precision": 0.75,
        "recall": 0.6,
        "f1": 6 / 9,
        "tp": 3,
        "fp": 1,
        "fn": 2,
    }


def test_prf_says_which_value_is_undefined() -> None:
    nothing_predicted = prf(0, 0, 4)
    assert nothing_predicted["precision"] is None
    assert nothing_predicted["recall"] == 0.0
    assert nothing_predicted["f1"] == 0.0
    assert nothing_predicted["undefined"] == "precision: nothing predicted"
    nothing_expected = prf(0, 2, 0)
    assert nothing_expected["recall"] is None
    assert nothing_expected["undefined"] == "recall: nothing in the reference"
    nothing = prf(0, 0, 0)
    assert (nothing["precision"], nothing["recall"], nothing["f1"]) == (None, None, None)
    assert nothing["undefined"].count("nothing marked by either annotator") == 3
    assert "undefined" not in prf(1, 0, 0)


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_f1_is_the_harmonic_mean_and_symmetric(tp: int, fp: int, fn: int) -> None:
    result, swapped = prf(tp, fp, fn), prf(tp, fn, fp)
    assert result["f1"] == swapped["f1"]
    p, r, f1 = result["precision"], result["recall"], result["f1"]
    if p is not None and r is not None and p + r > 0:
        assert f1 == pytest.approx(2 * p * r / (p + r), abs=TOLERANCE)
    for value in (p, r, f1):
        assert value is None or (0.0 <= value <= 1.0 and math.isfinite(value))
