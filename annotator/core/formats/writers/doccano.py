"""doccano JSONL, in both of its layouts, one record per document and annotator.

- sequence labelling: ``{"text", "label": [[start, end, "LABEL"], ...]}``
- relation extraction: ``{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
  "relations": [{"id", "from_id", "to_id", "type"}]}``

doccano keeps extra keys as metadata, so each record also names its document, title and
annotator, and attributes ride along (``attributes``: a list parallel to ``label``, or a key
of each entity), which lets ``readers_external`` bring the same annotations back.
"""

from __future__ import annotations

from typing import Any

from annotator.core.formats.writers.units import Unit


def _about(unit: Unit) -> dict[str, Any]:
    return {"document_id": unit.doc.key, "title": unit.doc.title, "annotator": unit.annotator}


def sequence_record(unit: Unit) -> dict[str, Any]:
    record: dict[str, Any] = {
        "text": unit.doc.text,
        "label": [[sp.start, sp.end, sp.label] for sp in unit.spans],
        **_about(unit),
    }
    if any(sp.attributes for sp in unit.spans):
        record["attributes"] = [sp.attributes for sp in unit.spans]
    return record


def relation_record(unit: Unit) -> dict[str, Any]:
    ids: dict[int, int] = {}
    entities = []
    for n, sp in enumerate(unit.spans, start=1):
        ids[sp.id] = n
        entity: dict[str, Any] = {
            "id": n,
            "label": sp.label,
            "start_offset": sp.start,
            "end_offset": sp.end,
        }
        if sp.attributes:
            entity["attributes"] = sp.attributes
        entities.append(entity)
    relations = [
        {"id": n, "from_id": ids[r.source_id], "to_id": ids[r.target_id], "type": r.label}
        for n, r in enumerate(unit.relations, start=1)
    ]
    return {"text": unit.doc.text, "entities": entities, "relations": relations, **_about(unit)}
