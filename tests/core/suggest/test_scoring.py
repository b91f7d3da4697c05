"""The scoring rules every engine is judged by: overlap, one-to-one matching, speakers."""

from __future__ import annotations

import pytest

from annotator.core.domain.suggesting.scoring import (
    LabelScore,
    ScoredSpan,
    match,
    overlap_share,
    same_speaker,
    score_labels,
    score_speakers,
    surname,
    totals,
)


def span(start: int, end: int, label: str = "STATEMENT", **kw: str) -> ScoredSpan:
    return ScoredSpan(start, end, label, **kw)


def test_overlap_is_a_share_of_the_longer_span() -> None:
    assert overlap_share(span(0, 10), span(5, 10)) == 0.5
    assert overlap_share(span(0, 10), span(0, 20)) == 0.5
    assert overlap_share(span(0, 10), span(10, 20)) == 0.0  # touching is not overlapping
    assert overlap_share(span(0, 10), span(0, 10)) == 1.0


def test_found_at_half_the_longer_span_not_below() -> None:
    reference = [span(0, 100)]
    assert score_labels([span(0, 50)], reference)["STATEMENT"].found == 1
    assert score_labels([span(0, 49)], reference)["STATEMENT"].found == 0
    assert score_labels([span(0, 49)], reference, min_overlap=0.4)["STATEMENT"].found == 1


def test_labels_must_agree() -> None:
    scores = score_labels([span(0, 10, "SPEAKER")], [span(0, 10, "STATEMENT")])
    assert scores["SPEAKER"].found == 0 and scores["STATEMENT"].found == 0
    assert scores["SPEAKER"].precision == 0.0 and scores["STATEMENT"].recall == 0.0


def test_matching_is_one_to_one_best_overlap_first() -> None:
    # two suggestions on one reference span: only the better one is found
    reference = [span(0, 10)]
    suggested = [span(0, 8), span(0, 10)]
    assert match(suggested, reference) == {1: 0}
    score = score_labels(suggested, reference)["STATEMENT"]
    assert (score.found, score.suggested, score.reference) == (1, 2, 1)
    assert score.precision == 0.5 and score.recall == 1.0
    assert score.f1 == pytest.approx(2 / 3)


def test_a_suggestion_spanning_two_references_matches_one() -> None:
    reference = [span(0, 10), span(10, 30)]
    assert match([span(0, 30)], reference) == {0: 1}  # 20/30 beats 10/30


def test_totals_add_the_counts_of_each_label() -> None:
    total = totals([LabelScore("A", 1, 2, 4), LabelScore("B", 3, 3, 4)])
    assert (total.found, total.suggested, total.reference) == (4, 5, 8)
    assert LabelScore("X", 0, 0, 0).f1 == 0.0


def test_surname_drops_titles_punctuation_and_possessive() -> None:
    assert surname("Gen. Ali Demir") == "demir"
    assert surname("Yılmaz’s") == "yılmaz"
    assert surname("Ødegård's") == "ødegård"
    assert surname("“Demir,”") == "demir"
    assert surname("") == ""


def test_same_speaker_by_overlap_entity_or_surname() -> None:
    ref = span(100, 114, "SPEAKER", text="Gen. Ali Demir")
    assert same_speaker(span(105, 114, "SPEAKER", text="Ali Demir"), ref)
    elsewhere = span(300, 305, "SPEAKER", text="Demir")
    assert same_speaker(elsewhere, ref)
    other = span(300, 306, "SPEAKER", text="Demirel")
    assert not same_speaker(other, ref)


def test_pronouns_name_somebody_only_through_refers_to() -> None:
    ref = span(100, 102, "SPEAKER", text="he", refers_to="Ali Demir")
    bare = span(300, 302, "SPEAKER", text="he")
    assert not same_speaker(bare, ref)  # two "he" are not one person
    resolved = span(300, 302, "SPEAKER", text="he", refers_to="Gen. Ali Demir")
    assert same_speaker(resolved, ref)
    wrong = span(300, 302, "SPEAKER", text="she", refers_to="Ana Ruiz")
    assert not same_speaker(wrong, ref)


def test_possessive_mentions_match_their_name() -> None:
    ref = span(0, 9, "SPEAKER", text="Ferreira")
    assert same_speaker(span(50, 60, "SPEAKER", text="Ferreira’s"), ref)


def test_entities_decide_when_both_have_one() -> None:
    ref = span(0, 5, "SPEAKER", text="Demir", entity="e1")
    assert not same_speaker(span(50, 55, "SPEAKER", text="Demir", entity="e2"), ref)
    assert same_speaker(span(50, 53, "SPEAKER", text="him", entity="e1"), ref)


def test_speaker_accuracy_over_found_statements_with_a_reference_speaker() -> None:
    reference = [
        (span(0, 10), span(20, 25, "SPEAKER", text="Demir")),
        (span(30, 40), None),  # no reference speaker: not judged
        (span(50, 60), span(70, 73, "SPEAKER", text="Ruiz")),
        (span(80, 90), span(95, 99, "SPEAKER", text="Okoro")),  # not found: not judged
    ]
    suggested = [
        (span(0, 10), span(200, 202, "SPEAKER", text="he", refers_to="Ali Demir")),
        (span(30, 40), span(41, 45, "SPEAKER", text="Hess")),
        (span(50, 60), None),
    ]
    score = score_speakers(suggested, reference)
    assert (score.right, score.judged) == (1, 2)
    assert score.accuracy == 0.5
