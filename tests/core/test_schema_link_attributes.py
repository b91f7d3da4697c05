"""Schema changes that touch a link's own values (stance toward a target), on SQLite and
PostgreSQL: renamed, merged, mapped, a new required one listed for review, archived links
keeping them; and the steps that would drop them refused with their line."""

from __future__ import annotations

from typing import Any

import pytest

from annotator.core.domain.errors import SchemaError
from annotator.core.services.workspace import Workspace
from tests.core.schema_variants import DEFAULT, schema_of, variant, without_weapon

TEXT = "Iran said it will arm Hezbollah and strike Israel if attacked.\n"
LAYERS = ("alice", "bob")
THREATENS = '          - {name: threatens, hotkey: "3", '
OPPOSES = '          - {name: opposes, hotkey: "2", '


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@pytest.fixture
def doc_id(workspace: Workspace) -> int:
    """Two layers, each: one statement threatening Israel, supporting Hezbollah; done."""
    doc = workspace.documents.add(TEXT, key="iran").id
    for layer in LAYERS:
        service = workspace.annotations(layer)
        statement = service.create_span(doc, *at(TEXT[:62]), "STATEMENT", {"stance": "threatens"})
        for name, value in (("Israel", "threatens"), ("Hezbollah", "supports")):
            target = service.create_span(doc, *at(name), "TARGET")
            link = service.link(statement.id, target.id, "aimed_at")
            service.set_relation_attribute(link.id, "stance_toward", value)
        service.set_status(doc, "done", force=True)
    return doc


def toward(ws: Workspace, doc_id: int, layer: str = "alice") -> dict[str, Any]:
    """Each target's stance_toward, as the annotator sees it."""
    service = ws.annotations(layer)
    spans = {s.id: TEXT[s.start : s.end] for s in service.spans(doc_id)}
    return {
        spans[r.target_id]: r.attributes.get("stance_toward") for r in service.relations(doc_id)
    }


def use(ws: Workspace, text: str) -> Any:
    return ws.schema_changes.apply(schema_of(text), "lead")


def lines_of(report: Any) -> str:
    return "\n".join(report.lines())


def test_renaming_a_value_of_a_relation_attribute_renames_it_on_every_link(
    workspace: Workspace, doc_id: int
) -> None:
    new = variant(
        "1.1",
        edits=((THREATENS, THREATENS.replace("threatens", "menaces")),),
        migrations="- rename_value: {attribute: aimed_at.stance_toward, from: threatens, "
        "to: menaces}\n",
    )
    report = use(workspace, new)
    for layer in LAYERS:
        assert toward(workspace, doc_id, layer) == {"Israel": "menaces", "Hezbollah": "supports"}
    text = lines_of(report)
    assert "value aimed_at.stance_toward 'threatens' renamed to 'menaces'" in text
    assert "2 values (alice 1, bob 1)" in text
    # The statement's own stance is a different attribute: untouched.
    stances = {s.attributes.get("stance") for s in workspace.annotations("alice").spans(doc_id)}
    assert "threatens" in stances


def test_merging_and_mapping_values_of_a_relation_attribute(
    workspace: Workspace, doc_id: int
) -> None:
    merged = variant(
        "1.1",
        edits=((OPPOSES, OPPOSES.replace("opposes", "hostile")), (THREATENS, "")),
        migrations="- merge_values: {attribute: aimed_at.stance_toward, from: [opposes, "
        "threatens], to: hostile}\n",
    )
    # The edit removed threatens' whole line: cut what is left of it.
    merged = merged.replace(
        'description: "Promises force or retaliation against this target."}\n', "", 1
    )
    use(workspace, merged)
    assert toward(workspace, doc_id) == {"Israel": "hostile", "Hezbollah": "supports"}
    supports = '          - {name: supports, hotkey: "1", description: "Backs, arms, defends or '
    supports += 'allies with this target."}\n'
    mapped = merged.replace('version: "1.1"', 'version: "1.2"').replace(supports, "")
    mapped = mapped.split("\nmigrations:\n")[0] + (
        "\nmigrations:\n- map_removed_value: {attribute: aimed_at.stance_toward, "
        "from: supports, to: neutral}\n"
    )
    use(workspace, mapped)
    assert toward(workspace, doc_id, "bob") == {"Israel": "hostile", "Hezbollah": "neutral"}


def test_a_removed_value_without_a_step_is_refused_and_nothing_changes(
    workspace: Workspace, doc_id: int
) -> None:
    from annotator.core.services.schema_changes import SchemaChangeRefused

    before = toward(workspace, doc_id)
    line = THREATENS + 'description: "Promises force or retaliation against this target."}\n'
    with pytest.raises(SchemaChangeRefused) as info:
        use(workspace, variant("1.1", edits=((line, ""),)))
    message = str(info.value)
    assert "value aimed_at.stance_toward 'threatens' is not in the schema: 2 values" in message
    hint = "- map_removed_value: {attribute: aimed_at.stance_toward, from: threatens, to: VALUE}"
    assert hint + "\n" in message + "\n"  # and no "or archive_value": the archive refuses it
    assert toward(workspace, doc_id) == before
    assert workspace.active_schema().version == "1.0"


def test_renaming_the_relation_attribute_itself(workspace: Workspace, doc_id: int) -> None:
    new = variant(
        "1.1",
        edits=(("      - name: stance_toward\n", "      - name: attitude\n"),),
        migrations="- rename_attribute: {relation: aimed_at, from: stance_toward, to: attitude}\n",
    )
    report = use(workspace, new)
    assert "attribute aimed_at.stance_toward renamed to attitude" in lines_of(report)
    service = workspace.annotations("alice")
    assert sorted(r.attributes.get("attitude") for r in service.relations(doc_id)) == [
        "supports",
        "threatens",
    ]


def test_a_new_required_relation_attribute_is_listed_for_review(
    workspace: Workspace, doc_id: int
) -> None:
    required = variant(
        "1.1",
        edits=(
            (
                "    description: The statement was made by this speaker.\n",
                "    description: The statement was made by this speaker.\n"
                "    attributes:\n      - name: certainty\n        type: choice\n"
                "        required: true\n        values: [certain, hedged]\n",
            ),
        ),
    )
    service = workspace.annotations("alice")
    statement = next(s for s in service.spans(doc_id) if s.label == "STATEMENT")
    speaker = service.create_span(doc_id, *at("Iran"), "SPEAKER")
    service.link(statement.id, speaker.id, "said_by")
    report = use(workspace, required)
    text = lines_of(report)
    assert "attribute said_by.certainty added, required: 1 links (alice 1) lack a value" in text
    assert "needs review: said_by.certainty is required but not set: 1 links" in text
    assert report.needs_review == ["iran (alice)"]
    (row,) = workspace.schema_changes.review(workspace.active_schema())
    assert (row.annotator, row.label, row.missing) == ("alice", "STATEMENT", ("said_by.certainty",))
    assert service.status(doc_id) == "done"  # nothing is un-done silently


def test_an_archived_relation_keeps_its_links_values_and_brings_them_back(
    workspace: Workspace, doc_id: int
) -> None:
    before = {layer: toward(workspace, doc_id, layer) for layer in LAYERS}
    start, end = DEFAULT.index("  - name: aimed_at"), DEFAULT.index("  - name: about")
    without = DEFAULT[:start] + DEFAULT[end:]
    without = without.replace("      target: aimed_at\n", "")
    use(workspace, variant("2.0", base=without, migrations="- archive_relation: aimed_at\n"))
    assert workspace.annotations("alice").relations(doc_id) == []
    use(workspace, variant("3.0"))
    assert {layer: toward(workspace, doc_id, layer) for layer in LAYERS} == before


@pytest.mark.parametrize(
    "step",
    [
        "- archive_value: {attribute: aimed_at.stance_toward, value: threatens}",
        "- archive_attribute: aimed_at.stance_toward",
    ],
)
def test_archiving_a_link_value_is_refused_with_its_line(step: str) -> None:
    text = variant("1.1", base=without_weapon(DEFAULT), migrations=step + "\n")
    with pytest.raises(SchemaError) as info:
        schema_of(text)
    lines = text.splitlines()
    problem = next(p for p in info.value.problems if "cannot be archived" in p.reason)
    assert lines[problem.line - 1].startswith(step) or step.split(":")[0] in lines[problem.line - 1]
