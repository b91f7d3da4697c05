"""The dashboard's figures on SQLite and PostgreSQL, against counts this test keeps itself while
it makes the work: what a team lead would count by hand."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from annotator.core.domain.statistics import (
    UNLINKED_PRONOUNS,
    Table,
    progress_table,
    speaker_table,
)
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Annotator, DocumentStatus

STANCES = ("supports", "opposes", "threatens", "denies", "neutral")
WEAPONS = ("drone", "naval", "nuclear")
# (mention text, who a reader takes it for): the entity's name when linked, else the name folded
SPEAKERS = (
    ("Gen. Ivanov", "ivanov"),
    ("Ivanov’s", "ivanov"),
    ("the ministry", "the ministry"),
    ("Minister Hatami", "Amir Hatami"),  # linked to the registry's entity
)
SENTENCE = "{speaker} said the drone force would grow. "
DAYS = ("2026-11-03", "2026-11-05", "2026-11-09")


def _rows(table: Table) -> dict[tuple[object, ...], object]:
    """Every row keyed by its leading cells, its last cell the value."""
    return {row[:-1]: row[-1] for row in table.rows}


@pytest.fixture
def team(workspace: Workspace) -> dict[str, object]:
    """Six documents, alice and bob's spans and links, statuses on three days; the expected
    figures counted as the work is made."""
    ws = workspace
    rng = random.Random(13)
    hatami = None
    expected_labels: Counter[tuple[str, str]] = Counter()
    expected_values: Counter[tuple[str, str, str, str]] = Counter()
    expected_speakers: Counter[str] = Counter()
    registry = ws.entities()
    doc_ids: list[int] = []
    for d in range(6):
        chosen = [rng.choice(SPEAKERS) for _ in range(4)]
        text = "".join(SENTENCE.format(speaker=s) for s, _ in chosen)
        doc = ws.documents.add(text, key=f"doc-{d}", title=f"Doc {d}")
        doc_ids.append(doc.id)
        for who in ("alice", "bob"):
            layer = ws.annotations(who)
            pos = 0
            for mention, reader in chosen:
                sentence = SENTENCE.format(speaker=mention)
                if rng.random() < 0.2:  # this annotator missed the sentence
                    pos += len(sentence)
                    continue
                spk = layer.create_span(doc.id, pos, pos + len(mention), "SPEAKER")
                stance = rng.choice(STANCES)
                values = {"stance": stance}
                if rng.random() < 0.5:
                    values["form"] = "indirect"
                    expected_values[(who, "STATEMENT", "form", "indirect")] += 1
                start = pos + len(mention) + 1
                statement = layer.create_span(
                    doc.id, start, pos + len(sentence) - 1, "STATEMENT", values
                )
                expected_values[(who, "STATEMENT", "stance", stance)] += 1
                weapon = rng.choice(WEAPONS)
                w_start = pos + sentence.index("drone")
                layer.create_span(doc.id, w_start, w_start + 5, "WEAPON", {"weapon_type": weapon})
                expected_values[(who, "WEAPON", "weapon_type", weapon)] += 1
                expected_labels.update({(who, "SPEAKER"): 1, (who, "STATEMENT"): 1})
                expected_labels[(who, "WEAPON")] += 1
                if rng.random() < 0.85:  # some statements have no speaker yet
                    layer.link(statement.id, spk.id, "said_by")
                    expected_speakers[reader] += 1
                    if reader == "Amir Hatami":
                        if hatami is None:
                            hatami = registry.link_new(layer, spk.id, "Amir Hatami").created
                        else:
                            registry.link_mention(layer, spk.id, hatami.key)
                pos += len(sentence)
    # statuses: alice done 4 (days 0, 0, 1, 2), bob done 2 (day 1) and one in progress,
    # gold done 1 (not a person: not in the default figures)
    plan = {
        "alice": [(0, "done", 0), (1, "done", 0), (2, "done", 1), (3, "done", 2)],
        "bob": [(0, "done", 1), (4, "done", 1), (5, "in_progress", 2)],
        "gold": [(0, "done", 2)],
    }
    for who, marks in plan.items():
        layer = ws.gold() if who == "gold" else ws.annotations(who)
        for d, status, day in marks:
            doc_id = doc_ids[d]
            layer.set_status(doc_id, status, force=True)
            when = datetime.fromisoformat(DAYS[day] + "T12:00:00").replace(tzinfo=UTC)
            with ws.db.write() as s:
                person = s.query(Annotator.id).filter(Annotator.name == who).scalar_subquery()
                s.execute(
                    update(DocumentStatus)
                    .where(
                        DocumentStatus.document_id == doc_id,
                        DocumentStatus.annotator_id == person,
                    )
                    .values(updated_at=when)
                )
    return {
        "labels": expected_labels,
        "values": expected_values,
        "speakers": expected_speakers,
    }


def test_progress_counts_done_documents_per_day_with_running_totals(
    workspace: Workspace, team: dict[str, object]
) -> None:
    table = workspace.statistics().progress()
    assert table.headers == ("annotator", "day", "done", "cumulative")
    assert list(table.rows) == [
        ("alice", DAYS[0], 2, 2),
        ("alice", DAYS[1], 1, 3),
        ("alice", DAYS[2], 1, 4),
        ("bob", DAYS[1], 2, 2),
    ]
    gold = workspace.statistics().progress(["gold"])
    assert list(gold.rows) == [("gold", DAYS[2], 1, 1)]


def test_spans_per_label_and_value_match_the_work_made(
    workspace: Workspace, team: dict[str, object]
) -> None:
    labels, values = workspace.statistics().labels_and_values()
    assert _rows(labels) == dict(team["labels"])  # type: ignore[call-overload]
    assert _rows(values) == dict(team["values"])  # type: ignore[call-overload]
    only_bob, _ = workspace.statistics().labels_and_values(["bob"])
    assert {k[0] for k in _rows(only_bob)} == {"bob"}
    assert sum(only_bob.column("spans")) == sum(  # type: ignore[arg-type]
        n
        for (who, _), n in team["labels"].items()
        if who == "bob"  # type: ignore[attr-defined]
    )


def test_statements_per_speaker_by_entity_else_by_folded_name(
    workspace: Workspace, team: dict[str, object]
) -> None:
    table = workspace.statistics().speakers()
    # a folded name is shown as one of its mentions ("Gen. Ivanov" or "Ivanov’s")
    reader = dict(SPEAKERS)
    got = {reader.get(str(row[0]), row[0]): row[2] for row in table.rows}
    assert got == dict(team["speakers"])  # type: ignore[call-overload]
    assert len(table.rows) == len(team["speakers"])  # type: ignore[arg-type]
    entity = next(row for row in table.rows if row[0] == "Amir Hatami")
    assert entity[1] == workspace.entities().get("Amir Hatami").key
    counts = table.column("statements")
    assert counts == sorted(counts, reverse=True)  # most statements first
    assert len(workspace.statistics().speakers(top=2).rows) == 2


def test_agreement_per_label_is_the_agreement_reports(workspace: Workspace, team: object) -> None:
    table = workspace.statistics().agreement(statuses=None)
    report = workspace.agreement(statuses=None)
    spans = report["overall"]["spans"]
    assert [row[0] for row in table.rows] == list(spans)
    for label, f1, alpha, _ in table.rows:
        assert f1 == spans[label]["f1_mean"] and alpha == spans[label]["alpha_u"]
    assert any(isinstance(row[1], float) for row in table.rows)


def test_agreement_stops_when_the_progress_callback_says_so(
    workspace: Workspace, team: object
) -> None:
    from annotator.core.services.statistics import StatisticsCancelled

    with pytest.raises(StatisticsCancelled):
        workspace.statistics().agreement(progress=lambda done, total: False)


def test_running_totals_and_speaker_folding_without_a_database() -> None:
    table = progress_table([("a", "2026-01-02", 2), ("a", "2026-01-01", 1), ("a", "2026-01-02", 1)])
    assert list(table.rows) == [("a", "2026-01-01", 1, 1), ("a", "2026-01-02", 3, 4)]
    folded = speaker_table(
        [
            (None, None, "Gen.  Ivanov", 2),
            (None, None, "Ivanov’s", 1),
            ("k1", "Hatami", None, 5),
            (None, None, "He", 1),
            (None, None, "she", 1),
        ],
        lambda text: text.casefold().removeprefix("gen. ").removesuffix("’s"),
        pronoun=lambda text: text.casefold() in ("he", "she"),
    )
    assert list(folded.rows) == [
        ("Hatami", "k1", 5),
        ("Gen. Ivanov", None, 3),
        (UNLINKED_PRONOUNS, None, 2),
    ]
    assert folded.csv_text().splitlines() == [
        "speaker,entity,statements",
        "Hatami,k1,5",
        "Gen. Ivanov,,3",
        f"{UNLINKED_PRONOUNS},,2",
    ]


def test_agreement_reports_its_steps_and_stops_at_any_of_them(
    workspace: Workspace, team: object
) -> None:
    from annotator.core.services.statistics import StatisticsCancelled

    seen: list[tuple[int, int]] = []
    workspace.statistics().agreement(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    for stop in range(3):
        with pytest.raises(StatisticsCancelled):
            workspace.statistics().agreement(progress=lambda done, _t, stop=stop: done != stop)


def test_a_chosen_layer_is_compared_with_each_person_one_pair_at_a_time(
    workspace: Workspace, team: object
) -> None:
    from annotator.core.services.statistics import StatisticsCancelled

    seen: list[tuple[int, int]] = []
    table = workspace.statistics().agreement(
        ["alice"], statuses=None, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]  # read, then the one pair (alice, bob)
    pair = workspace.agreement(annotators=["alice", "bob"], statuses=None)["pairs"][0]["spans"]
    assert {row[:3] for row in table.rows} == {("alice", "bob", label) for label in pair}
    for _layer, _with, label, f1, alpha, documents, _ in table.rows:
        assert (f1, alpha, documents) == (pair[label]["f1"], pair[label]["alpha_u"], 6)
    with pytest.raises(StatisticsCancelled):
        workspace.statistics().agreement(["alice"], progress=lambda done, _t: done != 2)


def test_gold_is_compared_wherever_it_was_written_not_only_where_it_is_done(
    workspace: Workspace, team: object
) -> None:
    # Curation copies alice's spans of doc-1 into gold, still in progress (gold is done on doc-0).
    gold, alice = workspace.gold(), workspace.annotations("alice")
    doc = workspace.documents.by_key("doc-1").id
    for span in alice.spans(doc):
        gold.create_span(doc, span.start, span.end, span.label, dict(span.attributes))
    gold.set_status(doc, "in_progress", force=True)

    table = workspace.statistics().agreement(["gold"])  # people's done documents
    documents = {row[1]: row[5] for row in table.rows}
    assert documents == {"alice": 2, "bob": 1}  # alice done on doc-0 and doc-1, bob on doc-0
    assert {row[0] for row in table.rows} == {"gold"}


@pytest.fixture
def three_people(workspace: Workspace) -> Workspace:
    """d0: alice SPEAKER [0,5) [10,15), bob [0,5) [20,25), both done; d1: alice alone, done;
    d2: carol alone, done. Nobody else ever opened d1 or d2."""
    ws = workspace
    d0, d1, d2 = (ws.documents.add(c * 40, key=f"d{i}").id for i, c in enumerate("xyz"))
    alice, bob, carol = (ws.annotations(n) for n in ("alice", "bob", "carol"))
    for start in (0, 10):
        alice.create_span(d0, start, start + 5, "SPEAKER")
    for start in (0, 20):
        bob.create_span(d0, start, start + 5, "SPEAKER")
    alice.create_span(d1, 0, 5, "TARGET")
    carol.create_span(d2, 0, 5, "SPEAKER")
    for layer, doc in ((alice, d0), (bob, d0), (alice, d1), (carol, d2)):
        layer.set_status(doc, "done")
    return ws


@pytest.mark.parametrize("statuses", [("done",), None])
def test_any_status_compares_only_documents_a_person_worked_on(
    three_people: Workspace, statuses: tuple[str, ...] | None
) -> None:
    """ "Any status" takes documents in progress or skipped too, never ones a person did not
    open: carol shares no document with alice, and alice and bob share d0 alone."""
    table = three_people.statistics().agreement(["alice"], statuses=statuses)
    rows = {(row[1], row[2]): row for row in table.rows}
    assert {who for who, _ in rows} == {"bob"}  # no carol: nothing in common
    _, _, _, f1, alpha, documents, _ = rows[("bob", "SPEAKER")]
    assert (f1, documents) == (0.5, 1)  # tp 1, fp 1, fn 1 on d0
    assert alpha == pytest.approx(0.23828125)  # by hand: 1 - (100/3200) / ((2/40) * 5120/6240)
    everyone = three_people.agreement(statuses=statuses)
    assert everyone["documents"] == 1  # only d0 is held by two people
    assert everyone["pairs"][0]["spans"]["SPEAKER"]["f1"] == 0.5


def test_the_chosen_layer_is_the_reference_of_precision_and_recall(three_people: Workspace) -> None:
    """P/R are measured against the chosen layer (the one a lead asks about), whatever the
    names' order: bob chosen, alice's [10,15) is bob's false negative from alice's side."""
    alice, bob = three_people.annotations("alice"), three_people.annotations("bob")
    d0 = three_people.documents.by_key("d0").id
    bob.create_span(d0, 30, 35, "SPEAKER")  # bob: 3 speakers, alice: 2, one in common
    entry = next(
        e
        for e in measure_pairs_of(three_people, [("bob", "alice")])
        if e["annotators"] == ["bob", "alice"]
    )
    speaker = entry["spans"]["SPEAKER"]
    assert (speaker["tp"], speaker["fp"], speaker["fn"]) == (1, 1, 2)  # bob the reference
    assert speaker["recall"] == pytest.approx(1 / 3)  # of bob's 3, alice found 1
    assert speaker["precision"] == pytest.approx(1 / 2)  # of alice's 2, 1 is bob's
    assert speaker["f1"] == pytest.approx(0.4)
    (reverse,) = measure_pairs_of(three_people, [("alice", "bob")])
    assert reverse["spans"]["SPEAKER"]["recall"] == pytest.approx(1 / 2)
    assert alice.spans(d0)  # the work itself untouched


def measure_pairs_of(ws: Workspace, pairs: list[tuple[str, str]]) -> list[dict[str, object]]:
    from annotator.core.services.agreement import measure_pairs

    return measure_pairs(ws.db, ws.active_schema(), pairs)
