"""Mark done asks for the links the schema requires: a statement's speaker, a weapon's link."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.domain.errors import IncompleteError, SchemaError
from annotator.core.domain.schema import Schema, load_schema
from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace

TEXT = "Gen. Ivanov said the Tarkan-2 missile test went well.\n"


def requiring(tmp: Path, said_by: str = "true") -> Path:
    """The default schema with said_by required and WEAPON needing a link."""
    text = schema_path("defence_statements.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    max: 1\n    description: The statement was made by this speaker.",
        f"    max: 1\n    required: {said_by}\n    description: The statement was made by "
        "this speaker.",
    )
    weapon = "the statement concerns.\n    overlap: false\n"
    text = text.replace(weapon, weapon + "    needs_link: true\n")
    text = text.replace('version: "1.0"', 'version: "1.1"').replace(
        "version: '1.0'", "version: '1.1'"
    )
    path = tmp / "requiring.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_statement_without_a_speaker_and_a_weapon_linked_to_nothing_are_named(
    workspace: Workspace, tmp_path: Path
) -> None:
    schema: Schema = load_schema(requiring(tmp_path))
    assert schema.label("WEAPON").needs_link  # type: ignore[union-attr]
    doc = workspace.documents.add(TEXT, key="k").id
    alice = workspace.annotations("alice", schema)
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


def test_the_schema_keys_are_checked_with_their_line(tmp_path: Path) -> None:
    path = requiring(tmp_path, said_by="yes please")
    with pytest.raises(SchemaError) as error:
        load_schema(path)
    text = path.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "yes please" in row)
    assert any(p.line == line and "required" in p.key for p in error.value.problems)
    schema = load_schema(requiring(tmp_path))
    assert schema.relation("said_by").required  # type: ignore[union-attr]
    default = load_schema(schema_path("defence_statements.yaml"))
    assert not default.relation("said_by").required  # type: ignore[union-attr]
