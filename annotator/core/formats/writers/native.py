"""The native JSONL layout: one record per document, everything needed to restore it exactly."""

from __future__ import annotations

from typing import Any

import orjson

from annotator.core.domain.entities import EntityRecord
from annotator.core.domain.entity_file import entry_dict
from annotator.core.domain.jsonio import dumps_line
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.documents import ExportDocument, RawDocument
from annotator.core.formats.writers.fixed import (
    attribute_names,
    full_attributes,
    relation_attribute_names,
    status_list,
)
from annotator.core.formats.writers.published import published_fields


def native_record(doc: ExportDocument, schema: Schema | None) -> dict[str, Any]:
    """A document as a plain dict; span ids are local ("T1"), so files do not depend on row ids."""
    names = attribute_names(schema)
    link_names = relation_attribute_names(schema)
    local: dict[int, str] = {}
    spans = []
    for n, sp in enumerate(doc.spans, start=1):
        local[sp.id] = f"T{n}"
        spans.append(
            {
                "id": f"T{n}",
                "start": sp.start,
                "end": sp.end,
                "label": sp.label,
                "text": doc.text[sp.start : sp.end],
                "attributes": full_attributes(names, sp.attributes),
                "annotator": sp.annotator,
            }
        )
    relations = [
        {
            "id": f"R{n}",
            "label": r.label,
            "from": local[r.source_id],
            "to": local[r.target_id],
            "attributes": full_attributes(link_names, r.attributes),
            "annotator": r.annotator,
        }
        for n, r in enumerate(doc.relations, start=1)
    ]
    published, as_given = published_fields(doc.published)
    record: dict[str, Any] = {
        "id": doc.key,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "published": published,
        "published_as_given": as_given,
        "meta": doc.meta,
        "content_hash": doc.content_hash,
        "status": status_list(doc.status),
        "spans": spans,
        "relations": relations,
    }
    if schema is not None:
        record["schema"] = {"name": schema.name, "version": schema.version}
    # Null without entities, not left out: a split file without the key has no such column,
    # and datasets 2.x, loading a folder by its card, refuses files whose columns differ.
    record["registry"] = entities_section(doc.entities, local) if doc.entities else None
    return record


def entities_section(entities: dict[int, EntityRecord], local: dict[int, str]) -> list[Any]:
    """The record's registry section: the entities its mentions name, each with its mentions
    ("T3"), so that a record restores its links on its own, whichever file it ends up in."""
    found: dict[str, dict[str, Any]] = {}
    for span_id, ref in local.items():
        entity = entities.get(span_id)
        if entity is None:
            continue
        entry = found.get(entity.key)
        if entry is None:
            found[entity.key] = entry = {**entry_dict(entity), "mentions": []}
        entry["mentions"].append(ref)
    return list(found.values())


_EMPTY = orjson.Fragment("{}")


def _filled(names: tuple[str, ...], text: str | None) -> Any:
    """A stored JSON object filled to ``names`` (null when unset), or embedded as it is."""
    if names:
        return full_attributes(names, orjson.loads(text) if text and text != "null" else {})
    return _json_fragment(text)


def _json_fragment(text: str | None) -> orjson.Fragment:
    # Stored by orjson, so embedding the stored text gives the bytes parsing and dumping would.
    return orjson.Fragment(text) if text and text != "null" else _EMPTY


def native_raw_line(
    doc: RawDocument,
    schema_info: dict[str, str] | None,
    attributes: tuple[str, ...] = (),
    link_attributes: tuple[str, ...] = (),
) -> bytes:
    """``native_record`` for database rows: the same bytes.

    Without ``attributes`` (no schema) the stored attributes are embedded as they are; with
    them each span's attributes are parsed and filled to the schema's full set. The same for
    each link's values and ``link_attributes``.
    """
    names = doc.names
    text = doc.text
    fragment = orjson.Fragment
    empty = _EMPTY
    local: dict[int, str] = {}
    spans = []
    for r in doc.spans:
        local[r[1]] = ref = f"T{len(local) + 1}"
        start, end, a = r[3], r[4], r[6]
        stored = bool(a) and a != "null"
        spans.append(
            {
                "id": ref,
                "start": start,
                "end": end,
                "label": r[5],
                "text": text[start:end],
                "attributes": (
                    full_attributes(attributes, orjson.loads(a) if stored else {})
                    if attributes
                    else fragment(a)
                    if stored
                    else empty
                ),
                "annotator": names[r[2]],
            }
        )
    relations = [
        {
            "id": f"R{n}",
            "label": r[3],
            "from": local[r[4]],
            "to": local[r[5]],
            "attributes": _filled(link_attributes, r[6]),
            "annotator": names[r[2]],
        }
        for n, r in enumerate(doc.relations, start=1)
    ]
    published, as_given = published_fields(doc.published)
    record: dict[str, Any] = {
        "id": doc.key,
        "title": doc.title,
        "text": text,
        "source": doc.source,
        "url": doc.url,
        "published": published,
        "published_as_given": as_given,
        "meta": _json_fragment(doc.meta_json),
        "content_hash": doc.content_hash,
        "status": status_list(doc.status),
        "spans": spans,
        "relations": relations,
    }
    if schema_info is not None:
        record["schema"] = schema_info
    if doc.archived:
        record["archived"] = archived_section(doc, local)
    # Null without entities, not left out: a split file without the key has no such column,
    # and datasets 2.x, loading a folder by its card, refuses files whose columns differ.
    record["registry"] = entities_section(doc.entities, local) if doc.entities else None
    return dumps_line(record)  # escapes line separators inside the embedded JSON too


def archived_section(doc: RawDocument, local: dict[int, str]) -> dict[str, Any]:
    """The document's archived spans ("A1"...), links and values, each with the schema it was
    made under and why it is archived; a link or value refers to live ("T") or archived ("A")
    spans. What refers to a span that no longer exists is left out: it refers to nothing."""
    assert doc.archived is not None
    names, text = doc.names, doc.text
    refs = dict(local)
    spans = []
    for n, r in enumerate(doc.archived.spans, start=1):
        refs[r[0]] = ref = f"A{n}"
        spans.append(
            {
                "id": ref,
                "start": r[2],
                "end": r[3],
                "label": r[4],
                "text": text[r[2] : r[3]],
                "attributes": _json_fragment(r[5]),
                "annotator": names[r[1]],
                "schema": {"name": r[6], "version": r[7]},
                "reason": r[8],
            }
        )
    relations = [
        {
            "label": r[2],
            "from": refs[r[3]],
            "to": refs[r[4]],
            "attributes": _json_fragment(r[8] if len(r) > 8 else None),
            "annotator": names[r[1]],
            "schema": {"name": r[5], "version": r[6]},
            "reason": r[7],
        }
        for r in doc.archived.links
        if r[3] in refs and r[4] in refs
    ]
    values = [
        {
            "span": refs[r[0]],
            "attribute": r[2],
            "value": orjson.Fragment(r[3]),
            "annotator": names[r[1]],
            "schema": {"name": r[4], "version": r[5]},
            "reason": r[6],
        }
        for r in doc.archived.values
        if r[0] in refs
    ]
    return {"spans": spans, "relations": relations, "values": values}


def schema_info(schema: Schema | None) -> dict[str, str] | None:
    return None if schema is None else {"name": schema.name, "version": schema.version}
