"""Gold takes a link's own values: adjudication agrees a link only with the same stance toward
its target, and a span accepted by hand brings its links' values (SQLite and PostgreSQL)."""

from __future__ import annotations

from annotator.core.services.workspace import Workspace

TEXT = "Iran will arm Hezbollah and strike Israel. Syria agreed.\n"


def at(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def annotate(ws: Workspace, doc: int, who: str, israel: str, hezbollah: str) -> None:
    a = ws.annotations(who)
    statement = a.create_span(doc, 0, 42, "STATEMENT", {"stance": "threatens"})
    for word, value in (("Israel", israel), ("Hezbollah", hezbollah)):
        target = a.create_span(doc, *at(word), "TARGET")
        link = a.link(statement.id, target.id, "aimed_at")
        a.set_relation_attribute(link.id, "stance_toward", value)
    a.set_status(doc, "done", force=True)


def gold_values(ws: Workspace, doc: int) -> dict[str, dict[str, object]]:
    gold = ws.gold()
    words = {s.id: TEXT[s.start : s.end] for s in gold.spans(doc)}
    return {words[r.target_id]: r.attributes for r in gold.relations(doc)}


def test_adjudication_agrees_links_with_their_values_and_leaves_the_rest(
    workspace: Workspace,
) -> None:
    doc = workspace.documents.add(TEXT, key="d").id
    annotate(workspace, doc, "alice", "threatens", "supports")
    annotate(workspace, doc, "bob", "threatens", "opposes")
    report = workspace.adjudicate(min_agree=2)
    assert gold_values(workspace, doc) == {"Israel": {"stance_toward": "threatens"}}
    (outcome,) = report.documents
    disputed = [(u.what, u.reason) for u in outcome.undecided]
    assert ("link", "same link, different values") in disputed


def test_a_span_accepted_by_hand_brings_its_links_values(workspace: Workspace) -> None:
    doc = workspace.documents.add(TEXT, key="d").id
    annotate(workspace, doc, "alice", "threatens", "supports")
    curation = workspace.curation()
    work = curation.work("d")
    versions = [v for row in curation.rows(work) for v in row.versions if v.annotator == "alice"]
    accepted = curation.accept_many(work, versions).accepted
    links = [r for a in accepted for r in a.relations]
    assert sorted(r.attributes["stance_toward"] for r in links) == ["supports", "threatens"]
    assert gold_values(workspace, doc) == {
        "Israel": {"stance_toward": "threatens"},
        "Hezbollah": {"stance_toward": "supports"},
    }
