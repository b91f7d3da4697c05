"""Mark done asks for the links the schema requires: a statement's speaker, a weapon's link."""

from __future__ import annotations

import pytest

from annotator.core.domain.errors import IncompleteError, SchemaError
from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace

TEXT = "Gen. Ivanov said the Tarkan-2 missile test went well.\n"


def test_a_statement_without_a_speaker_and_a_weapon_linked_to_nothing_are_named(
    workspace: Workspace,
) -> None:
    doc = workspace.documents.add(TEXT, key="k").id
    alice = workspace.annotations("alice")
    statement = alice.create_span(doc, 12, 52, "STATEMENT", {"stance": "supports"})
    weapon = alice.create_span(doc, 21, 36, "WEAPON", {"weapon_type": "ballistic_missile"})
    missing = alice.missing_required(doc)
    assert [(sid, what) for sid, _, what in missing] == [
        (statement.id, "said_by link"),
        (weapon.id, "a link"),
    ]
    with pytest.raises(IncompleteError, match="2 required values or links missing") as refused:
        alice.set_status(doc, "done")
    assert "STATEMENT" in str(refused.value) and "said_by link" in str(refused.value)
    speaker = alice.create_span(doc, 0, 11, "SPEAKER")
    alice.link(statement.id, speaker.id, "said_by")
    alice.link(statement.id, weapon.id, "about")
    assert alice.missing_required(doc) == []
    alice.set_status(doc, "done")
    assert alice.status(doc) == "done"


def test_the_schema_keys_are_checked_with_their_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    default = schema_path("defence_statements.yaml").read_text(encoding="utf-8")
    bad = default.replace("    required: true     # who said it", "    required: yes please  # who")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(SchemaError) as error:
        load_schema(path)
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "yes please" in text)
    assert any(p.line == line and "required" in p.key for p in error.value.problems)
    schema = load_schema(schema_path("defence_statements.yaml"))
    assert schema.relation("said_by").required  # type: ignore[union-attr]
    assert schema.label("WEAPON").needs_link  # type: ignore[union-attr]
