"""Changing the active schema without losing work, on SQLite and PostgreSQL.

One article annotated by two people and the gold layer; each kind of schema change is made as a
team lead makes it (the YAML edited, a ``migrations`` step added), then checked as they would
check it: what each layer now holds, what the report and the history say, what came back.
"""

from __future__ import annotations

from typing import Any

import pytest

from annotator.core.domain.errors import UnknownLabelError
from annotator.core.domain.schema import Schema
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.schema_changes import SchemaChangeRefused
from annotator.core.services.workspace import Workspace
from tests.core.schema_variants import (
    DEFAULT,
    EXPERIMENT_STEPS,
    experiment,
    schema_of,
    variant,
    with_certainty,
    without_weapon,
)

TEXT = (
    "Halvard warns Korvath\n"
    "“We will strike back at Korvath,” General Halvorsen said beside the Stormbreaker missile. "
    "The ministry denied the report."
)
LAYERS = ("alice", "bob", "gold")
PER_LAYER = "(alice 1, bob 1, gold layer 1)"


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def annotate(service: AnnotationService, doc_id: int) -> None:
    quote = service.create_span(
        doc_id,
        *at("“We will strike back at Korvath,”"),
        "STATEMENT",
        {"stance": "threatens", "form": "direct"},
    )
    denial = service.create_span(
        doc_id, *at("The ministry denied the report."), "STATEMENT", {"stance": "denies"}
    )
    speaker = service.create_span(
        doc_id, *at("General Halvorsen"), "SPEAKER", {"speaker_type": "official"}
    )
    target = service.create_span(doc_id, *at("Korvath,"), "TARGET")
    weapon = service.create_span(
        doc_id, *at("Stormbreaker missile"), "WEAPON", {"weapon_type": "ballistic_missile"}
    )
    service.link(quote.id, speaker.id, "said_by")
    service.link(quote.id, target.id, "aimed_at")
    service.link(quote.id, weapon.id, "about")
    service.link(denial.id, speaker.id, "said_by")


@pytest.fixture
def doc_id(workspace: Workspace) -> int:
    doc = workspace.documents.add(TEXT, key="halvorsen")
    for layer in LAYERS:
        annotate(workspace.gold() if layer == "gold" else workspace.annotations(layer), doc.id)
    workspace.annotations("alice").set_status(doc.id, "done")
    return doc.id


def held(ws: Workspace, doc_id: int, layer: str = "alice") -> dict[str, Any]:
    """What a layer holds, as a user reads it: spans by text, and links by the texts they join."""
    service = ws.gold() if layer == "gold" else ws.annotations(layer)
    spans = {s.id: s for s in service.spans(doc_id)}
    return {
        "spans": sorted(
            (TEXT[s.start : s.end], s.label, sorted(s.attributes.items())) for s in spans.values()
        ),
        "links": sorted(
            (
                TEXT[spans[r.source_id].start : spans[r.source_id].end],
                r.label,
                TEXT[spans[r.target_id].start : spans[r.target_id].end],
            )
            for r in service.relations(doc_id)
        ),
    }


def everything(ws: Workspace, doc_id: int) -> dict[str, Any]:
    return {layer: held(ws, doc_id, layer) for layer in LAYERS}


def use(ws: Workspace, text: str) -> Any:
    return ws.schema_changes.apply(schema_of(text), "lead")


def stances(ws: Workspace, doc_id: int, layer: str = "alice") -> list[str]:
    return sorted(
        s.attributes["stance"]
        for s in ws.annotations(layer).spans(doc_id)
        if s.label == "STATEMENT"
    )


def lines_of(report: Any) -> str:
    return "\n".join(report.lines())


# -- refused --


def test_a_schema_that_would_leave_annotations_outside_it_is_refused_and_nothing_changes(
    workspace: Workspace, doc_id: int
) -> None:
    before = everything(workspace, doc_id)
    with pytest.raises(SchemaChangeRefused) as info:
        use(workspace, experiment())
    message = str(info.value)
    assert "would leave annotations outside the schema; nothing was changed" in message
    assert f"label WEAPON is not in the schema: 3 spans {PER_LAYER}; e.g. halvorsen" in message
    assert f"relation about is not in the schema: 3 links {PER_LAYER}" in message
    assert f"value STATEMENT.stance 'threatens' is not in the schema: 3 values {PER_LAYER}" in (
        message
    )
    assert "- archive_label: WEAPON" in message
    assert "- map_removed_value: {attribute: STATEMENT.stance, from: threatens, to: VALUE}" in (
        message
    )
    assert everything(workspace, doc_id) == before
    assert workspace.active_schema().version == "1.0"
    assert workspace.schema_changes.history() == []


def test_the_diff_counts_what_each_change_touches_per_layer(
    workspace: Workspace, doc_id: int
) -> None:
    report = workspace.schema_changes.preview(schema_of(experiment(EXPERIMENT_STEPS)))
    assert [f"{c.text}: {n.text(c.unit)}" for c, n in report.changes] == [
        f"label WEAPON removed, archived (archive_label WEAPON): 3 spans {PER_LAYER}",
        "value STATEMENT.stance 'threatens' renamed to 'threat' (rename_value STATEMENT.stance: "
        f"threatens -> threat): 3 values {PER_LAYER}",
        "attribute STATEMENT.certainty added, required: 6 spans (alice 2, bob 2, gold layer 2)",
        f"relation about removed, archived (archive_relation about): 3 links {PER_LAYER}",
    ]
    assert not report.conflicted
    assert report.needs_review == ["halvorsen (alice)"]
    assert workspace.active_schema().version == "1.0"  # a preview writes nothing


# -- each kind of change --


def test_rename_value(workspace: Workspace, doc_id: int) -> None:
    new = variant(
        "1.1",
        edits=(("          - name: threatens\n", "          - name: threat\n"),),
        migrations="- rename_value: {attribute: STATEMENT.stance, from: threatens, to: threat}\n",
    )
    report = use(workspace, new)
    for layer in LAYERS:
        assert stances(workspace, doc_id, layer) == ["denies", "threat"]
    step, counts = report.steps[0]
    assert counts["values"].text("values") == f"3 values {PER_LAYER}"
    (entry,) = workspace.schema_changes.history()
    assert (entry.who, entry.old, entry.new) == (
        "lead",
        "defence_statements 1.0",
        "defence_statements 1.1",
    )
    assert entry.report["steps"][0]["step"] == step.text
    alice = workspace.annotations("alice")
    quote = next(s for s in alice.spans(doc_id) if s.attributes.get("stance") == "threat")
    with pytest.raises(UnknownLabelError, match="'threatens' is not an allowed value"):
        alice.set_attribute(quote.id, "stance", "threatens")


def test_rename_label_keeps_values_and_links(workspace: Workspace, doc_id: int) -> None:
    before = held(workspace, doc_id)
    new = variant(
        "1.1",
        edits=(("- name: TARGET", "- name: ADDRESSEE"), ("to: TARGET", "to: ADDRESSEE")),
        migrations="- rename_label: {from: TARGET, to: ADDRESSEE}\n",
    )
    report = use(workspace, new)
    assert [c.text for c, _ in report.changes] == [
        "label TARGET renamed to ADDRESSEE (rename_label TARGET -> ADDRESSEE)"
    ]  # aimed_at's end follows the renamed label: not a change of the relation
    after = held(workspace, doc_id)
    assert ("Korvath,", "ADDRESSEE", []) in after["spans"]
    assert ("“We will strike back at Korvath,”", "aimed_at", "Korvath,") in after["links"]
    assert len(after["spans"]) == len(before["spans"])
    assert after["links"] == before["links"]


def test_merge_values(workspace: Workspace, doc_id: int) -> None:
    denies = '          - name: denies\n            hotkey: "4"\n'
    new = variant(
        "1.1",
        edits=((denies, '          - name: rejects\n            hotkey: "4"\n'),
               ("          - name: opposes\n", "          - name: objects\n")),
        migrations="- merge_values: {attribute: STATEMENT.stance, from: [denies, opposes], "
        "to: rejects}\n",
    )  # fmt: skip
    report = use(workspace, new)
    assert stances(workspace, doc_id) == ["rejects", "threatens"]
    assert "value STATEMENT.stance 'denies' merged into 'rejects'" in lines_of(report)


def test_a_removed_value_mapped_to_another(workspace: Workspace, doc_id: int) -> None:
    threatens = '          - name: threatens\n            hotkey: "3"\n'
    threatens += "            description: Promises force or retaliation against someone.\n"
    new = variant(
        "1.1",
        edits=((threatens, ""),),
        migrations="- map_removed_value: {attribute: STATEMENT.stance, from: threatens, "
        "to: opposes}\n",
    )
    use(workspace, new)
    for layer in LAYERS:
        assert stances(workspace, doc_id, layer) == ["denies", "opposes"]


def test_a_removed_label_is_archived_with_its_links_and_comes_back_with_it(
    workspace: Workspace, doc_id: int
) -> None:
    before = everything(workspace, doc_id)
    ids = {s.id for s in workspace.annotations("bob").spans(doc_id) if s.label == "WEAPON"}
    archived = variant(
        "2.0",
        base=without_weapon(DEFAULT),
        migrations="- archive_label: WEAPON\n- archive_relation: about\n",
    )
    report = use(workspace, archived)
    assert "archive_label WEAPON: 3 spans " + PER_LAYER + ", 3 links " + PER_LAYER in (
        lines_of(report)
    )
    for layer in LAYERS:
        now = held(workspace, doc_id, layer)
        assert [s for s in now["spans"] if s[1] == "WEAPON"] == []
        assert [lk for lk in now["links"] if lk[1] == "about"] == []
        assert len(now["spans"]) == len(before[layer]["spans"]) - 1

    back = use(workspace, variant("3.0"))
    assert f"3 WEAPON spans {PER_LAYER}" in lines_of(back)
    assert f"3 about links {PER_LAYER}" in lines_of(back)
    assert everything(workspace, doc_id) == before
    again = {s.id for s in workspace.annotations("bob").spans(doc_id) if s.label == "WEAPON"}
    assert again == ids  # the same spans, not copies
    assert [e.new for e in workspace.schema_changes.history()] == [
        "defence_statements 2.0",
        "defence_statements 3.0",
    ]


def test_a_new_required_attribute_lists_the_done_documents_for_review(
    workspace: Workspace, doc_id: int
) -> None:
    before = everything(workspace, doc_id)
    report = use(workspace, variant("1.1", base=with_certainty(DEFAULT)))
    assert report.needs_review == ["halvorsen (alice)"]
    assert "needs review: STATEMENT.certainty is required but not set: 6 spans" in (
        lines_of(report)
    )
    assert everything(workspace, doc_id) == before  # nothing is changed or dropped
    assert workspace.annotations("alice").status(doc_id) == "done"  # nor un-done silently
    schema = workspace.active_schema()
    done = workspace.schema_changes.review(schema)
    assert sorted((r.annotator, TEXT[r.start : r.end], r.missing) for r in done) == [
        ("alice", "The ministry denied the report.", ("certainty",)),
        ("alice", "“We will strike back at Korvath,”", ("certainty",)),
    ]
    assert len(workspace.schema_changes.review(schema, ())) == 6


def test_relation_changes(workspace: Workspace, doc_id: int) -> None:
    ends = variant("1.1", edits=(("    to: TARGET\n", "    to: SPEAKER\n"),))
    with pytest.raises(SchemaChangeRefused, match="relation aimed_at does not link "):
        use(workspace, ends)

    renamed = variant(
        "1.2",
        edits=(
            ("- name: said_by", "- name: spoken_by"),
            ("speaker: said_by", "speaker: spoken_by"),
        ),
        migrations="- rename_relation: {from: said_by, to: spoken_by}\n",
    )
    use(workspace, renamed)
    links = held(workspace, doc_id, "gold")["links"]
    assert [lk[1] for lk in links].count("spoken_by") == 2 and "said_by" not in str(links)

    aimed = renamed.index("  - name: aimed_at")
    dropped = renamed[:aimed] + renamed[renamed.index("  - name: about") :]
    dropped = dropped.replace("      target: aimed_at\n", "").replace('"1.2"', '"1.3"')
    use(workspace, dropped + "- archive_relation: aimed_at\n")
    assert "aimed_at" not in str(held(workspace, doc_id, "bob")["links"])
    assert ("Korvath,", "TARGET", []) in held(workspace, doc_id, "bob")["spans"]

    use(workspace, renamed.replace('"1.2"', '"1.4"'))  # aimed_at back: its links come back
    assert ("“We will strike back at Korvath,”", "aimed_at", "Korvath,") in held(
        workspace, doc_id, "bob"
    )["links"]


def test_an_archived_attribute_comes_back_with_its_values(
    workspace: Workspace, doc_id: int
) -> None:
    before = everything(workspace, doc_id)
    form = DEFAULT.index("      - name: form")
    without_form = DEFAULT[:form] + DEFAULT[DEFAULT.index("  - name: SPEAKER") :]
    use(
        workspace,
        variant("1.1", base=without_form, migrations="- archive_attribute: STATEMENT.form\n"),
    )
    assert all("form" not in str(s) for s in held(workspace, doc_id)["spans"])
    use(workspace, variant("1.2"))
    assert everything(workspace, doc_id) == before


def test_a_database_left_outside_its_schema_by_an_older_version_is_named_then_mended(
    workspace: Workspace, doc_id: int
) -> None:
    legacy: Schema = schema_of(experiment())
    workspace.schemas.set_active(legacy)  # what `schema use` did before it looked at the data
    with pytest.raises(SchemaChangeRefused, match="label WEAPON is not in the schema: 3 spans"):
        use(workspace, experiment())
    report = use(workspace, experiment(EXPERIMENT_STEPS, version="2.1"))
    assert [c.text for c, _ in report.changes] == []  # the schemas differ in their steps only
    assert "archive_label WEAPON: 3 spans" in lines_of(report)
    assert stances(workspace, doc_id) == ["denies", "threat"]
