"""Several layers' annotations on many documents at once: what agreement, adjudication and
curation read.

Two queries (spans, links) for the whole selection, in one read transaction, with rows taken
straight from the driver, instead of one query per document and annotator: agreement over a
thousand documents of three annotators stays a matter of a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Text, cast, select

from annotator.core.domain.agreement.items import LinkItem, SpanItem
from annotator.core.domain.collector import collector_paused
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.records import AnnotatorRecord
from annotator.core.services.annotators import AnnotatorService
from annotator.core.services.exporting.source import RawRows, snapshot
from annotator.core.storage.db import Database
from annotator.core.storage.models import Document, DocumentStatus, Relation, Span


@dataclass
class LayerWork:
    """One layer's annotations on one document, in text order."""

    status: str = "new"
    spans: list[SpanItem] = field(default_factory=list)
    relations: list[LinkItem] = field(default_factory=list)


@dataclass
class DocumentWork:
    """Every chosen layer's work on one document."""

    id: int
    key: str
    length: int
    layers: dict[str, LayerWork] = field(default_factory=dict)


def choose_layers(db: Database, names: Sequence[str] | None) -> list[AnnotatorRecord]:
    """The named layers (every person, by name, when none are named); refuses unknown names."""
    annotators = AnnotatorService(db)
    if not names:
        return annotators.people()
    found = {a.name: a for a in annotators.all()}
    missing = [n for n in names if n.strip() not in found]
    if missing:
        raise ValidationError(f"no annotator called {', '.join(missing)} in this database")
    return [found[n.strip()] for n in dict.fromkeys(names)]


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
    every = {**ids, **extra}
    wanted_labels = set(labels) if labels else None
    wanted_statuses = set(statuses) if statuses is not None else None
    with collector_paused(), snapshot(db) as conn:
        query = select(Document.id, Document.key, Document.length).order_by(Document.id)
        if documents is not None:
            query = query.where(Document.key.in_(list(documents)))
        docs = {i: DocumentWork(i, k, n) for i, k, n in conn.execute(query)}
        status_of: dict[tuple[int, int], str] = {
            (d, a): st
            for d, a, st in conn.execute(
                select(
                    DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status
                ).where(DocumentStatus.annotator_id.in_(list(every)))
            )
        }
        # (document, annotator) -> the layer being read there
        reading: dict[tuple[int, int], LayerWork] = {}
        for doc in docs.values():
            for a, name in ids.items():
                status = status_of.get((doc.id, a), "new")
                if wanted_statuses is None or status in wanted_statuses:
                    doc.layers[name] = reading[(doc.id, a)] = LayerWork(status)
            if doc.layers:
                for a, name in extra.items():
                    status = status_of.get((doc.id, a), "new")
                    doc.layers[name] = reading[(doc.id, a)] = LayerWork(status)
        spans = select(
            Span.document_id,
            Span.annotator_id,
            Span.id,
            Span.start,
            Span.end,
            Span.label,
            cast(Span.attributes, Text),
        ).where(Span.annotator_id.in_(list(every)))
        if documents is not None:
            spans = spans.where(Span.document_id.in_(list(docs)))
        parsed: dict[str, Any] = {}
        kept: set[int] | None = set() if wanted_labels is not None else None
        order = (Span.document_id, Span.annotator_id, Span.start, Span.end)
        rows = RawRows(conn, spans.order_by(*order), "team_spans")
        try:
            # Rows come grouped by (document, annotator), the index's order: one lookup a group.
            current: tuple[int, int] | None = None
            into: list[SpanItem] | None = None
            for d, a, sid, start, end, label, attrs in rows:
                if current != (d, a):
                    current = (d, a)
                    layer = reading.get(current)
                    into = None if layer is None else layer.spans
                if into is None:
                    continue
                if kept is not None:
                    if label not in wanted_labels:  # type: ignore[operator]
                        continue
                    kept.add(sid)
                values = parsed.get(attrs)
                if values is None:
                    values = parsed[attrs] = orjson.loads(attrs) if attrs else {}
                into.append(SpanItem(sid, start, end, label, values))
        finally:
            rows.close()
        links = select(
            Relation.document_id,
            Relation.annotator_id,
            Relation.label,
            Relation.source_id,
            Relation.target_id,
            cast(Relation.attributes, Text),
        ).where(Relation.annotator_id.in_(list(every)))
        if documents is not None:
            links = links.where(Relation.document_id.in_(list(docs)))
        rows = RawRows(conn, links.order_by(Relation.id), "team_links")
        try:
            for d, a, label, source, target, attrs in rows:
                layer = reading.get((d, a))
                if layer is not None and (kept is None or (source in kept and target in kept)):
                    values = parsed.get(attrs)
                    if values is None:
                        values = parsed[attrs] = orjson.loads(attrs) if attrs else {}
                    layer.relations.append(LinkItem(label, source, target, values))
        finally:
            rows.close()
    return [doc for doc in docs.values() if doc.layers]
