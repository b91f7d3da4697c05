"""Statements JSONL: one record per statement span, with what the schema links to it.

Which label is the statement and which links become which fields is read from the schema's
``exports.statements`` section, never from constants here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.domain.text import context_window, sentence_bounds
from annotator.core.formats.writers.documents import ExportDocument, ExportSpan
from annotator.core.formats.writers.fixed import attribute_names, full_attributes, span_key


def _mention(doc: ExportDocument, sp: ExportSpan, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": span_key(doc.key, sp.annotator, sp.label, sp.start, sp.end),
        "text": doc.text[sp.start : sp.end],
        "start": sp.start,
        "end": sp.end,
        "label": sp.label,
        "attributes": full_attributes(names, sp.attributes),
    }


def statement_records(doc: ExportDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    spec = schema.statements
    if spec is None:
        raise ExportError(
            f"schema {schema.name} has no exports.statements section saying which "
            "label is the statement"
        )
    by_id = {sp.id: sp for sp in doc.spans}
    links: dict[tuple[int, str], list[int]] = {}
    for rel in doc.relations:
        links.setdefault((rel.source_id, rel.label), []).append(rel.target_id)
    sentences: list[tuple[int, int]] | None = None
    label = schema.label(spec.label)
    attr_names = [a.name for a in label.attributes] if label else []
    all_names = attribute_names(schema)
    for sp in doc.spans:
        if sp.label != spec.label:
            continue
        if sentences is None:
            sentences = sentence_bounds(doc.text)
        c_start, c_end = context_window(sentences, sp.start, sp.end, spec.context_sentences)
        record: dict[str, Any] = {
            "id": span_key(doc.key, sp.annotator, sp.label, sp.start, sp.end),
            "document_id": doc.key,
            "document_title": doc.title,
            "annotator": sp.annotator,
            "text": doc.text[sp.start : sp.end],
            "start": sp.start,
            "end": sp.end,
            "context": doc.text[c_start:c_end],
            "context_start": c_start,
        }
        for name in attr_names:
            record[name] = sp.attributes.get(name)
        for field_name, relation in spec.fields:
            record[field_name] = [
                _mention(doc, by_id[t], all_names)
                for t in links.get((sp.id, relation), [])
                if t in by_id
            ]
        record["schema"] = {"name": schema.name, "version": schema.version}
        yield record
