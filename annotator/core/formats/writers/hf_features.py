"""Hugging Face ``datasets`` Features of each JSONL export, as plain JSON for the manifest.

``datasets`` infers a column's type from each file alone: a span attribute or a link value that
is null throughout one split file gets the type ``null`` there, and the splits no longer load
together. The schema says every column's type, so the manifest carries it and the splits load
with ``features=datasets.Features.from_dict(manifest["features"])``.

The JSON form is the one ``Features.from_dict`` reads in 2.x and in 5.x alike: a list of
structs or of strings is a one-item JSON list (``[{...}]``), never ``Sequence`` (which 2.x
turns into a struct of lists). Choice values stay strings, as the files hold them; a
``ClassLabel`` is built from the manifest's ``label_lists``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from annotator.core.domain.schema import Attribute, AttributeType, Schema, entity_field
from annotator.core.formats.writers.fixed import attribute_names, relation_attribute_names

Feature = dict[str, Any] | list[Any]


def value(dtype: str) -> dict[str, str]:
    return {"dtype": dtype, "_type": "Value"}


STRING, INT, BOOL = value("string"), value("int64"), value("bool")
DATE = value("date32")  # a published date: see writers/published.py
_KIND: dict[AttributeType, Feature] = {AttributeType.MULTI: [STRING], AttributeType.BOOL: BOOL}


def _attribute(attr: Attribute) -> Feature:
    return _KIND.get(attr.type, STRING)  # choice and text values are strings


def _typed(owners: Any, names: tuple[str, ...]) -> dict[str, Feature]:
    """Each name with its type (one per name: ``schema check`` refuses two)."""
    found: dict[str, Attribute] = {}
    for owner in owners:
        for attr in owner.attributes:
            found.setdefault(attr.name, attr)
    return {name: _attribute(found[name]) for name in names}


def span_attributes(schema: Schema) -> dict[str, Feature]:
    return _typed(schema.labels, attribute_names(schema))


def link_attributes(schema: Schema) -> dict[str, Feature]:
    return _typed(schema.relations, relation_attribute_names(schema))


def _schema_info() -> dict[str, Feature]:
    return {"name": STRING, "version": STRING}


def statements_features(schema: Schema) -> dict[str, Feature]:
    """``statements.statement_records``: the statement, its own attributes, one list of
    mentions per field (with its link's values and, for entity labels, the entity)."""
    spec = schema.statements
    assert spec is not None  # the export refuses a schema without it
    label = schema.label(spec.label)
    features: dict[str, Feature] = {
        "id": STRING,
        "document_id": STRING,
        "document_title": STRING,
        "annotator": STRING,
        "text": STRING,
        "start": INT,
        "end": INT,
        "context": STRING,
        "context_start": INT,
    }
    features.update({a.name: _attribute(a) for a in label.attributes} if label else {})
    attributes = span_attributes(schema)
    entity = {"id": STRING, "name": STRING, "external_id": STRING}
    for field_name, relation in spec.fields:
        rel = schema.relation(relation)
        mention: dict[str, Feature] = {
            "id": STRING,
            "text": STRING,
            "start": INT,
            "end": INT,
            "label": STRING,
            "attributes": attributes,
        }
        mention.update({a.name: _attribute(a) for a in rel.attributes} if rel else {})
        extra = None if rel is None else entity_field(field_name, rel, schema.label(rel.target))
        if extra is not None:
            mention["entity"] = entity
        features[field_name] = [mention]
        if extra is not None and rel is not None:
            features[extra] = entity if rel.max == 1 else [entity]
    features["schema"] = _schema_info()
    return features


def native_features(schema: Schema, meta: dict[str, Feature]) -> dict[str, Feature]:
    """``native.native_record`` without an archived section (old schemas' values have no one
    type); ``meta`` is the documents' own metadata, typed from what the export held."""
    return {
        "id": STRING,
        "title": STRING,
        "text": STRING,
        "source": STRING,
        "url": STRING,
        "published": DATE,
        "published_as_given": STRING,
        "meta": meta,
        "content_hash": STRING,
        "status": [{"annotator": STRING, "status": STRING}],
        "spans": [
            {
                "id": STRING,
                "start": INT,
                "end": INT,
                "label": STRING,
                "text": STRING,
                "attributes": span_attributes(schema),
                "annotator": STRING,
            }
        ],
        "relations": [
            {
                "id": STRING,
                "label": STRING,
                "from": STRING,
                "to": STRING,
                "attributes": link_attributes(schema),
                "annotator": STRING,
            }
        ],
        "schema": _schema_info(),
        "registry": [
            {
                "id": STRING,
                "type": STRING,
                "name": STRING,
                "aliases": [STRING],
                "external_id": STRING,
                "note": STRING,
                "merged_into": STRING,
                "mentions": [STRING],
            }
        ],
    }


def doccano_rel_features(schema: Schema) -> dict[str, Feature]:
    """``doccano.relation_record``."""
    return {
        "text": STRING,
        "entities": [
            {
                "id": INT,
                "label": STRING,
                "start_offset": INT,
                "end_offset": INT,
                "attributes": span_attributes(schema),
            }
        ],
        "relations": [
            {
                "id": INT,
                "from_id": INT,
                "to_id": INT,
                "type": STRING,
                "attributes": link_attributes(schema),
            }
        ],
        "document_id": STRING,
        "title": STRING,
        "annotator": STRING,
    }


def prodigy_features(schema: Schema) -> dict[str, Feature]:
    """``prodigy.task_record``."""
    span = {
        "start": INT,
        "end": INT,
        "token_start": INT,
        "token_end": INT,
        "label": STRING,
        "attributes": span_attributes(schema),
    }
    return {
        "text": STRING,
        "tokens": [{"text": STRING, "start": INT, "end": INT, "id": INT, "ws": BOOL}],
        "spans": [span],
        "relations": [
            {
                "head": INT,
                "child": INT,
                "head_span": span,
                "child_span": span,
                "label": STRING,
                "attributes": link_attributes(schema),
            }
        ],
        "answer": STRING,
        "meta": {"document_id": STRING, "title": STRING, "annotator": STRING},
        "_annotator_id": STRING,
        "_input_hash": INT,
        "_task_hash": INT,
    }


_BY_FORMAT: dict[str, Callable[[Schema], dict[str, Feature]]] = {
    "statements": statements_features,
    "doccano-rel": doccano_rel_features,
    "prodigy": prodigy_features,
}
NOT_TYPED = {
    "doccano": "doccano's [start, end, label] triples mix numbers and text in one list, which "
    "Arrow cannot type; the doccano-rel layout holds the same spans with typed columns",
}


_SCALARS = {str: "string", bool: "bool", int: "int64", float: "float64"}


class MetaShape:
    """The type of each key of the documents' ``meta`` (keys come from the imported corpus,
    not from the schema), collected as the native export writes them."""

    def __init__(self) -> None:
        self.kinds: dict[str, set[str]] = {}

    def add_json(self, text: str | None) -> None:
        if text and text != "null":
            for key, item in orjson.loads(text).items():
                kinds = self.kinds.setdefault(key, set())
                if item is not None:
                    kinds.add(_SCALARS.get(type(item), "nested"))

    def features(self) -> tuple[dict[str, Feature] | None, str]:
        """The ``meta`` struct, or None and why not (a key with nested or mixed values)."""
        found: dict[str, Feature] = {}
        for key, kinds in self.kinds.items():
            if kinds == {"int64", "float64"}:
                kinds = {"float64"}
            if len(kinds) > 1 or "nested" in kinds:
                return None, f"documents' meta key {key!r} holds nested or mixed values"
            found[key] = value(next(iter(kinds), "string"))
        return found, ""


def features_for(
    fmt: str, schema: Schema | None, meta: MetaShape | None = None
) -> tuple[dict[str, Feature] | None, str]:
    """The export's Features as JSON, or None and why a JSONL format has none (and no reason
    for the formats ``datasets`` does not read as JSON)."""
    if fmt in NOT_TYPED:
        return None, NOT_TYPED[fmt]
    if schema is None:
        return None, "exported without a schema: the attributes' types are unknown"
    if fmt == "native":
        shape, why = meta.features() if meta is not None else ({}, "")
        return (None, why) if shape is None else (native_features(schema, shape), "")
    make = _BY_FORMAT.get(fmt)
    return (make(schema), "") if make else (None, "")
