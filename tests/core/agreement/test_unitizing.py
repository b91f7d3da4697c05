"""alpha_u against Krippendorff's published examples (as DKPro Statistics tests them) and a
brute-force reading of the formulas.

The published figures come with the precision they were printed with; each is checked to that
precision (the tolerance next to it is the one DKPro's own tests use). Exact fractions, such as
D_o = 1/32, are checked to 1e-12. On random data, alpha_u must equal a slow implementation that
follows the definitions literally, within 1e-9.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.agreement import Continuum, Grouped, Unit, alpha_u, alpha_u_each
from annotator.core.domain.agreement.measures import ONE_ANNOTATOR
from annotator.core.domain.agreement.unitizing import NO_UNITS, distance

EXACT = 1e-12


def krippendorff_2004() -> Continuum:
    """Krippendorff (2004: p. 254): two observers on [150, 450); shifted here to start at 0."""
    units = [
        (225, 70, 0, "c"),
        (370, 30, 0, "c"),
        (220, 80, 1, "c"),
        (355, 20, 1, "c"),
        (400, 20, 1, "c"),
        (180, 60, 0, "k"),
        (300, 50, 0, "k"),
        (180, 60, 1, "k"),
        (300, 50, 1, "k"),
    ]
    return Continuum(300, [Unit(f"r{r}", c, start - 150, n) for start, n, r, c in units])


def krippendorff_1995(stretch: float, only: str | None = None) -> Continuum:
    """Krippendorff (1995: p. 57), four pairs of coders on 24 positions, stretched."""
    units = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"),
        (4, 1, 1, "B"), (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"),
        (0, 2, 1, "C"), (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"),
        (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip
    return Continuum(
        int(24 * stretch),
        [
            Unit(f"r{r}", c, int(start * stretch), int(n * stretch))
            for start, n, r, c in units
            if only in (None, c)
        ],
    )


RATERS = ["r0", "r1"]


def test_distance_krippendorff_2004() -> None:
    """The distances of Krippendorff (2004), figures 12.5 and 12.6, as DKPro tests them."""
    assert distance(2, 3, False, 2, 2, True) + distance(5, 6, True, 4, 7, False) == 40
    assert distance(3, 2, False, 3, 2, True) + distance(5, 6, True, 5, 6, False) == 40
    assert distance(5, 6, True, 4, 2, True) == 26
    assert distance(5, 6, True, 5, 2, True) == 16
    assert distance(5, 6, True, 6, 2, True) == 10
    assert distance(5, 6, True, 7, 2, True) == 8
    assert distance(5, 6, True, 6, 4, True) == 2
    assert distance(5, 6, True, 5, 6, True) == 0
    assert distance(225, 70, True, 220, 80, True) == 50
    assert distance(370, 30, True, 355, 20, True) == 850
    assert distance(400, 50, False, 400, 20, True) == 400


def test_distance_of_segments_that_do_not_meet() -> None:
    assert distance(0, 1, False, 0, 2, False) == 0  # two gaps
    assert distance(1, 8, True, 0, 2, False) == 0  # a unit sticking out of a gap
    assert distance(1, 8, True, 2, 1, True) == 37
    assert distance(1, 8, True, 4, 1, True) == 25
    assert distance(1, 8, True, 6, 1, True) == 29
    assert distance(1, 8, True, 7, 4, False) == 0
    assert distance(0, 5, True, 5, 5, True) == 0  # touching units do not overlap


def test_krippendorff_2004_example() -> None:
    result = alpha_u([krippendorff_2004()], RATERS)
    assert result.observed["c"] == pytest.approx(0.0144, abs=1e-4)
    assert result.expected["c"] == pytest.approx(0.0532, abs=1e-4)
    assert result.categories["c"].value == pytest.approx(0.7286, abs=1e-4)
    assert result.observed["k"] == 0.0
    assert result.expected["k"] == pytest.approx(0.0490, abs=1e-4)
    assert result.categories["k"].value == 1.0  # the observers agree exactly on "k"
    assert result.overall.value == pytest.approx(0.8591, abs=5e-4)
    assert (result.categories["c"].n, result.categories["k"].n, result.overall.n) == (5, 4, 9)


def test_krippendorff_1995_observed_disagreement() -> None:
    result = alpha_u([krippendorff_1995(1)], RATERS)
    assert result.observed["A"] == pytest.approx(1 / 32, abs=EXACT)  # printed 0.03125
    assert result.observed["B"] == pytest.approx(2.26736, abs=1e-5)
    assert result.observed["C"] == pytest.approx(0.02777, abs=1e-5)
    assert result.observed["D"] == pytest.approx(0.38715, abs=1e-5)


def test_krippendorff_1995_expected_disagreement_and_alpha() -> None:
    """Krippendorff's figures assume a fine continuum, so the example is stretched 50,000
    times; his D_e carry a small error (DKPro notes it), hence their tolerance of 0.005."""
    result = alpha_u([krippendorff_1995(50_000)], RATERS)
    published = {"A": (0.06990, 0.553), "B": (1.17731, -0.926), "C": (0.08642, 0.679)}
    published["D"] = (0.41445, 0.066)
    unstretched = alpha_u([krippendorff_1995(1)], RATERS)
    for category, (expected, alpha) in published.items():
        assert result.expected[category] == pytest.approx(expected, abs=0.005)
        assert result.categories[category].value == pytest.approx(alpha, abs=0.02)
        # Stretching changes no observed disagreement: distances and L² grow alike.
        observed = unstretched.observed[category]
        assert result.observed[category] == pytest.approx(observed, abs=EXACT)


@pytest.mark.parametrize(
    ("stretch", "expected", "alpha"),
    [(0.5, 0.05494, 0.494), (5, 0.08234, 0.663), (50, 0.08600, 0.677), (500, 0.08638, 0.678)],
)
def test_krippendorff_1995_varying_lengths(stretch: float, expected: float, alpha: float) -> None:
    # At half size B and D get empty units, which alpha_u refuses; C alone is unaffected.
    result = alpha_u([krippendorff_1995(stretch, only="C")], RATERS)
    assert result.observed["C"] == pytest.approx(0.02777, abs=1e-5)
    tolerance = 1e-5 if stretch == 0.5 else 0.005
    assert result.expected["C"] == pytest.approx(expected, abs=tolerance)
    assert result.categories["C"].value == pytest.approx(alpha, abs=0.02)


def test_dkpro_example_with_a_split_unit() -> None:
    """DKPro's own example: r0 -11111111-, r1 --1-1-1---."""
    units = [Unit("r0", "A", 1, 8), Unit("r1", "A", 2, 1), Unit("r1", "A", 4, 1)]
    result = alpha_u([Continuum(10, [*units, Unit("r1", "A", 6, 1)])], RATERS)
    assert result.observed["A"] == pytest.approx(0.91, abs=EXACT)  # printed 0.9100
    assert result.expected["A"] == pytest.approx(0.5351, abs=1e-4)
    assert result.categories["A"].value == pytest.approx(-0.7003, abs=1e-4)


def test_a_single_unit_is_no_agreement() -> None:
    result = alpha_u([Continuum(20, [Unit("r0", "X", 0, 1)])], ["r0", "r1", "r2"])
    assert result.overall.value == pytest.approx(0.0, abs=EXACT)


def test_undefined_without_units_or_with_one_rater() -> None:
    empty = alpha_u([Continuum(20, [])], ["r0", "r1", "r2"])
    assert (empty.overall.value, empty.overall.undefined) == (None, NO_UNITS)
    assert empty.categories == {}
    alone = alpha_u([Continuum(20, [Unit("r0", "X", 0, 5)])], ["r0"])
    assert (alone.overall.value, alone.overall.undefined) == (None, ONE_ANNOTATOR)


def test_perfect_agreement_is_one() -> None:
    units = [Unit(r, "X", 2, 5) for r in ("a", "b", "c")] + [Unit("a", "Y", 9, 3)]
    units += [Unit("b", "Y", 9, 3), Unit("c", "Y", 9, 3)]
    result = alpha_u([Continuum(15, units)], ["a", "b", "c"])
    assert result.overall.value == 1.0
    assert result.categories["X"].value == result.categories["Y"].value == 1.0


@pytest.mark.parametrize(
    "unit",
    [Unit("r0", "X", 3, 0), Unit("r0", "X", -1, 2), Unit("r0", "X", 9, 2), Unit("z", "X", 0, 1)],
)
def test_units_off_the_continuum_or_of_unknown_raters_are_refused(unit: Unit) -> None:
    with pytest.raises(ValueError):
        alpha_u([Continuum(10, [unit])], RATERS)


def test_overlapping_units_of_one_rater_are_merged() -> None:
    merged = alpha_u([Continuum(20, [Unit("r0", "X", 2, 6), Unit("r1", "X", 2, 8)])], RATERS)
    split = [Unit("r0", "X", 2, 6), Unit("r1", "X", 2, 5), Unit("r1", "X", 4, 6)]
    assert alpha_u([Continuum(20, split)], RATERS) == merged


def test_grouped_intervals_give_the_same_result() -> None:
    continuum = krippendorff_1995(1)
    grouped: dict[object, list[list[tuple[int, int]]]] = {}
    for rater, category, start, length in continuum.units:
        per_rater = grouped.setdefault(category, [[], []])
        per_rater[RATERS.index(rater)].append((start, start + length))
    assert alpha_u([Grouped(24, grouped)], RATERS) == alpha_u([continuum], RATERS)
    with pytest.raises(ValueError, match="one list per rater"):
        alpha_u([Grouped(24, {"A": [[(0, 1)]]})], RATERS)


# -- the formulas, read literally ---------------------------------------------------------------


def _merge_overlapping(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join any two overlapping intervals until none overlap (touching ones stay apart)."""
    out = list(intervals)
    changed = True
    while changed:
        changed = False
        for i, j in combinations(range(len(out)), 2):
            (s1, e1), (s2, e2) = out[i], out[j]
            if s1 < e2 and s2 < e1:
                out[i] = (min(s1, s2), max(e1, e2))
                del out[j]
                changed = True
                break
    return sorted(out)


def _segments(units: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """The rater's partition of [0, length) into units and gaps: (begin, length, is_unit)."""
    segments, position = [], 0
    for start, end in units:
        if start > position:
            segments.append((position, start - position, False))
        segments.append((start, end - start, True))
        position = end
    if position < length:
        segments.append((position, length - position, False))
    return segments


def _delta(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
    """Krippendorff's squared distance, written out from the 2004 definition."""
    (bg, lg, unit_g), (bh, lh, unit_h) = g, h
    if unit_g and unit_h and -lg < bg - bh < lh:
        return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
    if unit_g and not unit_h and lh - lg >= bg - bh >= 0:
        return lg**2
    if unit_h and not unit_g and lg - lh >= bh - bg >= 0:
        return lh**2
    return 0


def _slow_alpha_u(
    docs: list[tuple[int, list[tuple[int, str, int, int]]]], raters: int
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """D_o and D_e per category, the documents concatenated by shifting their units."""
    whole = sum(length for length, _ in docs)
    units: dict[str, list[list[tuple[int, int]]]] = {}
    offset = 0
    for length, found in docs:
        for rater, category, start, n in found:
            units.setdefault(category, [[] for _ in range(raters)])[rater].append(
                (offset + start, offset + start + n)
            )
        offset += length
    observed, expected = {}, {}
    for category, per_rater in units.items():
        merged = [_merge_overlapping(ivs) for ivs in per_rater]
        parts = [_segments(ivs, whole) for ivs in merged]
        total = sum(_delta(g, h) for a, b in combinations(parts, 2) for g in a for h in b)
        observed[category] = Fraction(2 * total, raters * (raters - 1) * whole**2)
        lengths = [e - s for ivs in merged for s, e in ivs]
        gaps = [n for part in parts for _, n, is_unit in part if not is_unit]
        big_n = len(lengths)
        summed = sum(
            Fraction((big_n - 1) * (2 * n**3 - 3 * n**2 + n), 3)
            + n * n * sum(g - n + 1 for g in gaps if g >= n)
            for n in lengths
        )
        below = raters * whole * (raters * whole - 1) - sum(n * (n - 1) for n in lengths)
        expected[category] = summed * Fraction(2, whole) / below
    return observed, expected


@st.composite
def studies(draw: st.DrawFn) -> tuple[int, list[tuple[int, list[tuple[int, str, int, int]]]]]:
    raters = draw(st.integers(min_value=2, max_value=3))
    docs = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        length = draw(st.integers(min_value=1, max_value=30))
        units = []
        for _ in range(draw(st.integers(min_value=0, max_value=8))):
            start = draw(st.integers(0, length - 1))
            rater, category = draw(st.integers(0, raters - 1)), draw(st.sampled_from("AB"))
            units.append((rater, category, start, draw(st.integers(1, length - start))))
        docs.append((length, units))
    return raters, docs


@settings(max_examples=300, deadline=None)
@given(studies())
def test_alpha_u_equals_the_formulas_read_literally(
    study: tuple[int, list[tuple[int, list[tuple[int, str, int, int]]]]],
) -> None:
    raters, docs = study
    names = [f"r{i}" for i in range(raters)]
    continua = [
        Continuum(n, [Unit(names[r], c, s, k) for r, c, s, k in found]) for n, found in docs
    ]
    result, each = alpha_u_each(continua, names)
    observed, expected = _slow_alpha_u(docs, raters)
    assert set(result.categories) == set(observed)
    for category in observed:
        assert result.observed[category] == pytest.approx(float(observed[category]), abs=1e-9)
        assert result.expected[category] == pytest.approx(float(expected[category]), abs=1e-9)
        alpha = result.categories[category].value
        if expected[category] == 0:
            assert alpha is None
        else:
            wanted = 1 - observed[category] / expected[category]
            assert alpha == pytest.approx(float(wanted), abs=1e-9)
    if observed:
        total_expected = sum(expected.values())
        if total_expected:
            wanted = 1 - sum(observed.values()) / total_expected
            assert result.overall.value == pytest.approx(float(wanted), abs=1e-9)
    # Each document alone is the same as a study of that document only.
    for continuum, alone in zip(continua, each, strict=True):
        assert alone == alpha_u([continuum], names)
