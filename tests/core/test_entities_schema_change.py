"""A schema change that archives speakers and targets, and one that brings them back, leave
their entity links as they were."""

from __future__ import annotations

from annotator.core.services.workspace import Workspace
from tests.core.schema_variants import named_entities_archiving_statements, schema_of, variant
from tests.core.test_entities import ONE, speaker


def test_archived_mentions_keep_their_entity_and_get_their_link_back(
    workspace: Workspace,
) -> None:
    ws = workspace
    doc = ws.documents.add(ONE, key="one").id
    reg, alice = ws.entities(), ws.annotations("alice")
    he = speaker(ws, "alice", doc, ONE, "He")
    full = speaker(ws, "alice", doc, ONE, "Defence Minister Aziz Nasirzadeh")
    reg.link_new(alice, he, "Aziz Nasirzadeh")
    reg.link_new(alice, full, "Someone Else")
    ws.schema_changes.apply(schema_of(named_entities_archiving_statements()), "lead")
    assert [s.mentions for s in reg.all()] == [0, 0]  # archived: no live mention
    reg.merge("Someone Else", "Aziz Nasirzadeh")  # meanwhile, the lead tidies the registry
    ws.schema_changes.apply(schema_of(variant("3.0")), "lead")
    linked = reg.entities_of([he, full])
    assert {span: e.name for span, e in linked.items()} == {
        he: "Aziz Nasirzadeh",
        full: "Aziz Nasirzadeh",
    }
