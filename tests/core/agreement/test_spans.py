"""Span matching: what counts as the same span, one-to-one, whatever the order of the input."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.agreement import SpanItem, match_spans
from annotator.core.domain.agreement.spans import Counts


def span(ident: int, start: int, end: int, label: str = "STATEMENT") -> SpanItem:
    return SpanItem(ident, start, end, label)


def test_boundaries_one_character_off_match_only_in_overlap_mode() -> None:
    first = [span(1, 0, 10), span(2, 20, 30, "SPEAKER")]
    second = [span(7, 0, 11), span(8, 20, 30, "SPEAKER")]
    exact = match_spans(first, second, "exact")
    assert exact.pairs == ((2, 8),)
    assert exact.counts == {"SPEAKER": Counts(1, 0, 0), "STATEMENT": Counts(0, 1, 1)}
    overlap = match_spans(first, second, "overlap")
    assert overlap.pairs == ((1, 7), (2, 8))
    assert overlap.labels == ("STATEMENT", "SPEAKER")
    assert overlap.counts == {"SPEAKER": Counts(1, 0, 0), "STATEMENT": Counts(1, 0, 0)}


def test_labels_must_agree_in_both_modes() -> None:
    first, second = [span(1, 0, 10, "SPEAKER")], [span(2, 0, 10, "TARGET")]
    for mode in ("exact", "overlap"):
        match = match_spans(first, second, mode)
        assert match.pairs == ()
        assert match.counts == {"SPEAKER": Counts(0, 0, 1), "TARGET": Counts(0, 1, 0)}


def test_touching_spans_do_not_overlap() -> None:
    assert match_spans([span(1, 0, 5)], [span(2, 5, 9)], "overlap").pairs == ()


def test_overlap_takes_the_largest_overlap_one_to_one() -> None:
    # 1 overlaps 7 by 3 characters and 8 by 7: it takes 8; 7 is left over (a false positive).
    first = [span(1, 0, 10)]
    second = [span(7, 0, 3), span(8, 3, 12)]
    match = match_spans(first, second, "overlap")
    assert match.pairs == ((1, 8),)
    assert match.counts["STATEMENT"] == Counts(1, 1, 0)


def test_overlap_greedy_order_decides_between_competitors() -> None:
    # 2 overlaps 9 by 8, the largest overlap: they pair first. 1 then gets nothing from 9,
    # which it overlaps by 4, and pairs with nothing; it is a false negative.
    first = [span(1, 0, 6), span(2, 4, 12)]
    second = [span(9, 2, 12)]
    assert match_spans(first, second, "overlap").pairs == ((2, 9),)


def test_equal_overlaps_go_to_the_smaller_boundary_shift() -> None:
    first = [span(1, 0, 10)]
    second = [span(5, 0, 20), span(6, 0, 11)]  # both overlap by 10; 6 ends closer
    assert match_spans(first, second, "overlap").pairs == ((1, 6),)


def test_identical_duplicates_pair_off_in_id_order() -> None:
    first = [span(4, 0, 5), span(3, 0, 5)]
    second = [span(9, 0, 5)]
    for mode in ("exact", "overlap"):
        match = match_spans(first, second, mode)
        assert match.pairs == ((3, 9),)
        assert match.counts["STATEMENT"] == Counts(1, 0, 1)


def test_unknown_mode_is_refused() -> None:
    try:
        match_spans([], [], "fuzzy")  # type: ignore[arg-type]
    except ValueError as error:
        assert "exact" in str(error)
    else:
        raise AssertionError("no error for an unknown mode")


# -- properties ---------------------------------------------------------------------------------


@st.composite
def two_annotators(draw: st.DrawFn) -> tuple[list[SpanItem], list[SpanItem]]:
    def spans(first_id: int) -> list[SpanItem]:
        found = draw(
            st.lists(
                st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from("AB")),
                max_size=12,
            )
        )
        return [span(first_id + i, s, s + n, label) for i, (s, n, label) in enumerate(found)]

    return spans(0), spans(100)


def _overlap(a: SpanItem, b: SpanItem) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _plain_greedy(first: list[SpanItem], second: list[SpanItem]) -> set[tuple[int, int]]:
    """The documented rule, without shortcuts: every overlapping same-label pair, best first."""
    candidates = sorted(
        (
            -_overlap(a, b),
            abs(a.start - b.start) + abs(a.end - b.end),
            a.start,
            b.start,
            a.id,
            b.id,
        )
        for a in first
        for b in second
        if a.label == b.label and _overlap(a, b) > 0
    )
    taken_a, taken_b, pairs = set(), set(), set()
    for *_, a_id, b_id in candidates:
        if a_id not in taken_a and b_id not in taken_b:
            taken_a.add(a_id)
            taken_b.add(b_id)
            pairs.add((a_id, b_id))
    return pairs


@settings(max_examples=300, deadline=None)
@given(two_annotators(), st.randoms(use_true_random=False))
def test_overlap_matching_follows_the_rule_in_any_input_order(
    spans: tuple[list[SpanItem], list[SpanItem]], rng: random.Random
) -> None:
    first, second = spans
    match = match_spans(first, second, "overlap")
    assert set(match.pairs) == _plain_greedy(first, second)
    shuffled_first, shuffled_second = first[:], second[:]
    rng.shuffle(shuffled_first)
    rng.shuffle(shuffled_second)
    assert match_spans(shuffled_first, shuffled_second, "overlap") == match


@settings(max_examples=300, deadline=None)
@given(two_annotators())
def test_matches_are_one_to_one_and_counts_add_up(
    spans: tuple[list[SpanItem], list[SpanItem]],
) -> None:
    first, second = spans
    by_id = {s.id: s for s in first + second}
    for mode in ("exact", "overlap"):
        match = match_spans(first, second, mode)
        firsts = [a for a, _ in match.pairs]
        seconds = [b for _, b in match.pairs]
        assert len(set(firsts)) == len(firsts) and len(set(seconds)) == len(seconds)
        for (a, b), label in zip(match.pairs, match.labels, strict=True):
            assert by_id[a].label == by_id[b].label == label
            if mode == "exact":
                assert (by_id[a].start, by_id[a].end) == (by_id[b].start, by_id[b].end)
            else:
                assert _overlap(by_id[a], by_id[b]) > 0
        for label, counts in match.counts.items():
            assert counts.tp + counts.fn == sum(1 for s in first if s.label == label)
            assert counts.tp + counts.fp == sum(1 for s in second if s.label == label)
        # Every exact match is an overlap match too: overlap finds at least as many pairs.
    assert len(match_spans(first, second, "overlap").pairs) >= len(
        match_spans(first, second, "exact").pairs
    )
