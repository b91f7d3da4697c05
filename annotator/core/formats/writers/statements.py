"""Statements JSONL: one record per statement span, with what the schema links to it.

Which label is the statement and which links become which fields is read from the schema's
``exports.statements`` section, never from constants here. A field's mentions also carry the
values of the link that joins them (``target[i].stance_toward``): every attribute of the
field's relation, null when unset, so each field keeps one shape for column loaders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.domain.text import context_window, sentence_bounds
from annotator.core.formats.writers.documents import ExportDocument, ExportRelation, ExportSpan
from annotator.core.formats.writers.fixed import attribute_names, full_attributes, span_key


def _mention(
    doc: ExportDocument,
    sp: ExportSpan,
    names: tuple[str, ...],
    link: ExportRelation,
    link_names: tuple[str, ...],
) -> dict[str, Any]:
    mention = {
        "id": span_key(doc.key, sp.annotator, sp.label, sp.start, sp.end),
        "text": doc.text[sp.start : sp.end],
        "start": sp.start,
        "end": sp.end,
        "label": sp.label,
        "attributes": full_attributes(names, sp.attributes),
    }
    for name in link_names:
        mention[name] = link.attributes.get(name)
    return mention


def statement_records(doc: ExportDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    spec = schema.statements
    if spec is None:
        raise ExportError(
            f"schema {schema.name} has no exports.statements section saying which "
            "label is the statement"
        )
    by_id = {sp.id: sp for sp in doc.spans}
    links: dict[tuple[int, str], list[ExportRelation]] = {}
    for rel in doc.relations:
        links.setdefault((rel.source_id, rel.label), []).append(rel)
    link_names = {
        relation: tuple(a.name for a in rel.attributes) if rel is not None else ()
        for relation, rel in ((r, schema.relation(r)) for _, r in spec.fields)
    }
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
                _mention(doc, by_id[link.target_id], all_names, link, link_names[relation])
                for link in links.get((sp.id, relation), [])
                if link.target_id in by_id
            ]
        record["schema"] = {"name": schema.name, "version": schema.version}
        yield record
