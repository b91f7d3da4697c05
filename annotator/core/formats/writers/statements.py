"""Statements JSONL: one record per statement span, with what the schema links to it.

Which label is the statement and which links become which fields is read from the schema's
``exports.statements`` section, never from constants here. A field's mentions also carry the
values of the link that joins them (``target[i].stance_toward``): every attribute of the
field's relation, null when unset, so each field keeps one shape for column loaders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.core.domain.entities import EntityRecord
from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema, entity_field
from annotator.core.domain.text import context_window, sentence_bounds
from annotator.core.formats.writers.documents import ExportDocument, ExportRelation, ExportSpan
from annotator.core.formats.writers.fixed import attribute_names, full_attributes, span_key


def _mention(
    doc: ExportDocument,
    sp: ExportSpan,
    names: tuple[str, ...],
    link: ExportRelation,
    link_names: tuple[str, ...],
    entity: bool,
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
    if entity:
        mention["entity"] = entity_ref(doc.entities.get(sp.id))
    return mention


def entity_ref(entity: EntityRecord | None) -> dict[str, Any] | None:
    """The canonical entity a mention names, by its stable id (the same after a restore)."""
    if entity is None:
        return None
    return {"id": entity.key, "name": entity.name, "external_id": entity.external_id}


def entity_fields(schema: Schema) -> dict[str, tuple[str, bool]]:
    """Statement fields whose mentions name entities -> (the field carrying their entities,
    whether it holds one entity or a list); see ``schema.entity_field``."""
    spec = schema.statements
    found: dict[str, tuple[str, bool]] = {}
    for field_name, relation in spec.fields if spec is not None else ():
        rel = schema.relation(relation)
        extra = None if rel is None else entity_field(field_name, rel, schema.label(rel.target))
        if rel is not None and extra is not None:
            found[field_name] = (extra, rel.max == 1)
    return found


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
    with_entities = entity_fields(schema)
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
            extra = with_entities.get(field_name)
            mentions = [
                _mention(
                    doc,
                    by_id[link.target_id],
                    all_names,
                    link,
                    link_names[relation],
                    extra is not None,
                )
                for link in links.get((sp.id, relation), [])
                if link.target_id in by_id
            ]
            record[field_name] = mentions
            if extra is not None:  # always there, null or [] when unlinked: one type per key
                refs = list(
                    {m["entity"]["id"]: m["entity"] for m in mentions if m["entity"]}.values()
                )
                record[extra[0]] = (refs[0] if refs else None) if extra[1] else refs
        record["schema"] = {"name": schema.name, "version": schema.version}
        yield record
