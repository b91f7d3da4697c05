"""The ``archived`` section of a native record: what schema changes took out of use.

Archived spans, links and values are not in the schema the file names (that is why they are
archived), so they are read here apart from the live annotations and checked by the importer
for their place in the text and their references only. Each names the schema it was made
under and why it is archived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotator.core.formats.readers.common import ParsedRelation, ParsedSpan, ReadProblem


@dataclass(slots=True)
class Provenance:
    """The schema an archived row was made under, and why it is archived."""

    schema_name: str
    schema_version: str
    reason: str


@dataclass(slots=True)
class ParsedArchivedValue:
    span: str  # the id of a live ("T1") or archived ("A1") span of the record
    attribute: str
    value: Any
    annotator: str | None
    made: Provenance


@dataclass
class ParsedArchive:
    spans: list[tuple[ParsedSpan, Provenance]] = field(default_factory=list)
    relations: list[tuple[ParsedRelation, Provenance]] = field(default_factory=list)
    values: list[ParsedArchivedValue] = field(default_factory=list)


Bad = Callable[[str, str], ReadProblem]


def parse_archived(section: Any, bad: Bad) -> ParsedArchive:
    """Read a record's ``archived`` object; ``bad(key, reason)`` makes the problem to raise."""
    if not isinstance(section, dict):
        raise bad("archived", "must be an object with spans, relations and values")
    found = ParsedArchive()
    for i, span in enumerate(_items(section, "spans", bad)):
        where = f"archived.spans[{i}]"
        if not {"id", "start", "end", "label"} <= span.keys():
            raise bad(where, "must have id, start, end and label")
        attributes = span.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise bad(f"{where}.attributes", "must be an object")
        attributes = {k: v for k, v in attributes.items() if v is not None}
        parsed = ParsedSpan(
            span["start"],
            span["end"],
            span["label"],
            attributes,
            span.get("annotator"),
            str(span["id"]),
            span.get("text"),
        )
        found.spans.append((parsed, _made(span, where, bad)))
    for i, rel in enumerate(_items(section, "relations", bad)):
        where = f"archived.relations[{i}]"
        if not {"label", "from", "to"} <= rel.keys():
            raise bad(where, "must have label, from and to")
        values = rel.get("attributes") or {}
        if not isinstance(values, dict):
            raise bad(f"{where}.attributes", "must be an object")
        parsed_rel = ParsedRelation(
            rel["label"],
            str(rel["from"]),
            str(rel["to"]),
            rel.get("annotator"),
            {k: v for k, v in values.items() if v is not None},
        )
        found.relations.append((parsed_rel, _made(rel, where, bad)))
    for i, value in enumerate(_items(section, "values", bad)):
        where = f"archived.values[{i}]"
        if not {"span", "attribute", "value"} <= value.keys() or value["value"] is None:
            raise bad(where, "must have span, attribute and a value")
        if not isinstance(value["attribute"], str):
            raise bad(f"{where}.attribute", "must be a name")
        found.values.append(
            ParsedArchivedValue(
                str(value["span"]),
                value["attribute"],
                value["value"],
                value.get("annotator"),
                _made(value, where, bad),
            )
        )
    return found


def _items(section: dict[str, Any], key: str, bad: Bad) -> list[dict[str, Any]]:
    items = section.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad(f"archived.{key}", "must be a list of objects")
    return items


def _made(item: dict[str, Any], where: str, bad: Bad) -> Provenance:
    schema = item.get("schema")
    reason = item.get("reason")
    if (
        not isinstance(schema, dict)
        or not isinstance(schema.get("name"), str)
        or not isinstance(schema.get("version"), str)
    ):
        raise bad(f"{where}.schema", "must be {name, version}: the schema it was made under")
    if not isinstance(reason, str):
        raise bad(f"{where}.reason", "must say why it is archived")
    return Provenance(schema["name"][:200], schema["version"][:100], reason)
