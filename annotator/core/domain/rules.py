"""Checks shared by the store and the importers: is this span or link allowed here?"""

from __future__ import annotations

from typing import Any

from annotator.core.domain.errors import OffsetError, RelationError, UnknownLabelError
from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.domain.text import is_boundary

STATUSES = ("new", "in_progress", "done", "skipped")
"""A document's progress for one annotator; "new" is never stored, it is the absence of a row."""


def check_offsets(text: str, start: int, end: int) -> None:
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise OffsetError(f"offsets must be whole numbers, got start={start!r} end={end!r}")
    if start < 0 or end > len(text):
        raise OffsetError(
            f"span {start}-{end} lies outside the text (length {len(text)} characters)"
        )
    if start >= end:
        raise OffsetError(f"span {start}-{end} is empty or reversed (start must be before end)")
    for index in (start, end):
        if not is_boundary(text, index):
            raise OffsetError(
                f"offset {index} falls inside a combined character "
                f"(before U+{ord(text[index]):04X})"
            )


def check_label(schema: Schema, label: str) -> None:
    if schema.label(label) is None:
        known = ", ".join(lab.name for lab in schema.labels)
        raise UnknownLabelError(f"label {label!r} is not in schema {schema.name} (labels: {known})")


def check_attribute(schema: Schema, label: str, name: str, value: Any) -> Any:
    """Return the value as stored, or raise naming the attribute and what is allowed."""
    lab = schema.label(label)
    assert lab is not None
    attr = lab.attribute(name)
    if attr is None:
        known = ", ".join(a.name for a in lab.attributes) or "none"
        raise UnknownLabelError(f"label {label} has no attribute {name!r} (attributes: {known})")
    allowed = attr.value_names
    if attr.type is AttributeType.CHOICE:
        if value not in allowed:
            raise UnknownLabelError(
                f"{label}.{name}: {value!r} is not an allowed value ({', '.join(allowed)})"
            )
        return value
    if attr.type is AttributeType.MULTI:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise UnknownLabelError(f"{label}.{name}: expects a list of values, got {value!r}")
        bad = [v for v in value if v not in allowed]
        if bad:
            raise UnknownLabelError(f"{label}.{name}: {bad!r} not allowed ({', '.join(allowed)})")
        # Stored in schema order, without repeats, so equal choices compare equal.
        return [v for v in allowed if v in value]
    if attr.type is AttributeType.BOOL:
        if not isinstance(value, bool):
            raise UnknownLabelError(f"{label}.{name}: expects true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise UnknownLabelError(f"{label}.{name}: expects text, got {value!r}")
    return value


def check_attributes(
    schema: Schema, label: str, attributes: dict[str, Any] | None, *, apply_defaults: bool
) -> dict[str, Any]:
    """Validate a whole attribute dict; add the schema's defaults for a new span."""
    result: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        if value is None:
            continue
        result[name] = check_attribute(schema, label, name, value)
    if apply_defaults:
        lab = schema.label(label)
        assert lab is not None
        for attr in lab.attributes:
            if attr.name not in result and attr.default is not None:
                default = list(attr.default) if isinstance(attr.default, tuple) else attr.default
                result[attr.name] = default
    return result


def check_relation_labels(
    schema: Schema, relation: str, source_label: str, target_label: str
) -> None:
    rel = schema.relation(relation)
    if rel is None:
        known = ", ".join(r.name for r in schema.relations) or "none"
        raise UnknownLabelError(f"relation {relation!r} is not in schema {schema.name} ({known})")
    if (rel.source, rel.target) != (source_label, target_label):
        raise RelationError(
            f"{relation} links {rel.source} -> {rel.target}, not {source_label} -> {target_label}"
        )


def missing_required(schema: Schema, label: str, attributes: dict[str, Any]) -> list[str]:
    lab = schema.label(label)
    if lab is None:
        return []
    return [
        a.name for a in lab.attributes if a.required and attributes.get(a.name) in (None, "", [])
    ]
