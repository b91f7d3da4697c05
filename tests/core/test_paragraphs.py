"""A statement may not silently span two paragraphs (issue 13, defect 5): the schema says which
labels may cross a line break, and the rule book refuses the others for every writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.domain import rules
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import default_schema
from annotator.core.services.workspace import Workspace
from tests.core.test_rules import WRITERS
from tests.core.test_schema import find, problems_of, write

TWO = "The general said the drones would fly.\n\nThe ministry denied it."
BREAK = TWO.index("\n")
WRAPPED = "The general said the drones\nwould fly. The ministry denied it."


def test_the_default_schema_keeps_statements_in_one_paragraph() -> None:
    schema = default_schema()
    assert not schema.may_cross_paragraph("STATEMENT")  # the statements export's label
    assert schema.may_cross_paragraph("SPEAKER")
    with pytest.raises(ValidationError) as info:
        rules.check_paragraphs(schema, TWO, "STATEMENT", 4, len(TWO) - 1)
    said = str(info.value)
    assert "STATEMENT span may not cross a paragraph break" in said
    assert f"blank line at {BREAK}" in said and "would fly." in said and "The ministry" in said
    rules.check_paragraphs(schema, TWO, "STATEMENT", 4, BREAK)  # within one: fine
    rules.check_paragraphs(schema, TWO, "SPEAKER", 4, len(TWO) - 1)
    # One line break is a wrapped line inside a paragraph, not a break between two.
    rules.check_paragraphs(schema, WRAPPED, "STATEMENT", 0, WRAPPED.index("fly.") + 4)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_refuses_a_statement_over_a_line_break(
    workspace: Workspace, writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tests.core.test_rules.TEXT", TWO)
    spans = [(4, len(TWO) - 1, "STATEMENT", {"stance": "neutral"})]
    with pytest.raises(ValidationError, match="paragraph break"):
        WRITERS[writer](workspace, "alice", spans, [])
    doc = workspace.documents.by_key("doc")
    assert doc is None or workspace.annotations("alice").spans(doc.id) == []


def test_resizing_a_statement_over_a_line_break_is_refused(workspace: Workspace) -> None:
    doc = workspace.documents.add(TWO, key="doc")
    alice = workspace.annotations("alice")
    span = alice.create_span(doc.id, 4, BREAK, "STATEMENT", {"stance": "neutral"})
    with pytest.raises(ValidationError, match="paragraph break"):
        alice.update_span(span.id, end=len(TWO) - 1)
    assert alice.span(span.id) == span
    speaker = alice.create_span(doc.id, 0, len(TWO) - 1, "SPEAKER")  # others may
    with pytest.raises(ValidationError, match="paragraph break"):
        alice.update_span(speaker.id, label="STATEMENT")  # a relabel obeys it too


def test_the_schema_key_is_read_and_checked_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: QUOTE
            color: "#f2b134"
            cross_paragraph: true
          - name: CLAIM
            color: "#4f9de0"
            cross_paragraph: false
          - name: NOTE
            color: "#4f9de0"
        """,
    )
    schema = load_schema(path)
    assert schema.may_cross_paragraph("QUOTE") and schema.may_cross_paragraph("NOTE")
    assert not schema.may_cross_paragraph("CLAIM")
    path.write_text(path.read_text().replace("cross_paragraph: true", "cross_paragraph: 2"))
    find(problems_of(path), path, 6, "labels.QUOTE.cross_paragraph", "must be")


def test_bool_and_text_attributes_take_a_key_and_choices_do_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: CLAIM
            color: "#4f9de0"
            hotkey: C
            attributes:
              - name: hedged
                type: bool
                hotkey: H
              - name: note
                type: text
                hotkey: N
        """,
    )
    schema = load_schema(path)
    claim = schema.label("CLAIM")
    assert claim is not None
    assert [(a.name, a.hotkey) for a in claim.attributes] == [("hedged", "H"), ("note", "N")]
    clash = path.read_text().replace("hotkey: N", "hotkey: C")
    path.write_text(clash)
    find(problems_of(path), path, 13, "labels.CLAIM.note.hotkey", "clashes with label CLAIM")
    choice = "type: choice\n        hotkey: N\n        values: [a]"
    path.write_text(clash.replace("type: text\n        hotkey: C", choice))
    find(problems_of(path), path, 13, "labels.CLAIM.note.hotkey", "give its values keys")
