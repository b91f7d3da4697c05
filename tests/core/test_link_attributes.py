"""Links carry their own values (stance toward a target), checked, stored and put back on undo
exactly as a span's values are."""

from __future__ import annotations

import pytest

from annotator.core.domain.errors import IncompleteError, SchemaError, UnknownLabelError
from annotator.core.domain.schema import AttributeType, load_schema, parse_schema
from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace

TEXT = "Iran said it will arm Hezbollah and strike Israel if attacked.\n"


def _default_text() -> str:
    return schema_path("defence_statements.yaml").read_text(encoding="utf-8")


def required_stance() -> str:
    """The default schema with stance_toward required."""
    text = _default_text()
    marker = "      - name: stance_toward\n        type: choice\n        required: false"
    assert marker in text
    return text.replace(marker, marker.replace("required: false", "required: true")).replace(
        'version: "1.0"', 'version: "1.1"'
    )


def test_the_default_schema_gives_aimed_at_an_optional_stance_toward() -> None:
    schema = load_schema(schema_path("defence_statements.yaml"))
    aimed = schema.relation("aimed_at")
    assert aimed is not None
    attr = aimed.attribute("stance_toward")
    assert attr is not None and attr.type is AttributeType.CHOICE and not attr.required
    assert attr.value_names == ("supports", "opposes", "threatens", "denies", "neutral")
    assert [v.hotkey for v in attr.values] == ["1", "2", "3", "4", "5"]
    assert "stance toward" in schema.guidelines.lower()
    said_by = schema.relation("said_by")
    assert said_by is not None and said_by.attributes == ()


def test_a_relation_attribute_is_checked_like_a_span_attribute_with_file_and_line() -> None:
    text = _default_text().replace(
        "      - name: stance_toward\n        type: choice",
        "      - name: stance_toward\n        type: chioce",
    )
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "mine.yaml")
    message = str(info.value)
    assert "relations.aimed_at.stance_toward.type" in message
    assert "'chioce' must be one of choice, multi, text, bool" in message
    lines = {p.key: p.line for p in info.value.problems}
    expected = text.splitlines().index("        type: chioce") + 1
    assert lines["relations.aimed_at.stance_toward.type"] == expected


def test_a_value_key_of_a_relation_may_not_take_a_global_key() -> None:
    anchor = '{name: supports, hotkey: "1",'
    assert _default_text().count(anchor) == 1
    text = _default_text().replace(anchor, "{name: supports, hotkey: Shift+K,")
    with pytest.raises(SchemaError, match="hotkey 'Shift\\+K' clashes with relation said_by"):
        parse_schema(text, "mine.yaml")


def test_one_attribute_name_has_one_type_across_labels_and_relations() -> None:
    text = _default_text().replace(
        "      - name: stance_toward\n        type: choice",
        "      - name: stance\n        type: text",
    )
    with pytest.raises(SchemaError, match="attribute 'stance' is text here but choice"):
        parse_schema(text, "mine.yaml")


def _statement_and_target(ws: Workspace, schema_text: str | None = None):  # type: ignore[no-untyped-def]
    schema = parse_schema(schema_text) if schema_text else None
    doc = ws.documents.add(TEXT, key="k").id
    alice = ws.annotations("alice", schema)
    statement = alice.create_span(doc, 0, 61, "STATEMENT", {"stance": "threatens"})
    israel = alice.create_span(doc, 42, 48, "TARGET")
    return alice, doc, statement, israel


def test_a_link_value_is_set_checked_cleared_and_kept(workspace: Workspace) -> None:
    alice, doc, statement, israel = _statement_and_target(workspace)
    link = alice.link(statement.id, israel.id, "aimed_at")
    assert link.attributes == {}
    changed = alice.set_relation_attribute(link.id, "stance_toward", "threatens")
    assert changed.attributes == {"stance_toward": "threatens"}
    assert alice.relations(doc)[0].attributes == {"stance_toward": "threatens"}
    with pytest.raises(UnknownLabelError, match="'bombs' is not an allowed value"):
        alice.set_relation_attribute(link.id, "stance_toward", "bombs")
    with pytest.raises(UnknownLabelError, match="relation aimed_at has no attribute 'mood'"):
        alice.set_relation_attribute(link.id, "mood", "x")
    assert alice.relations(doc)[0].attributes == {"stance_toward": "threatens"}  # unchanged
    alice.set_relation_attribute(link.id, "stance_toward", None)
    assert alice.relations(doc)[0].attributes == {}
    # Another annotator cannot touch alice's link.
    with pytest.raises(Exception, match="does not exist"):
        workspace.annotations("bob").set_relation_attribute(link.id, "stance_toward", "supports")


def test_undo_of_unlink_and_of_span_deletion_brings_the_values_back(
    workspace: Workspace,
) -> None:
    alice, doc, statement, israel = _statement_and_target(workspace)
    link = alice.link(statement.id, israel.id, "aimed_at")
    alice.set_relation_attribute(link.id, "stance_toward", "threatens")
    removed = alice.unlink(link.id)
    assert removed.attributes == {"stance_toward": "threatens"}
    alice.restore_relation(removed)
    assert alice.relations(doc)[0].attributes == {"stance_toward": "threatens"}
    deleted = alice.delete_span(israel.id)
    assert alice.relations(doc) == []
    alice.restore_span(deleted)
    (back,) = alice.relations(doc)
    assert (back.id, back.attributes) == (link.id, {"stance_toward": "threatens"})
    before = alice.set_relation_attribute(link.id, "stance_toward", "opposes")
    alice.restore_relation_state(removed)
    assert alice.relations(doc)[0].attributes == {"stance_toward": "threatens"}
    alice.restore_relation_state(before)
    assert alice.relations(doc)[0].attributes == {"stance_toward": "opposes"}


def test_a_required_link_value_blocks_mark_done_and_is_named(workspace: Workspace) -> None:
    alice, doc, statement, israel = _statement_and_target(workspace, required_stance())
    link = alice.link(statement.id, israel.id, "aimed_at")
    assert alice.missing_required(doc) == [(statement.id, "STATEMENT", "aimed_at.stance_toward")]
    with pytest.raises(IncompleteError, match=r"STATEMENT #\d+: aimed_at\.stance_toward"):
        alice.set_status(doc, "done")
    alice.set_relation_attribute(link.id, "stance_toward", "threatens")
    assert alice.missing_required(doc) == []
    alice.set_status(doc, "done")
    assert alice.status(doc) == "done"


def with_every_type() -> str:
    """said_by carries one attribute of each type, as a label's would."""
    return _default_text().replace(
        "    description: The statement was made by this speaker.\n",
        "    description: The statement was made by this speaker.\n"
        "    attributes:\n"
        "      - {name: channels, type: multi, values: [press, tv, social]}\n"
        "      - {name: quoted, type: bool, default: false}\n"
        "      - {name: note, type: text}\n",
    )


def test_multi_bool_and_text_link_values_are_stored_as_a_spans_are(
    workspace: Workspace,
) -> None:
    schema = parse_schema(with_every_type())
    doc = workspace.documents.add(TEXT, key="k").id
    alice = workspace.annotations("alice", schema)
    statement = alice.create_span(doc, 0, 61, "STATEMENT", {"stance": "threatens"})
    iran = alice.create_span(doc, 0, 4, "SPEAKER")
    link = alice.link(statement.id, iran.id, "said_by")
    assert link.attributes == {"quoted": False}  # the schema's default, as for a new span
    alice.set_relation_attribute(link.id, "channels", ["social", "press", "social"])
    alice.set_relation_attribute(link.id, "quoted", True)
    alice.set_relation_attribute(link.id, "note", "via state TV")
    (stored,) = alice.relations(doc)
    assert stored.attributes == {
        "channels": ["press", "social"],  # schema order, once each
        "quoted": True,
        "note": "via state TV",
    }
    for name, bad, says in (
        ("channels", "press", "expects a list of values"),
        ("quoted", "yes", "expects true or false"),
        ("note", 3, "expects text"),
    ):
        with pytest.raises(UnknownLabelError, match=f"said_by.{name}: {says}"):
            alice.set_relation_attribute(link.id, name, bad)
    assert alice.relations(doc)[0].attributes == stored.attributes
