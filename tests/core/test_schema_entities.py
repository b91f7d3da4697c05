"""The schema key ``entity: true``: which labels' mentions link to the entity registry."""

from __future__ import annotations

from pathlib import Path

from annotator.core.services.bundled import default_schema
from tests.core.test_schema import find, problems_of, write


def test_the_default_schema_links_speakers_and_targets() -> None:
    assert default_schema().entity_labels == ("SPEAKER", "TARGET")


def test_entity_must_be_true_or_false_and_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: SPEAKER
            color: "#4f9de0"
            entity: "always"
        """,
    )
    (problem,) = problems_of(path)
    find([problem], path, 6, "labels.SPEAKER.entity", "")


def test_a_statement_field_whose_entities_field_clashes_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            attributes:
              - name: speaker_entity
                type: text
          - name: SPEAKER
            color: "#4f9de0"
            entity: true
        relations:
          - name: said_by
            from: STATEMENT
            to: SPEAKER
            max: 1
        exports:
          statements:
            label: STATEMENT
            fields:
              speaker: said_by
        """,
    )
    (problem,) = problems_of(path)
    find([problem], path, 21, "exports.statements.fields.speaker", "'speaker_entity' that carries")
