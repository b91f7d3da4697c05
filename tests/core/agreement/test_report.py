"""The agreement report on small corpora whose every figure can be worked out by hand, and
checked against scikit-learn, statsmodels and the krippendorff package where they apply."""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator
from itertools import product
from typing import Any

import numpy as np
import pytest
from krippendorff import alpha as krippendorff_alpha
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from annotator.core.domain.agreement import (
    Continuum,
    DocAnnotations,
    LinkItem,
    SpanItem,
    Unit,
    agreement_report,
    alpha_u,
    render_table,
)

S, P = "STATEMENT", "SPEAKER"


def doc(*spans: SpanItem, links: tuple[LinkItem, ...] = (), length: int = 100) -> DocAnnotations:
    return DocAnnotations(length, spans, links)


def stance(ident: int, start: int, end: int, value: object = None) -> SpanItem:
    return SpanItem(ident, start, end, S, {} if value is None else {"stance": value})


def walk(value: Any) -> Iterator[tuple[dict[str, Any], str, Any]]:
    """Every (entry, key, value) in the report."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield value, key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def assert_honest(report: dict[str, Any]) -> None:
    """JSON without NaN; every None has its reason beside it."""
    json.dumps(report, allow_nan=False)
    for entry, key, value in walk(report):
        if isinstance(value, float):
            assert math.isfinite(value)
        if value is None:
            assert f"{key}: " in entry["undefined"], (key, entry)


def pair(report: dict[str, Any], first: str, second: str) -> dict[str, Any]:
    return next(p for p in report["pairs"] if p["annotators"] == [first, second])


# -- documents and spans ------------------------------------------------------------------------


def test_only_documents_both_annotators_have_are_compared() -> None:
    shared = doc(stance(1, 0, 10), SpanItem(2, 20, 25, P))
    annotations = {
        "alice": {"d1": shared, "d2": doc(stance(3, 0, 10), stance(4, 30, 40))},
        "bob": {"d1": doc(stance(7, 0, 10), SpanItem(8, 20, 26, P))},
        "carol": {"d3": doc(stance(5, 0, 10))},
    }
    report = agreement_report(annotations)
    assert_honest(report)
    assert report["documents"] == 1  # d2 and d3 have a single annotator each
    assert list(report["per_document"]) == ["d1"]
    ab = pair(report, "alice", "bob")
    assert ab["documents"] == 1
    # alice's d2 is not "bob marked nothing there": recall stays 1.0 for statements.
    assert {k: v for k, v in ab["spans"][S].items() if k != "alpha_u"} == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert ab["spans"][P]["f1"] == 0.0
    assert ab["spans"]["*"]["f1"] == 0.5  # 2·1 / (2·1 + 1 + 1)
    ac = pair(report, "alice", "carol")
    assert ac["documents"] == 0
    assert ac["spans"]["*"]["f1"] is None
    assert "nothing marked" in ac["spans"]["*"]["undefined"]


def test_a_pairs_alpha_u_is_the_two_annotators_own_when_no_document_has_everyone() -> None:
    """Each document dealt to 2 of 3: the overall alpha_u is undefined, each pair's is the
    alpha_u of a report on those two annotators alone."""
    annotations = {
        "alice": {"d1": doc(stance(1, 0, 10), SpanItem(2, 20, 25, P)), "d2": doc(stance(3, 0, 9))},
        "bob": {"d1": doc(stance(7, 0, 10), SpanItem(8, 20, 26, P)), "d3": doc(stance(4, 2, 9))},
        "carol": {"d2": doc(stance(5, 0, 10)), "d3": doc(stance(6, 0, 9))},
    }
    report = agreement_report(annotations)
    assert_honest(report)
    assert report["overall"]["spans"]["*"]["alpha_u"] is None
    for first, second in (("alice", "bob"), ("alice", "carol"), ("bob", "carol")):
        alone = agreement_report({n: annotations[n] for n in (first, second)})
        for label in (S, "*"):
            expected = alone["overall"]["spans"][label]["alpha_u"]
            assert expected is not None
            assert pair(report, first, second)["spans"][label]["alpha_u"] == pytest.approx(
                expected, abs=1e-12
            )


def test_exact_and_overlap_reports_differ_where_boundaries_do() -> None:
    annotations = {
        "alice": {"d": doc(stance(1, 0, 10), stance(2, 20, 30))},
        "bob": {"d": doc(stance(5, 0, 10), stance(6, 21, 30))},
    }
    exact = agreement_report(annotations, mode="exact")
    overlap = agreement_report(annotations, mode="overlap")
    assert pair(exact, "alice", "bob")["spans"][S]["f1"] == 0.5
    assert pair(overlap, "alice", "bob")["spans"][S]["f1"] == 1.0
    assert exact["mode"] == "exact" and overlap["mode"] == "overlap"
    # alpha_u needs no matching: it is the same in both modes, and below 1.
    alpha = exact["overall"]["spans"][S]["alpha_u"]
    assert alpha == overlap["overall"]["spans"][S]["alpha_u"]
    assert alpha is not None and alpha < 1.0
    assert "exact boundaries" in render_table(exact)
    assert "overlapping spans" in render_table(overlap)


def test_alpha_u_in_the_report_is_alpha_u_of_the_same_units() -> None:
    a = {"d1": doc(stance(1, 0, 10), SpanItem(2, 12, 15, P)), "d2": doc(stance(3, 5, 20))}
    b = {"d1": doc(stance(4, 2, 10)), "d2": doc(stance(5, 5, 20), SpanItem(6, 30, 40, P))}
    c = {"d1": doc(stance(7, 0, 11), SpanItem(8, 12, 15, P))}
    report = agreement_report({"a": a, "b": b, "c": c})
    assert_honest(report)
    units = [
        Unit(name, s.label, s.start, s.end - s.start)
        for name, docs in (("a", a), ("b", b), ("c", c))
        for s in docs["d1"].spans
    ]
    alone = alpha_u([Continuum(100, units)], ["a", "b", "c"])
    overall = report["overall"]
    assert overall["documents_all_annotators"] == 1  # d2 lacks c
    assert overall["spans"]["*"]["alpha_u"] == alone.overall.value
    assert overall["spans"][S]["alpha_u"] == alone.categories[S].value
    assert report["per_document"]["d1"]["spans"][P]["alpha_u"] == alone.categories[P].value
    # d2 only has a and b: its alpha_u is theirs.
    d2 = [
        Unit(name, s.label, s.start, s.end - s.start)
        for name, docs in (("a", a), ("b", b))
        for s in docs["d2"].spans
    ]
    assert report["per_document"]["d2"]["annotators"] == ["a", "b"]
    assert (
        report["per_document"]["d2"]["spans"]["*"]["alpha_u"]
        == alpha_u([Continuum(100, d2)], ["a", "b"]).overall.value
    )


def test_labels_limit_the_span_figures_not_the_matching() -> None:
    links = (LinkItem("said_by", 1, 2),)
    a = {"d": doc(stance(1, 0, 10), SpanItem(2, 20, 25, P), links=links)}
    b = {"d": doc(stance(3, 0, 10), SpanItem(4, 20, 25, P), links=(LinkItem("said_by", 3, 4),))}
    report = agreement_report({"a": a, "b": b}, labels={S}, relations=["said_by"])
    assert report["labels"] == [S]
    assert list(pair(report, "a", "b")["spans"]) == [S, "*"]
    # The link ends at a speaker; the speakers were still matched.
    assert pair(report, "a", "b")["relations"]["said_by"]["f1"] == 1.0


# -- attributes ---------------------------------------------------------------------------------


def test_attribute_kappa_counts_unset_as_a_category() -> None:
    values = [
        ("supports", "supports"),
        ("supports", "opposes"),
        (None, None),
        (None, "supports"),
        ("opposes", "opposes"),
        ("neutral", None),
    ]
    a = {"d": doc(*(stance(i, 10 * i, 10 * i + 5, x) for i, (x, _) in enumerate(values)))}
    b = {"d": doc(*(stance(50 + i, 10 * i, 10 * i + 5, y) for i, (_, y) in enumerate(values)))}
    report = agreement_report({"a": a, "b": b}, attributes={S: ["stance"]})
    entry = pair(report, "a", "b")["attributes"]["STATEMENT.stance"]
    first = [x or "unset" for x, _ in values]
    second = [y or "unset" for _, y in values]
    assert entry["n"] == 6
    assert entry["cohen_kappa"] == pytest.approx(cohen_kappa_score(first, second), abs=1e-9)


def test_attribute_kappa_is_undefined_without_matched_spans_or_with_one_value() -> None:
    a = {"d": doc(stance(1, 0, 5, "supports"), stance(2, 10, 15, "supports"))}
    b = {"d": doc(stance(3, 0, 5, "supports"), stance(4, 10, 15, "supports"))}
    c = {"d": doc(stance(5, 50, 60, "opposes"))}
    report = agreement_report({"a": a, "b": b, "c": c}, attributes={S: ["stance"]})
    assert_honest(report)
    same = pair(report, "a", "b")["attributes"]["STATEMENT.stance"]
    assert same == {
        "n": 2,
        "cohen_kappa": None,
        "undefined": "cohen_kappa: only one category used",
    }
    apart = pair(report, "a", "c")["attributes"]["STATEMENT.stance"]
    assert apart == {"n": 0, "cohen_kappa": None, "undefined": "cohen_kappa: no items"}
    assert "undefined (only one category used)" in render_table(report)


def test_attributes_over_all_annotators_in_exact_mode() -> None:
    # Three spans all three annotators marked, one only a and b marked, one only c.
    spans = {
        "a": ["supports", "opposes", "neutral", "supports", None],
        "b": ["supports", "opposes", "opposes", None, None],
        "c": ["supports", "neutral", "neutral", None, "denies"],
    }
    present = {"a": [0, 1, 2, 3], "b": [0, 1, 2, 3], "c": [0, 1, 2, 4]}
    annotations = {
        name: {"d": doc(*(stance(k, 10 * k, 10 * k + 5, spans[name][k]) for k in present[name]))}
        for name in spans
    }
    report = agreement_report(annotations, attributes={S: ["stance"]})
    assert_honest(report)
    entry = report["overall"]["attributes"]["STATEMENT.stance"]
    coded = {
        name: [spans[name][k] if k in present[name] else "" for k in range(4)] for name in spans
    }
    codes = {"": np.nan, None: 0, "supports": 1, "opposes": 2, "neutral": 3}
    matrix = np.array([[codes[v] for v in coded[name]] for name in sorted(spans)], dtype=float)
    reference = krippendorff_alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert entry["n"] == 4  # span 4 is c's alone: no item
    assert entry["krippendorff_alpha"] == pytest.approx(reference, abs=1e-9)
    # Fleiss: the three items every annotator rated.
    table, _ = aggregate_raters(matrix[:, :3].T.astype(int))
    assert entry["fleiss_n"] == 3
    assert entry["fleiss_kappa"] == pytest.approx(statsmodels_fleiss(table), abs=1e-9)


def test_overlap_mode_groups_chains_and_leaves_out_a_chain_through_one_annotator_twice() -> None:
    annotations = {
        "a": {"d": doc(stance(1, 0, 10, "x"), stance(2, 12, 22, "y"), stance(3, 40, 50, "x"))},
        "b": {"d": doc(stance(4, 0, 10, "x"), stance(5, 41, 50, "x"))},
        "c": {"d": doc(stance(6, 8, 20, "x"), stance(7, 42, 50, "z"))},
    }
    report = agreement_report(annotations, mode="overlap", attributes={S: ["stance"]})
    # a1-b4 (a-b), b4-c6 (b-c) and a2-c6 (a-c: 8 characters beat a1's 2) chain a1 and a2 together.
    assert pair(report, "a", "c")["spans"][S]["tp"] == 2
    entry = report["overall"]["attributes"]["STATEMENT.stance"]
    assert entry["n"] == 1  # only a3-b5-c7
    assert entry["fleiss_n"] == 1
    exact = agreement_report(annotations, mode="exact", attributes={S: ["stance"]})
    assert exact["overall"]["attributes"]["STATEMENT.stance"]["n"] == 1  # only a1-b4


# -- relations ----------------------------------------------------------------------------------


def test_relations_count_links_between_matched_spans() -> None:
    statements = [(0, 20), (30, 50), (55, 58)]
    speakers = [(60, 65), (70, 75), (80, 85)]

    def spans(base: int, speaker_count: int) -> list[SpanItem]:
        found = [stance(base + i, s, e) for i, (s, e) in enumerate(statements)]
        found += [
            SpanItem(base + 10 + i, s, e, P) for i, (s, e) in enumerate(speakers[:speaker_count])
        ]
        return found

    # Statement i -> speaker j, by index. Speaker 2 exists for a only: a's link to it is not
    # compared (its end is unmatched), nor counted against b.
    a_links = [(0, 0), (1, 1), (1, 2)]
    b_links = [(0, 0), (1, 0), (2, 1)]
    a = doc(*spans(100, 3), links=tuple(LinkItem("said_by", 100 + s, 110 + t) for s, t in a_links))
    b = doc(*spans(200, 2), links=tuple(LinkItem("said_by", 200 + s, 210 + t) for s, t in b_links))
    report = agreement_report({"a": {"d": a}, "b": {"d": b}}, relations=["said_by", "mentions"])
    assert_honest(report)
    entry = pair(report, "a", "b")["relations"]["said_by"]
    assert (entry["tp"], entry["fn"], entry["fp"]) == (1, 1, 2)
    assert entry["f1"] == pytest.approx(2 / 5, abs=1e-12)
    # Kappa: every (matched statement, matched speaker) pair is an item, "said_by" or "none".
    items = list(product(range(3), range(2)))
    first = ["said_by" if item in a_links else "none" for item in items]
    second = ["said_by" if item in b_links else "none" for item in items]
    assert entry["n"] == 6
    assert entry["cohen_kappa"] == pytest.approx(cohen_kappa_score(first, second), abs=1e-9)
    # A relation nobody used is undefined, with its reasons.
    unused = pair(report, "a", "b")["relations"]["mentions"]
    assert unused["f1"] is None and unused["cohen_kappa"] is None
    assert "cohen_kappa: no items" in unused["undefined"]
    overall = report["overall"]["relations"]["said_by"]
    assert overall["f1_mean"] == entry["f1"]
    assert overall["cohen_kappa_mean"] == entry["cohen_kappa"]


def test_perfect_relation_agreement() -> None:
    links = (LinkItem("said_by", 1, 3), LinkItem("said_by", 2, 4))
    spans = (stance(1, 0, 10), stance(2, 20, 30), SpanItem(3, 40, 45, P), SpanItem(4, 50, 55, P))
    report = agreement_report(
        {"a": {"d": doc(*spans, links=links)}, "b": {"d": doc(*spans, links=links)}},
        relations=["said_by"],
    )
    entry = pair(report, "a", "b")["relations"]["said_by"]
    assert (entry["f1"], entry["cohen_kappa"], entry["n"]) == (1.0, 1.0, 4)


# -- the report as a whole ----------------------------------------------------------------------


def test_one_annotator_gives_no_pairs_and_says_why() -> None:
    report = agreement_report({"solo": {"d": doc(stance(1, 0, 10))}}, relations=["said_by"])
    assert_honest(report)
    assert report["pairs"] == [] and report["documents"] == 0
    overall = report["overall"]["spans"]["*"]
    assert overall["f1_mean"] is None and overall["alpha_u"] is None
    assert overall["undefined"] == "f1_mean: one annotator; alpha_u: one annotator"
    assert "undefined (one annotator)" in render_table(report)


def test_table_shows_every_pair_label_and_measure() -> None:
    a = {"d": doc(stance(1, 0, 10, "supports"), stance(2, 20, 30, "opposes"))}
    b = {"d": doc(stance(3, 0, 10, "supports"), stance(4, 20, 31, "supports"))}
    report = agreement_report({"alice": a, "bob": b}, attributes={S: ["stance"]})
    table = render_table(report)
    assert "alice vs bob (1 document, alice as reference)" in table
    assert "STATEMENT" in table and "all (micro)" in table
    statement_row = next(line for line in table.splitlines() if line.strip().startswith(S))
    alpha = report["pairs"][0]["spans"][S]["alpha_u"]
    assert statement_row.split()[1:] == ["0.500", "0.500", "0.500", f"{alpha:.3f}", "1", "1", "1"]
    assert "STATEMENT.stance" in table and "Fleiss kappa" in table and "alpha_u" in table


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        agreement_report({}, mode="nearby")  # type: ignore[arg-type]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        agreement_report({"a": {"d": doc(stance(1, 0, 5))}, "b": {"d": doc(stance(2, 0, 5))}})
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
