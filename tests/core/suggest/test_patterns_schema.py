"""Patterns in a schema: written by a team lead, so every mistake names file, line and key,
and adding them changes nothing about how annotations validate."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli.main import cli
from annotator.core.domain.errors import Problem, SchemaError
from annotator.core.domain.schema import Pattern, load_schema, parse_schema
from annotator.core.services.bundled import default_schema, schema_path
from tests.core.suggest.suggestion_helpers import DEFAULT

HEAD = 'name: test\nversion: "1"\n'
WEAPON = """\
labels:
  - name: WEAPON
    color: "#5cb85c"
    attributes:
      - name: weapon_type
        type: choice
        values: [drone, air_defence, other]
      - name: tags
        type: multi
        values: [new, old]
    patterns:
"""


def write(tmp_path: Path, body: str) -> Path:
    """A schema file: name and version (lines 1-2), then ``body`` from line 3."""
    path = tmp_path / "schema.yaml"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    return [str(p) for p in info.value.problems]


def test_the_default_schema_has_patterns_for_every_weapon_type() -> None:
    schema = default_schema()
    weapon = schema.label("WEAPON")
    assert weapon is not None
    implied = {dict(p.attributes)["weapon_type"] for p in weapon.patterns}
    assert implied == set(weapon.attribute("weapon_type").value_names) - {"other"}  # type: ignore[union-attr]
    assert Pattern(regex=r"S-\d{3}(?:s|V\d?)?", attributes=(("weapon_type", "air_defence"),)) in (
        weapon.patterns
    )
    assert {"say", "warn", "deny", "threaten"} <= set(schema.suggestions.cue_verbs)
    assert "Gen." in schema.suggestions.titles


def test_patterns_change_nothing_about_how_annotations_validate() -> None:
    """The default schema without its patterns and suggestions section has the same labels,
    attributes and relations: a database's annotations validate as before."""
    with_patterns = default_schema()
    lines = DEFAULT.splitlines(keepends=True)
    kept, skipping = [], False
    for line in lines:
        if line.strip().startswith(("patterns:", "suggestions:", "# Suggestions only")):
            skipping = True
            continue
        if skipping and (line.startswith(("      ", "    - ", "  cue_verbs", "  titles", "    "))):
            continue
        skipping = False
        kept.append(line)
    without = parse_schema("".join(kept), "without.yaml")
    assert all(not label.patterns for label in without.labels)
    stripped = tuple(dataclasses.replace(lab, patterns=()) for lab in with_patterns.labels)
    assert stripped == without.labels
    assert with_patterns.relations == without.relations


def test_a_phrase_a_regex_and_their_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        WEAPON
        + """\
      - phrase: drone
        attributes: {weapon_type: drone, tags: [new]}
      - regex: 'S-\\d{3}'
        attributes: {weapon_type: air_defence}
      - phrase: rocket
suggestions:
  cue_verbs: [say, point out]
  titles: [Gen., Lt. Col.]
""",
    )
    schema = load_schema(path)
    weapon = schema.label("WEAPON")
    assert weapon is not None
    assert [(p.phrase, p.regex, p.attributes, p.line) for p in weapon.patterns] == [
        ("drone", None, (("weapon_type", "drone"), ("tags", ("new",))), 14),
        (None, r"S-\d{3}", (("weapon_type", "air_defence"),), 16),
        ("rocket", None, (), 18),
    ]
    assert schema.suggestions.cue_verbs == ("say", "point out")
    assert schema.suggestions.titles == ("Gen.", "Lt. Col.")


def test_every_mistake_in_patterns_names_its_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        WEAPON
        + """\
      - regex: 'S-(\\d{3}'
      - phrase: drone
        attributes: {weapon_typ: drone}
      - phrase: drone
        attributes: {weapon_type: submarine}
      - phrase: drone
        weight: 2
      - phrase: drone
        regex: drone
      - regex: 'x*'
      - phrase: '--'
suggestions:
  cue_verbs: [say, 'said!']
  engines: [quotes]
""",
    )
    found = problems_of(path)
    where = f"{path}:"
    assert found == [
        f"{where}14: labels.WEAPON.patterns[0].regex: 'S-(\\\\d{{3}}' is not a regular "
        "expression: missing ), unterminated subpattern at position 2",
        f"{where}16: labels.WEAPON.patterns[1].attributes.weapon_typ: the label has no "
        "attribute 'weapon_typ' (tags, weapon_type)",
        f"{where}18: labels.WEAPON.patterns[2].attributes.weapon_type: 'submarine' is not an "
        "allowed value (drone, air_defence, other)",
        f"{where}20: labels.WEAPON.patterns[3].weight: unknown key (allowed: attributes, "
        "description, phrase, regex)",
        f"{where}21: labels.WEAPON.patterns[4]: needs exactly one of phrase or regex",
        f"{where}23: labels.WEAPON.patterns[5].regex: 'x*' matches empty text; it must match "
        "a word",
        f"{where}24: labels.WEAPON.patterns[6].phrase: '--' holds no word to match",
        f"{where}26: suggestions.cue_verbs: 'said!' is not a verb's lemma such as 'say'",
        f"{where}27: suggestions.engines: unknown key (allowed: cue_verbs, titles)",
    ]


def test_schema_check_reports_a_bad_regex_and_counts_patterns(tmp_path: Path) -> None:
    bad = write(tmp_path, WEAPON + "      - regex: '[S-'\n")
    result = CliRunner().invoke(cli, ["schema", "check", str(schema_path()), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:14: labels.WEAPON.patterns[0].regex: '[S-' is not a regular expression" in (
        result.stderr
    )
    count = sum(len(label.patterns) for label in default_schema().labels)
    assert count > 60
    assert f"ok: defence_statements 1.0, 4 labels, 3 relations, {count} patterns" in result.stdout


def test_schema_check_warns_of_a_regex_that_repeats_a_repeat_and_still_accepts_it(
    tmp_path: Path,
) -> None:
    """``(\\w+\\s?)+`` can take minutes on an unlucky article (each run of words splits in
    exponentially many ways), and the suggestion engine's ``re`` holds the window meanwhile:
    ``schema check`` names such a regex with file, line and key, and passes the schema."""
    body = WEAPON + "      - regex: 'S-\\d{3}'\n      - regex: '(\\w+\\s?)+ missile'\n"
    path = write(tmp_path, body)
    result = CliRunner().invoke(cli, ["schema", "check", str(schema_path()), str(path)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1  # the default schema's regexes and S-\d{3} are not named
    assert warnings[0].startswith(
        f"warning: {path}:15: labels.WEAPON.patterns[1].regex: /(\\w+\\s?)+ missile/ repeats"
    )
    assert f"{path}: ok: test 1, 1 labels, 0 relations, 2 patterns" in result.stdout


def test_a_problem_is_a_problem_object(tmp_path: Path) -> None:
    path = write(tmp_path, WEAPON + "      - phrase: drone\n        attributes: drone\n")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert info.value.problems == [
        Problem(
            str(path),
            15,
            "labels.WEAPON.patterns[0].attributes",
            "must map attribute names to values",
        )
    ]
