"""doccano JSONL, in both of its layouts, one record per document and annotator.

- sequence labelling: ``{"text", "label": [[start, end, "LABEL"], ...]}``
- relation extraction: ``{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
  "relations": [{"id", "from_id", "to_id", "type"}]}``

doccano keeps extra keys as metadata, so each record also names its document, title and
annotator, and attributes ride along (``attributes``: a list parallel to ``label``, or a key
of each entity and of each relation: a link's own values, such as stance toward its target),
which lets ``readers_external`` bring the same annotations back. Every record
has the same keys and every attribute of the schema (null when unset), so column loaders such as
Hugging Face ``datasets`` read all splits with one schema.

doccano itself drops overlapping spans unless the project allows overlap ("Allow overlapping
spans"); the export reports overlaps (``overlaps``) so the team lead knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.core.formats.writers.fixed import full_attributes
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit


def _about(unit: Unit) -> dict[str, Any]:
    return {"document_id": unit.doc.key, "title": unit.doc.title, "annotator": unit.annotator}


def sequence_record(unit: Unit, names: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "text": unit.doc.text,
        "label": [[sp.start, sp.end, sp.label] for sp in unit.spans],
        **_about(unit),
        "attributes": [full_attributes(names, sp.attributes) for sp in unit.spans],
    }


def records(
    prepared: Prepared,
    names: tuple[str, ...],
    problems: ProblemLog,
    part: str,
    relations: bool,
    link_names: tuple[str, ...] = (),
) -> Iterator[dict[str, Any]]:
    """A document's records in one layout; overlapping spans are logged, not dropped."""
    for unit in prepared.units:
        report_overlaps(unit, problems, part)
        if relations:
            yield relation_record(unit, names, link_names)
        else:
            yield sequence_record(unit, names)


def report_overlaps(unit: Unit, problems: ProblemLog, part: str) -> None:
    """Log each span doccano drops on import by default: by its own rule (``Spans.clean`` in
    1.8.4), spans in order of start (ties in record order), each kept unless it starts before
    the end of the last one kept."""
    reach = -1
    for sp in sorted(unit.spans, key=lambda s: s.start):
        if sp.start < reach:
            problems.add_span("doccano_overlap", part, unit, sp)
        else:
            reach = sp.end


def relation_record(
    unit: Unit, names: tuple[str, ...] = (), link_names: tuple[str, ...] = ()
) -> dict[str, Any]:
    ids: dict[int, int] = {}
    entities = []
    for n, sp in enumerate(unit.spans, start=1):
        ids[sp.id] = n
        entity: dict[str, Any] = {
            "id": n,
            "label": sp.label,
            "start_offset": sp.start,
            "end_offset": sp.end,
            "attributes": full_attributes(names, sp.attributes),
        }
        entities.append(entity)
    relations = [
        {
            "id": n,
            "from_id": ids[r.source_id],
            "to_id": ids[r.target_id],
            "type": r.label,
            "attributes": full_attributes(link_names, r.attributes),
        }
        for n, r in enumerate(unit.relations, start=1)
    ]
    return {"text": unit.doc.text, "entities": entities, "relations": relations, **_about(unit)}
