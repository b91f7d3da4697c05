"""The native JSONL layout: one record per document, everything needed to restore it exactly."""

from __future__ import annotations

from typing import Any

import orjson

from annotator.core.domain.jsonio import dumps_line
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.documents import ExportDocument, RawDocument
from annotator.core.formats.writers.fixed import attribute_names, full_attributes, status_list


def native_record(doc: ExportDocument, schema: Schema | None) -> dict[str, Any]:
    """A document as a plain dict; span ids are local ("T1"), so files do not depend on row ids."""
    names = attribute_names(schema)
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
            "annotator": r.annotator,
        }
        for n, r in enumerate(doc.relations, start=1)
    ]
    record: dict[str, Any] = {
        "id": doc.key,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
        "meta": doc.meta,
        "content_hash": doc.content_hash,
        "status": status_list(doc.status),
        "spans": spans,
        "relations": relations,
    }
    if schema is not None:
        record["schema"] = {"name": schema.name, "version": schema.version}
    return record


_EMPTY = orjson.Fragment("{}")


def _json_fragment(text: str | None) -> orjson.Fragment:
    # Stored by orjson, so embedding the stored text gives the bytes parsing and dumping would.
    return orjson.Fragment(text) if text and text != "null" else _EMPTY


def native_raw_line(
    doc: RawDocument, schema_info: dict[str, str] | None, attributes: tuple[str, ...] = ()
) -> bytes:
    """``native_record`` for database rows: the same bytes.

    Without ``attributes`` (no schema) the stored attributes are embedded as they are; with
    them each span's attributes are parsed and filled to the schema's full set.
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
            "annotator": names[r[2]],
        }
        for n, r in enumerate(doc.relations, start=1)
    ]
    record: dict[str, Any] = {
        "id": doc.key,
        "title": doc.title,
        "text": text,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
        "meta": _json_fragment(doc.meta_json),
        "content_hash": doc.content_hash,
        "status": status_list(doc.status),
        "spans": spans,
        "relations": relations,
    }
    if schema_info is not None:
        record["schema"] = schema_info
    return dumps_line(record)  # escapes line separators inside the embedded JSON too


def schema_info(schema: Schema | None) -> dict[str, str] | None:
    return None if schema is None else {"name": schema.name, "version": schema.version}
