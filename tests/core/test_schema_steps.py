"""A schema's ``migrations`` section as a team lead writes it, and the diff between schemas.

Every mistake in a step is named with file, line and key like the rest of the schema; the diff
lists what changes for the data, each change with the step that says what becomes of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.domain.errors import SchemaError
from annotator.core.domain.schema import StepKind, load_schema, parse_schema
from annotator.core.domain.schema.diff import diff_schemas
from tests.core.schema_variants import DEFAULT, EXPERIMENT_STEPS, experiment


def evolved(*, migrations: str = "") -> str:
    return experiment(migrations)


def test_the_experiments_steps_parse_in_order_with_their_lines() -> None:
    text = evolved(migrations=EXPERIMENT_STEPS)
    schema = parse_schema(text, "new.yaml")
    first = text.splitlines().index("migrations:") + 2
    assert [(s.kind, s.old, s.new, s.line) for s in schema.migrations] == [
        (StepKind.RENAME_VALUE, ("threatens",), "threat", first),
        (StepKind.ARCHIVE_LABEL, ("WEAPON",), None, first + 1),
        (StepKind.ARCHIVE_RELATION, ("about",), None, first + 2),
    ]
    assert schema.migrations[0].text == "rename_value STATEMENT.stance: threatens -> threat"


def test_every_bad_step_is_named_with_its_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        evolved(
            migrations="""\
              - rename_value: {attribute: STATEMENT.stance, from: threatens, to: menaces}
              - archive_label: SPEAKER
              - merge_values: {attribute: STATEMENT.tone, from: [a, b], to: c}
              - rename_label: {from: GUN}
              - archive_label: WEAPON
              - archive_label: WEAPON
              - delete_label: TARGET
              - archive_relation: said_by
              - map_removed_value: {attribute: STATEMENT.stance, from: supports, to: neutral}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    first = path.read_text(encoding="utf-8").splitlines().index("migrations:") + 2
    shown = [str(p) for p in info.value.problems]
    assert shown == [
        f"{path}:{first}: migrations[0].rename_value.to: 'menaces' is not a value of "
        "STATEMENT.stance",
        f"{path}:{first + 1}: migrations[1].archive_label: label 'SPEAKER' is still in this "
        "schema; a step names what is gone from it",
        f"{path}:{first + 2}: migrations[2].merge_values.attribute: STATEMENT.tone is not a "
        "choice or multi attribute here",
        f"{path}:{first + 3}: migrations[3].rename_label.to: is required ({{from: OLD, to: NEW}})",
        f"{path}:{first + 5}: migrations[5].archive_label: 'WEAPON' already has a step on line "
        f"{first + 4} (archive_label WEAPON)",
        f"{path}:{first + 6}: migrations[6].delete_label: unknown step (steps: rename_label, "
        "archive_label, rename_attribute, archive_attribute, rename_value, merge_values, "
        "map_removed_value, archive_value, rename_relation, archive_relation)",
        f"{path}:{first + 7}: migrations[7].archive_relation: relation 'said_by' is still in "
        "this schema; a step names what is gone from it",
        f"{path}:{first + 8}: migrations[8].map_removed_value.from: value "
        "STATEMENT.stance.supports is still in this schema; a step names what is gone from it",
    ]


def test_the_diff_without_steps_sees_removals_and_additions() -> None:
    old = parse_schema(DEFAULT)
    new = parse_schema(evolved())
    assert [c.text for c in diff_schemas(old, new)] == [
        "label WEAPON removed",
        "value STATEMENT.stance 'threatens' removed",
        "value STATEMENT.stance 'threat' added",
        "attribute STATEMENT.certainty added, required",
        "relation about removed",
    ]


def test_the_diff_with_steps_names_renames_and_archives() -> None:
    old = parse_schema(DEFAULT)
    new = parse_schema(evolved(migrations=EXPERIMENT_STEPS))
    assert [c.text for c in diff_schemas(old, new)] == [
        "label WEAPON removed, archived (archive_label WEAPON)",
        "value STATEMENT.stance 'threatens' renamed to 'threat' "
        "(rename_value STATEMENT.stance: threatens -> threat)",
        "attribute STATEMENT.certainty added, required",
        "relation about removed, archived (archive_relation about)",
    ]
    back = [c.text for c in diff_schemas(new, old)]
    assert "label WEAPON added" in back and "relation about added" in back


def test_the_diff_sees_renamed_labels_merged_values_types_and_limits() -> None:
    old = parse_schema(DEFAULT)
    text = (
        DEFAULT.replace("- name: TARGET", "- name: ADDRESSEE")
        .replace("to: TARGET", "to: ADDRESSEE")
        .replace(
            '          - name: denies\n            hotkey: "4"\n            description: Rejects'
            " an allegation or a report as untrue.\n",
            "",
        )
        .replace("    overlap: true\n", "    overlap: false\n")
        .replace("- name: form\n        type: choice", "- name: form\n        type: multi")
        .replace("    max: 1\n", "")
        .replace("    description: The statement concerns this weapon.", "    max: 1")
    )
    text += (
        "\nmigrations:\n  - rename_label: {from: TARGET, to: ADDRESSEE}\n"
        "  - merge_values: {attribute: STATEMENT.stance, from: [denies], to: opposes}\n"
    )
    texts = [c.text for c in diff_schemas(old, parse_schema(text))]
    assert texts == [
        "label TARGET renamed to ADDRESSEE (rename_label TARGET -> ADDRESSEE)",
        "label STATEMENT: spans may no longer overlap",
        "value STATEMENT.stance 'denies' merged into 'opposes' "
        "(merge_values STATEMENT.stance: denies -> opposes)",
        "attribute STATEMENT.form: choice became multi",
        "relation about: at most 1 link from one STATEMENT (was no limit)",
    ]
