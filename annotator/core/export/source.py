"""Streaming a corpus out of the database, one document with its annotations at a time.

Three ordered cursors (documents, spans, links) are merged by document id, so memory holds one
document at a time however large the corpus, and the database is scanned once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from annotator.core.db import Database
from annotator.core.errors import ExportError, IntegrityError
from annotator.core.models import Annotator, Document, DocumentStatus, Relation, Span
from annotator.core.text import content_hash, is_boundary

BATCH = 2000


@dataclass(frozen=True)
class ExportFilter:
    """Which annotations go out. Empty tuples mean "all"."""

    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass
class ExportSpan:
    id: int
    annotator: str
    start: int
    end: int
    label: str
    attributes: dict[str, Any]


@dataclass
class ExportRelation:
    id: int
    annotator: str
    label: str
    source_id: int
    target_id: int


@dataclass
class ExportDocument:
    id: int
    key: str
    title: str
    text: str
    source: str | None
    url: str | None
    published: str | None
    meta: dict[str, Any]
    content_hash: str
    status: dict[str, str] = field(default_factory=dict)
    spans: list[ExportSpan] = field(default_factory=list)
    relations: list[ExportRelation] = field(default_factory=list)


Progress = Callable[[int, int], bool | None]


def stream_documents(
    db: Database, flt: ExportFilter = ExportFilter(), progress: Progress | None = None
) -> Iterator[ExportDocument]:
    """Documents in id order with the annotations the filter keeps, each checked for integrity."""
    with db.engine.connect() as conn:
        annotators = {
            row.id: row.name for row in conn.execute(select(Annotator.id, Annotator.name))
        }
        wanted = {i for i, n in annotators.items() if not flt.annotators or n in flt.annotators}
        missing = set(flt.annotators) - set(annotators.values())
        if missing:
            raise ExportError(f"no annotator called {', '.join(sorted(missing))} in this database")
        statuses: dict[int, dict[int, str]] = {}
        for row in conn.execute(
            select(DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status)
        ):
            statuses.setdefault(row.document_id, {})[row.annotator_id] = row.status

        def keeps(doc_id: int) -> set[int]:
            if not flt.statuses:
                return wanted
            by = statuses.get(doc_id, {})
            return {a for a in wanted if by.get(a, "new") in flt.statuses}

        doc_count = conn.execute(select(func.count()).select_from(Document)).scalar() or 0
        docs = _stream(
            conn,
            select(
                Document.id,
                Document.key,
                Document.title,
                Document.text,
                Document.source,
                Document.url,
                Document.published,
                Document.meta,
                Document.content_hash,
            ).order_by(Document.id),
        )
        span_q = select(
            Span.document_id,
            Span.id,
            Span.annotator_id,
            Span.start,
            Span.end,
            Span.label,
            Span.attributes,
        ).order_by(Span.document_id, Span.annotator_id, Span.start, Span.end, Span.label, Span.id)
        if flt.labels:
            span_q = span_q.where(Span.label.in_(flt.labels))
        spans = _stream(conn, span_q)
        rels = _stream(
            conn,
            select(
                Relation.document_id,
                Relation.id,
                Relation.annotator_id,
                Relation.label,
                Relation.source_id,
                Relation.target_id,
            ).order_by(Relation.document_id, Relation.id),
        )
        next_span = next(spans, None)
        next_rel = next(rels, None)
        done = 0
        for d in docs:
            done += 1
            if progress is not None and progress(done, doc_count) is False:
                raise ExportCancelled("export cancelled; no file was written")
            keep = keeps(d.id)
            doc = ExportDocument(
                d.id,
                d.key,
                d.title,
                d.text,
                d.source,
                d.url,
                d.published,
                d.meta or {},
                d.content_hash,
            )
            while next_span is not None and next_span.document_id < d.id:
                next_span = next(spans, None)
            while next_span is not None and next_span.document_id == d.id:
                if next_span.annotator_id in keep:
                    doc.spans.append(
                        ExportSpan(
                            next_span.id,
                            annotators[next_span.annotator_id],
                            next_span.start,
                            next_span.end,
                            next_span.label,
                            next_span.attributes or {},
                        )
                    )
                next_span = next(spans, None)
            while next_rel is not None and next_rel.document_id < d.id:
                next_rel = next(rels, None)
            kept_ids = {sp.id for sp in doc.spans}
            while next_rel is not None and next_rel.document_id == d.id:
                r = next_rel
                if r.annotator_id in keep and r.source_id in kept_ids and r.target_id in kept_ids:
                    doc.relations.append(
                        ExportRelation(
                            r.id, annotators[r.annotator_id], r.label, r.source_id, r.target_id
                        )
                    )
                next_rel = next(rels, None)
            if flt.statuses and not keep:
                continue
            doc.status = {annotators[a]: s for a, s in statuses.get(d.id, {}).items() if a in keep}
            check_document(doc)
            yield doc


def _stream(conn: Any, query: Select[Any]) -> Iterator[Any]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    yield from result


def check_document(doc: ExportDocument) -> None:
    """Refuse to export spans whose offsets no longer fit the text they were made on."""
    if content_hash(doc.text) != doc.content_hash:
        raise IntegrityError(
            f"document {doc.key!r}: its text changed after import (hash mismatch); refusing to "
            "export spans that would be shifted"
        )
    n = len(doc.text)
    for sp in doc.spans:
        if (
            not (0 <= sp.start < sp.end <= n)
            or not is_boundary(doc.text, sp.start)
            or not is_boundary(doc.text, sp.end)
        ):
            raise IntegrityError(
                f"document {doc.key!r}: span #{sp.id} {sp.label} {sp.start}-{sp.end} does not "
                f"fit the text (length {n})"
            )


class ExportCancelled(ExportError):
    """The user cancelled; no file was written."""
