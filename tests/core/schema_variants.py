"""The default schema, changed as a team lead changes it: text edits of the YAML they keep."""

from __future__ import annotations

import textwrap
from pathlib import Path

from annotator.core.domain.schema import Schema, parse_schema
from annotator.core.services.bundled import schemas_dir

DEFAULT = (schemas_dir() / "defence_statements.yaml").read_text(encoding="utf-8")

EXPERIMENT_STEPS = """\
  - rename_value: {attribute: STATEMENT.stance, from: threatens, to: threat}
  - archive_label: WEAPON
  - archive_relation: about
"""


def without_weapon(text: str) -> str:
    """The schema without the WEAPON label, its about relation and the statements' weapon."""
    start, end = text.index("  - name: WEAPON"), text.index("relations:")
    text = text[:start] + text[end:]
    start, end = text.index("  - name: about"), text.index("exports:")
    text = text[:start] + "\n" + text[end:]
    return text.replace("      weapon: about\n", "")


def with_certainty(text: str) -> str:
    """A required attribute ``certainty`` on STATEMENT."""
    return text.replace(
        "      - name: form\n        type: choice",
        "      - name: certainty\n        type: choice\n        required: true\n"
        "        values: [certain, hedged]\n      - name: form\n        type: choice",
    )


def variant(
    version: str,
    *,
    edits: tuple[tuple[str, str], ...] = (),
    migrations: str = "",
    base: str = DEFAULT,
) -> str:
    """``base`` with each (old, new) text replaced once at least, a version and steps."""
    text = base.replace('version: "1.0"', f'version: "{version}"')
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text + ("\nmigrations:\n" + textwrap.dedent(migrations) if migrations else "")


def experiment(migrations: str = "", version: str = "2.0") -> str:
    """Issue 10's experiment: threatens renamed to threat, WEAPON and about removed, a required
    certainty added (with ``migrations`` appended)."""
    text = with_certainty(without_weapon(DEFAULT))
    return variant(
        version,
        edits=(("          - name: threatens\n", "          - name: threat\n"),),
        migrations=migrations,
        base=text,
    )


def schema_of(text: str) -> Schema:
    return parse_schema(text, "<test schema>")


def write_schema(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


NER_STEPS = """\
  - archive_label: STATEMENT
  - archive_label: SPEAKER
  - archive_label: TARGET
  - archive_label: WEAPON
  - archive_relation: said_by
  - archive_relation: aimed_at
  - archive_relation: about
"""


def named_entities_archiving_statements() -> str:
    """The bundled named-entity schema, archiving what the default schema's labels hold: a
    switch from the default schema that leaves nothing outside it."""
    text = (schemas_dir() / "named_entities.yaml").read_text(encoding="utf-8")
    return text + "\nmigrations:\n" + NER_STEPS
