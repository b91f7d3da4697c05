"""Label schemas as a team lead writes them: every mistake is reported with file, line and key.

A schema is hand-edited YAML, so each test writes a real file and checks the message a user
reads: ``path:line: key: reason``, several problems in one go.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli.main import cli
from annotator.core.domain.errors import Problem, SchemaError
from annotator.core.domain.schema import AttributeType, Schema, load_schema
from annotator.core.services.bundled import schema_path, schemas_dir
from annotator.core.services.workspace import Workspace

HEAD = 'name: test\nversion: "1"\n'


def write(tmp_path: Path, body: str, name: str = "schema.yaml") -> Path:
    """A schema file: the name and version lines (1-2), then ``body`` from line 3."""
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    # The exception text is what the CLI and the GUI show: it must carry every problem.
    for problem in info.value.problems:
        assert str(problem) in str(info.value)
    return info.value.problems


def find(problems: list[Problem], path: Path, line: int, key: str, reason: str) -> Problem:
    """The one problem at ``line`` and ``key`` whose reason mentions ``reason``."""
    hits = [p for p in problems if p.line == line and p.key == key and reason in p.reason]
    assert len(hits) == 1, f"no single {line}/{key}/{reason!r} in {[str(p) for p in problems]}"
    hit = hits[0]
    assert hit.file == str(path)
    assert str(hit).startswith(f"{path}:{line}: {key}: ")
    return hit


# -- the shipped schemas --


@pytest.mark.parametrize("name", ["defence_statements.yaml", "named_entities.yaml"])
def test_shipped_schemas_load(name: str) -> None:
    schema = load_schema(schemas_dir() / name)
    assert schema.labels
    assert schema.version == "1.0"


def test_default_schema_describes_statements() -> None:
    schema = load_schema(schema_path())
    assert [lab.name for lab in schema.labels] == ["STATEMENT", "SPEAKER", "TARGET", "WEAPON"]
    stance = schema.label("STATEMENT").attribute("stance")  # type: ignore[union-attr]
    assert stance is not None and stance.required and stance.type is AttributeType.CHOICE
    assert stance.value_names == ("supports", "opposes", "threatens", "denies", "neutral")
    weapon_type = schema.label("WEAPON").attribute("weapon_type")  # type: ignore[union-attr]
    assert weapon_type is not None and weapon_type.required
    said_by = schema.relation("said_by")
    assert said_by is not None and (said_by.source, said_by.target, said_by.max) == (
        "STATEMENT",
        "SPEAKER",
        1,
    )
    assert schema.statements is not None
    assert dict(schema.statements.fields) == {
        "speaker": "said_by",
        "target": "aimed_at",
        "weapon": "about",
    }


# -- mistakes, one kind per test, each located --


def test_unknown_keys_are_named_with_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        colour_scheme: dark
        labels:
          - name: STATEMENT
            color: "#f2b134"
            colour: red
            attributes:
              - name: stance
                type: choice
                requird: true
                values: [supports, opposes]
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 3
    find(problems, path, 3, "colour_scheme", "unknown key")
    hit = find(problems, path, 7, "labels[0].colour", "unknown key")
    assert "color" in hit.reason  # the allowed keys are listed, so the typo is obvious
    find(problems, path, 11, "labels.STATEMENT.attributes[0].requird", "unknown key")


def test_duplicate_label_attribute_and_value_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            attributes:
              - name: stance
                type: choice
                values:
                  - supports
                  - opposes
                  - supports
              - name: stance
                type: text
          - name: STATEMENT
            color: "#4f9de0"
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 3
    find(problems, path, 12, "labels.STATEMENT.stance.values", "duplicate value 'supports'")
    hit = find(problems, path, 13, "labels.STATEMENT.attributes", "duplicate attribute 'stance'")
    assert "first on line 7" in hit.reason
    hit = find(problems, path, 15, "labels", "duplicate label 'STATEMENT'")
    assert "first on line 4" in hit.reason


def test_hotkey_clash_label_with_label(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            hotkey: S
          - name: SPEAKER
            color: "#4f9de0"
            hotkey: s
        """,
    )
    (problem,) = problems_of(path)
    find([problem], path, 9, "labels.SPEAKER.hotkey", "hotkey 'S' clashes with label STATEMENT")


def test_hotkey_clash_relation_with_label(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
          - name: SPEAKER
            color: "#4f9de0"
            hotkey: Shift+K
        relations:
          - name: said_by
            from: STATEMENT
            to: SPEAKER
            hotkey: shift+k
        """,
    )
    (problem,) = problems_of(path)
    # Written differently, but the same key: hotkeys are compared in canonical form.
    find([problem], path, 13, "relations.said_by.hotkey", "'Shift+K' clashes with label SPEAKER")


def test_hotkey_clash_value_with_label(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            hotkey: S
            attributes:
              - name: stance
                type: choice
                values:
                  - name: supports
                    hotkey: "1"
                  - name: skeptical
                    hotkey: S
        """,
    )
    (problem,) = problems_of(path)
    find(
        [problem],
        path,
        14,
        "labels.STATEMENT.stance.skeptical.hotkey",
        "hotkey 'S' clashes with label STATEMENT",
    )


def test_value_hotkeys_may_repeat_across_labels(tmp_path: Path) -> None:
    """Digits set the selected span's values, so SPEAKER and WEAPON may both use "1"."""
    path = write(
        tmp_path,
        """\
        labels:
          - name: SPEAKER
            color: "#4f9de0"
            attributes:
              - name: speaker_type
                type: choice
                values:
                  - {name: official, hotkey: "1"}
          - name: WEAPON
            color: "#5cb85c"
            attributes:
              - name: weapon_type
                type: choice
                values:
                  - {name: drone, hotkey: "1"}
        """,
    )
    schema = load_schema(path)
    assert [lab.name for lab in schema.labels] == ["SPEAKER", "WEAPON"]


def test_relation_to_a_label_that_does_not_exist(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
          - name: SPEAKER
            color: "#4f9de0"
        relations:
          - name: aimed_at
            from: STATEMENT
            to: TARGET
        """,
    )
    (problem,) = problems_of(path)
    hit = find([problem], path, 11, "relations.aimed_at.to", "label 'TARGET' does not exist")
    assert "SPEAKER, STATEMENT" in hit.reason


def test_bad_colour(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b13"
        """,
    )
    (problem,) = problems_of(path)
    find([problem], path, 5, "labels.STATEMENT.color", "'#f2b13' is not a colour")


def test_default_that_is_not_an_allowed_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            attributes:
              - name: form
                type: choice
                default: quoted
                values: [direct, indirect, partial]
        """,
    )
    (problem,) = problems_of(path)
    hit = find([problem], path, 9, "labels.STATEMENT.form.default", "'quoted' is not an allowed")
    assert "direct, indirect, partial" in hit.reason


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            description: Quote: a claim
        """,
    )
    (problem,) = problems_of(path)
    assert problem.line == 6
    assert str(problem).startswith(f"{path}:6: not valid YAML")


@pytest.mark.parametrize(
    "body,line,key,reason",
    [
        # a value written on the lines below its key: the key's line is where to look
        ('labels:\n  SPEAKER:\n    color: "#ff0000"\n', 3, "labels", "must be a list"),
        (
            """\
            labels:
              - name: STATEMENT
                color: "#f2b134"
                attributes:
                  - name: note
                    type: text
                    values:
                      - a
            """,
            9,
            "labels.STATEMENT.note.values",
            "takes no values",
        ),
        (
            """\
            labels:
              - name: A
                color: "#f2b134"
              - name: B
                color: "#f2b135"
            relations:
              - name: r
                from: A
                to: B
                max:
                  0
            """,
            12,
            "relations.r.max",
            "must be 1 or more",
        ),
    ],
    ids=["labels as a mapping", "values of a text attribute", "max of 0 on the next line"],
)
def test_an_error_names_the_line_of_its_key_not_of_its_value(
    tmp_path: Path, body: str, line: int, key: str, reason: str
) -> None:
    path = write(tmp_path, body)
    find(problems_of(path), path, line, key, reason)


@pytest.mark.parametrize(
    "body,line,reason",
    [
        # the list begun on the key's line
        ('labels: - name: STATEMENT\n    color: "#f2b134"\n', 3, "sequence entries"),
        # two keys on one line
        (
            'labels:\n  - name: STATEMENT\n    hotkey: S  color: "#f2b134"\n',
            5,
            "mapping values",
        ),
    ],
    ids=["labels: - name", "hotkey: S  color:"],
)
def test_a_key_written_on_the_line_of_another_names_that_line(
    tmp_path: Path, body: str, line: int, reason: str
) -> None:
    path = write(tmp_path, body)
    (problem,) = problems_of(path)
    assert problem.line == line
    assert str(problem).startswith(f"{path}:{line}: not valid YAML: ")
    assert reason in problem.reason


def test_unclosed_quote_names_the_line_it_opens_on(tmp_path: Path) -> None:
    """PyYAML notices only at the end of the file; the user must be sent to the open quote."""
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134
            hotkey: S
          - name: SPEAKER
            hotkey: K
        """,
    )
    (problem,) = problems_of(path)
    assert problem.file == str(path)
    assert "not valid YAML" in problem.reason
    assert "line 5" in str(problem)


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: &yellow "#f2b134"
          - name: SPEAKER
            color: *yellow
        """,
    )
    (problem,) = problems_of(path)
    assert problem.line == 7
    assert "aliases" in problem.reason and "not allowed" in problem.reason


def test_duplicate_mapping_keys_are_refused(tmp_path: Path) -> None:
    """PyYAML would silently keep the second value; a team lead would never see the first."""
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            hotkey: S
            color: "#4f9de0"
        """,
    )
    (problem,) = problems_of(path)
    hit = find([problem], path, 7, "color", "duplicate key")
    assert "first given on line 5" in hit.reason


def test_unquoted_yes_and_no_values_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b134"
            attributes:
              - name: confirmed
                type: choice
                values:
                  - yes
                  - no
                  - "unclear"
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 2
    for line, index in ((10, 0), (11, 1)):
        hit = find(problems, path, line, f"labels.STATEMENT.confirmed.values[{index}]", "quotes")
        assert "true/false" in hit.reason


def test_several_problems_are_reported_at_once_in_line_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: yellow
            hotkey: S
            attributes:
              - name: stance
                type: choice
                default: angry
                values: [supports, opposes]
          - name: SPEAKER
            color: "#4f9de0"
            hotkey: S
            overlapp: false
        relations:
          - name: said_by
            from: STATEMENT
            to: SPEKER
        """,
    )
    problems = problems_of(path)
    assert [(p.line, p.key) for p in problems] == [
        (5, "labels.STATEMENT.color"),
        (10, "labels.STATEMENT.stance.default"),
        (14, "labels.SPEAKER.hotkey"),
        (15, "labels[1].overlapp"),
        (19, "relations.said_by.to"),
    ]
    assert all(p.file == str(path) for p in problems)


def test_unreadable_and_non_utf8_files_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    (problem,) = problems_of(missing)
    assert problem.file == str(missing) and "cannot read" in problem.reason
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes((HEAD + "description: caf\xe9\n").encode("latin-1"))
    (problem,) = problems_of(latin1)
    assert "not UTF-8" in problem.reason and "offset" in problem.reason


# -- the command line --


def test_schema_check_accepts_the_shipped_schemas() -> None:
    files = [
        str(schemas_dir() / "defence_statements.yaml"),
        str(schemas_dir() / "named_entities.yaml"),
    ]
    result = CliRunner().invoke(cli, ["schema", "check", *files])
    assert result.exit_code == 0, result.output
    assert "defence_statements.yaml: ok: defence_statements 1.0, 4 labels, 3 relations" in (
        result.stdout
    )
    assert "named_entities.yaml: ok: named_entities 1.0, 4 labels, 0 relations" in result.stdout
    assert result.stderr == ""


def test_schema_check_fails_on_a_bad_file_with_its_problems_on_stderr(tmp_path: Path) -> None:
    good = schema_path()
    bad = write(
        tmp_path,
        """\
        labels:
          - name: STATEMENT
            color: "#f2b13"
        """,
        "bad.yaml",
    )
    result = CliRunner().invoke(cli, ["schema", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5: labels.STATEMENT.color: '#f2b13' is not a colour" in result.stderr
    assert "ok: defence_statements" in result.stdout  # the good file is still checked
    assert "Traceback" not in result.output


# -- a schema is configuration: editing YAML adds labels, values and attributes --


def _extended_default_schema(tmp_path: Path) -> Path:
    text = schema_path().read_text(encoding="utf-8")
    edits = {
        # a new label
        "\nrelations:\n": '\n  - name: LOCATION\n    color: "#888888"\n    hotkey: L\n'
        "    overlap: false\n\nrelations:\n",
        # a new value of an existing attribute
        "          - name: neutral\n": '          - name: warns\n            hotkey: "6"\n'
        "          - name: neutral\n",
        # a new attribute on STATEMENT
        "\n  - name: SPEAKER\n": "\n      - name: confidence\n        type: choice\n"
        "        values: [high, low]\n\n  - name: SPEAKER\n",
    }
    for anchor, replacement in edits.items():
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, replacement)
    path = tmp_path / "extended.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_editing_the_yaml_adds_a_label_a_value_and_an_attribute(
    workspace: Workspace, tmp_path: Path
) -> None:
    schema: Schema = load_schema(_extended_default_schema(tmp_path))
    assert schema.label("LOCATION") is not None
    workspace.schemas.set_active(schema)
    doc = workspace.documents.add(
        "Korvath warns Estmar\nThe minister warned Estmar from the Kelmar air base.", key="d1"
    )
    text = workspace.documents.text(doc.id)
    ann = workspace.annotations("alice")
    assert ann.schema.label("LOCATION") is not None  # the active schema came from the database
    start = text.index("Kelmar air base")
    place = ann.create_span(doc.id, start, start + len("Kelmar air base"), "LOCATION")
    start = text.index("The minister")
    statement = ann.create_span(
        doc.id, start, len(text), "STATEMENT", {"stance": "warns", "confidence": "high"}
    )
    assert [s.label for s in ann.spans(doc.id)] == ["STATEMENT", "LOCATION"]
    assert ann.span(statement.id).attributes == {"stance": "warns", "confidence": "high"}
    assert ann.span(place.id).label == "LOCATION"


def test_a_key_the_window_keeps_for_itself_is_refused(tmp_path) -> None:
    from annotator.core.domain.errors import SchemaError
    from annotator.core.domain.schema import parse_schema

    text = 'name: s\nversion: "1"\nlabels:\n  - name: A\n    color: "#ffffff"\n    hotkey: Ctrl+Z\n'
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "s.yaml")
    message = str(info.value)
    assert "s.yaml:6" in message and "Ctrl+Z" in message and "window" in message
