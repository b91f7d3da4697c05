"""Fixed record shapes: every record of a format has the same keys, whatever its data.

Column loaders (Hugging Face ``datasets``, pandas, Arrow) infer one type per key from each
file; a key that is missing in one split, or an object keyed by annotator names, gives each
split file a different schema and the splits no longer load together.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import sha1
from typing import Any

from annotator.core.domain.schema import AttributeType, Label, RelationType, Schema


def attribute_names(schema: Schema | None) -> tuple[str, ...]:
    """Every attribute name of the schema, in order of first appearance across labels."""
    if schema is None:
        return ()
    names: dict[str, None] = {}
    for label in schema.labels:
        for attr in label.attributes:
            names.setdefault(attr.name)
    return tuple(names)


def relation_attribute_names(schema: Schema | None) -> tuple[str, ...]:
    """Every attribute name of the schema's relations, in order of first appearance: the fixed
    keys of each link's ``attributes`` (a relation without attributes gets them all, null)."""
    if schema is None:
        return ()
    names: dict[str, None] = {}
    for rel in schema.relations:
        for attr in rel.attributes:
            names.setdefault(attr.name)
    return tuple(names)


def full_attributes(names: tuple[str, ...], attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Every schema attribute (null when unset), then any the schema does not know."""
    full = {name: attributes.get(name) for name in names}
    for name, value in attributes.items():
        full.setdefault(name, value)
    return full


def status_list(status: Mapping[str, str]) -> list[dict[str, str]]:
    """``{"alice": "done"}`` as ``[{"annotator": "alice", "status": "done"}]``: fixed keys."""
    return [{"annotator": name, "status": value} for name, value in status.items()]


def label_lists(schema: Schema) -> dict[str, list[str]]:
    """The value list of each choice attribute (``"STATEMENT.stance": [...]``), a relation's
    too (``"aimed_at.stance_toward"``), for ClassLabel.

    Taken from the schema, so every split gets the same list even when it lacks a value.
    """
    owners: list[Label | RelationType] = [*schema.labels, *schema.relations]
    return {
        f"{owner.name}.{attr.name}": list(attr.value_names)
        for owner in owners
        for attr in owner.attributes
        if attr.type in (AttributeType.CHOICE, AttributeType.MULTI)
    }


def span_key(doc_key: str, annotator: str, label: str, start: int, end: int) -> str:
    """An id from what a span is, not from its database row: the same after backup and restore."""
    digest = sha1(f"{annotator}\0{label}\0{start}\0{end}".encode(), usedforsecurity=False)
    return f"{doc_key}:{digest.hexdigest()[:12]}"
