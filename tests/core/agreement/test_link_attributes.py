"""Agreement on a link's own values (stance toward a target): Cohen's kappa over the links both
annotators made between matched spans, as a user recomputes it with scikit-learn."""

from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.core.domain.agreement import (
    DocAnnotations,
    LinkItem,
    SpanItem,
    agreement_report,
    render_table,
)
from annotator.core.services.workspace import Workspace

S, T = "STATEMENT", "TARGET"
TOWARD = {"aimed_at": ["stance_toward"]}


def layer(values: list[str | None], extra_link: bool = False) -> DocAnnotations:
    """One statement (id 1) aimed at each of len(values) targets (ids 10...), with values."""
    spans = [SpanItem(1, 0, 5, S)] + [
        SpanItem(10 + i, 10 + 10 * i, 15 + 10 * i, T) for i in range(len(values))
    ]
    links = [
        LinkItem("aimed_at", 1, 10 + i, {} if v is None else {"stance_toward": v})
        for i, v in enumerate(values)
    ]
    if extra_link:  # a target only one annotator marked: a span disagreement, not a value one
        spans.append(SpanItem(99, 90, 95, T))
        links.append(LinkItem("aimed_at", 1, 99, {"stance_toward": "supports"}))
    return DocAnnotations(200, spans, links)


def test_kappa_of_a_relation_attribute_over_shared_links() -> None:
    alice = ["threatens", "supports", "threatens", None, "opposes", "supports"]
    bob = ["threatens", "supports", "opposes", None, "opposes", "threatens"]
    report = agreement_report(
        {"alice": {"d": layer(alice)}, "bob": {"d": layer(bob, extra_link=True)}},
        relations=["aimed_at"],
        link_attributes=TOWARD,
    )
    (pair,) = report["pairs"]
    entry = pair["link_attributes"]["aimed_at.stance_toward"]
    assert entry["n"] == 6  # bob's extra link has no partner: not a value to compare
    as_text = [v or "(unset)" for v in alice], [v or "(unset)" for v in bob]
    assert entry["cohen_kappa"] == pytest.approx(cohen_kappa_score(*as_text), abs=1e-12)
    assert pair["spans"]["TARGET"]["fp"] == 1  # counted once, as a span disagreement
    overall = report["overall"]["link_attributes"]["aimed_at.stance_toward"]
    assert overall["cohen_kappa_mean"] == pytest.approx(entry["cohen_kappa"])
    assert "aimed_at.stance_toward" in render_table(report)


def test_no_shared_link_leaves_the_kappa_undefined_with_a_reason() -> None:
    alice = DocAnnotations(100, [SpanItem(1, 0, 5, S)], [])
    bob = DocAnnotations(100, [SpanItem(1, 0, 5, S)], [])
    report = agreement_report(
        {"alice": {"d": alice}, "bob": {"d": bob}}, relations=["aimed_at"], link_attributes=TOWARD
    )
    entry = report["pairs"][0]["link_attributes"]["aimed_at.stance_toward"]
    assert entry["cohen_kappa"] is None and "cohen_kappa: " in entry["undefined"]


def test_the_service_compares_stance_toward_from_the_schema(workspace: Workspace) -> None:
    text = "Iran will arm Hezbollah and strike Israel. Syria agreed.\n"
    doc = workspace.documents.add(text, key="d").id
    given = {"alice": ("threatens", "supports"), "bob": ("threatens", "opposes")}
    for who, (israel, hezbollah) in given.items():
        a = workspace.annotations(who)
        statement = a.create_span(doc, 0, 42, "STATEMENT", {"stance": "threatens"})
        for word, value in (("Israel", israel), ("Hezbollah", hezbollah)):
            start = text.index(word)
            target = a.create_span(doc, start, start + len(word), "TARGET")
            link = a.link(statement.id, target.id, "aimed_at")
            a.set_relation_attribute(link.id, "stance_toward", value)
        a.set_status(doc, "done", force=True)
    (pair,) = workspace.agreement()["pairs"]
    entry = pair["link_attributes"]["aimed_at.stance_toward"]
    expected = cohen_kappa_score(given["alice"], given["bob"])
    assert entry["n"] == 2
    assert entry["cohen_kappa"] == pytest.approx(expected, abs=1e-12)
