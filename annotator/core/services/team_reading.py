"""Several layers' annotations on many documents at once: what agreement and adjudication read.

Two queries (spans, links) for the whole selection, read in one transaction, instead of one per
document and annotator: agreement over a thousand documents stays a matter of a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Text, cast, select

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.layers import PERSON
from annotator.core.domain.records import AnnotatorRecord, RelationRecord, SpanRecord
from annotator.core.services.exporting.source import snapshot
from annotator.core.storage.db import Database
from annotator.core.storage.models import Annotator, Document, DocumentStatus, Relation, Span


@dataclass
class LayerWork:
    """One layer's annotations on one document."""

    status: str = "new"
    spans: list[SpanRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)


@dataclass
class DocumentWork:
    """Every chosen layer's work on one document."""

    id: int
    key: str
    length: int
    layers: dict[str, LayerWork] = field(default_factory=dict)


def choose_layers(
    db: Database, names: Sequence[str] | None, *, people_only: bool = True
) -> list[AnnotatorRecord]:
    """The named layers (all people when none are named); refuses unknown names."""
    with db.read() as s:
        rows = [AnnotatorRecord(a.id, a.name, a.kind) for a in s.scalars(select(Annotator))]
    if names:
        by_name = {a.name: a for a in rows}
        missing = [n for n in names if n.strip() not in by_name]
        if missing:
            raise ValidationError(f"no annotator called {', '.join(missing)} in this database")
        return [by_name[n.strip()] for n in dict.fromkeys(names)]
    return sorted((a for a in rows if a.kind == PERSON or not people_only), key=lambda a: a.name)


def read_work(
    db: Database,
    layers: Sequence[AnnotatorRecord],
    *,
    statuses: Iterable[str] | None = ("done",),
    documents: Sequence[str] | None = None,
    labels: Iterable[str] | None = None,
    extra_layers: Sequence[AnnotatorRecord] = (),
) -> list[DocumentWork]:
    """Each document with the work of the layers whose status on it is one of ``statuses``
    (None: any status, "new" included), in document order.

    ``extra_layers`` (e.g. gold, for curation) are read on those documents whatever their
    status. ``labels`` keeps only spans of those labels (and links between kept spans).
    """
    ids = {a.id: a.name for a in layers}
    extra = {a.id: a.name for a in extra_layers}
    wanted_labels = set(labels) if labels else None
    wanted_statuses = set(statuses) if statuses is not None else None
    with snapshot(db) as conn:
        query = select(Document.id, Document.key, Document.length).order_by(Document.id)
        if documents is not None:
            query = query.where(Document.key.in_(list(documents)))
        docs = {i: DocumentWork(i, k, n) for i, k, n in conn.execute(query)}
        status_of: dict[tuple[int, int], str] = {
            (d, a): st
            for d, a, st in conn.execute(
                select(
                    DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status
                ).where(DocumentStatus.annotator_id.in_(list(ids) + list(extra)))
            )
        }
        for doc in docs.values():
            for a, name in ids.items():
                status = status_of.get((doc.id, a), "new")
                if wanted_statuses is None or status in wanted_statuses:
                    doc.layers[name] = LayerWork(status)
            if doc.layers:
                for a, name in extra.items():
                    doc.layers[name] = LayerWork(status_of.get((doc.id, a), "new"))
        every = {**ids, **extra}
        attrs_cache: dict[str, dict[str, Any]] = {}
        kept: set[int] = set()
        span_rows = select(
            Span.id,
            Span.document_id,
            Span.annotator_id,
            Span.start,
            Span.end,
            Span.label,
            cast(Span.attributes, Text),
        ).where(Span.annotator_id.in_(list(every)))
        if documents is not None:
            span_rows = span_rows.where(Span.document_id.in_(list(docs)))
        for sid, d, a, start, end, label, attrs in conn.execute(
            span_rows.order_by(Span.document_id, Span.start, Span.end, Span.id)
        ):
            found = docs.get(d)
            if found is None or every[a] not in found.layers:
                continue
            if wanted_labels is not None and label not in wanted_labels:
                continue
            parsed = attrs_cache.get(attrs)
            if parsed is None:
                parsed = attrs_cache[attrs] = orjson.loads(attrs) if attrs else {}
            found.layers[every[a]].spans.append(SpanRecord(sid, d, a, start, end, label, parsed))
            kept.add(sid)
        rel_rows = select(
            Relation.id,
            Relation.document_id,
            Relation.annotator_id,
            Relation.label,
            Relation.source_id,
            Relation.target_id,
        ).where(Relation.annotator_id.in_(list(every)))
        if documents is not None:  # one document for curation: not every link of the database
            rel_rows = rel_rows.where(Relation.document_id.in_(list(docs)))
        for rid, d, a, label, source, target in conn.execute(rel_rows.order_by(Relation.id)):
            found = docs.get(d)
            if found is None or every[a] not in found.layers:
                continue
            if source in kept and target in kept:
                found.layers[every[a]].relations.append(
                    RelationRecord(rid, d, a, label, source, target)
                )
    return [doc for doc in docs.values() if doc.layers]
