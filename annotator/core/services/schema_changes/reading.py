"""Every document's annotations, live and archived, one document at a time, for the planner.

Seven ordered queries merged by document id: memory holds one document's rows, however large
the corpus. Run on the connection of the transaction that will write the plan, so that what
is planned is what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, select

from annotator.core.domain.migrating import StoredLink, StoredSpan, StoredValue
from annotator.core.services.exporting.source import Groups
from annotator.core.storage.models import (
    Annotator,
    ArchivedRelation,
    ArchivedSpan,
    ArchivedValue,
    Document,
    DocumentStatus,
    Relation,
    Span,
)


@dataclass
class DocumentRows:
    """One document's rows: statuses by annotator id, live and archived annotations."""

    id: int
    key: str
    status: dict[int, str] = field(default_factory=dict)
    spans: list[StoredSpan] = field(default_factory=list)
    links: list[StoredLink] = field(default_factory=list)
    archived_spans: list[StoredSpan] = field(default_factory=list)
    archived_links: list[StoredLink] = field(default_factory=list)
    archived_values: list[StoredValue] = field(default_factory=list)


def layers(conn: Connection) -> dict[int, tuple[str, str]]:
    """Every layer: annotator id -> (name, kind)."""
    rows = conn.execute(select(Annotator.id, Annotator.name, Annotator.kind))
    return {ident: (name, kind) for ident, name, kind in rows}


def _groups(conn: Connection, query: Select) -> Groups:  # type: ignore[type-arg]
    """An ordered query's rows, handed out one document's group at a time."""
    return Groups(conn.execute(query))


def documents(conn: Connection) -> Iterator[DocumentRows]:
    """Every document with what is stored on it, in id order."""
    statuses = _groups(
        conn,
        select(
            DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status
        ).order_by(DocumentStatus.document_id),
    )
    spans = _groups(conn, _spans(Span).order_by(Span.document_id, Span.id))
    links = _groups(conn, _links(Relation).order_by(Relation.document_id, Relation.id))
    old_spans = _groups(
        conn, _spans(ArchivedSpan).order_by(ArchivedSpan.document_id, ArchivedSpan.id)
    )
    old_links = _groups(
        conn, _links(ArchivedRelation).order_by(ArchivedRelation.document_id, ArchivedRelation.id)
    )
    old_values = _groups(
        conn,
        select(
            ArchivedValue.document_id,
            ArchivedValue.id,
            ArchivedValue.span_id,
            ArchivedValue.annotator_id,
            ArchivedValue.attribute,
            ArchivedValue.value,
        ).order_by(ArchivedValue.document_id, ArchivedValue.id),
    )
    for doc_id, key in conn.execute(select(Document.id, Document.key).order_by(Document.id)):
        yield DocumentRows(
            doc_id,
            key,
            {a: s for _, a, s in statuses.take(doc_id)},
            [_span(r) for r in spans.take(doc_id)],
            [_link(r) for r in links.take(doc_id)],
            [_span(r) for r in old_spans.take(doc_id)],
            [_link(r) for r in old_links.take(doc_id)],
            [StoredValue(*r[1:]) for r in old_values.take(doc_id)],
        )


def _span(row: Any) -> StoredSpan:
    return StoredSpan(row[1], row[2], row[3], row[4], row[5], row[6] or {})


def _link(row: Any) -> StoredLink:
    return StoredLink(row[1], row[2], row[3], row[4], row[5], row[6] or {})


def _spans(model: type[Span] | type[ArchivedSpan]) -> Select:  # type: ignore[type-arg]
    return select(
        model.document_id,
        model.id,
        model.annotator_id,
        model.start,
        model.end,
        model.label,
        model.attributes,
    )


def _links(model: type[Relation] | type[ArchivedRelation]) -> Select:  # type: ignore[type-arg]
    return select(
        model.document_id,
        model.id,
        model.annotator_id,
        model.label,
        model.source_id,
        model.target_id,
        model.attributes,
    )
