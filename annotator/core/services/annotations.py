"""One annotator's spans and links: every edit validated and committed before it returns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Text,
    delete,
    insert,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from annotator.core.domain import jsonio, rules
from annotator.core.domain.errors import (
    IncompleteError,
    NotFoundError,
    RelationError,
)
from annotator.core.domain.records import (
    AnnotatorRecord,
    DeletedSpan,
    RelationRecord,
    SchemaRef,
    SpanRecord,
)
from annotator.core.domain.schema import Schema
from annotator.core.services.documents import DocumentService, set_status_in
from annotator.core.storage.db import Database
from annotator.core.storage.models import DocumentStatus, Relation, Span, utcnow


def _span_record(row: Any) -> SpanRecord:
    return SpanRecord(
        row.id,
        row.document_id,
        row.annotator_id,
        row.start,
        row.end,
        row.label,
        dict(row.attributes or {}),
    )


def _relation_record(row: Any) -> RelationRecord:
    return RelationRecord(
        row.id, row.document_id, row.annotator_id, row.label, row.source_id, row.target_id
    )


class AnnotationService:
    """One annotator's spans and links, validated against one schema.

    Each annotator sees and edits only their own annotations; a span of someone else's is
    reported as not found.
    """

    def __init__(
        self,
        db: Database,
        documents: DocumentService,
        schema: Schema,
        schema_ref: SchemaRef,
        annotator: AnnotatorRecord,
    ) -> None:
        self._db = db
        self._documents = documents
        self.schema = schema
        self.schema_ref = schema_ref
        self.annotator = annotator

    # -- reading --

    def spans(self, document_id: int) -> list[SpanRecord]:
        """The annotator's spans in reading order.

        Read through Core with the attributes as raw JSON text: opening an article with
        10,000 spans is on the window's first-paint path, and ORM rows cost 5x more.
        """
        query = (
            select(
                Span.id,
                Span.document_id,
                Span.annotator_id,
                Span.start,
                Span.end,
                Span.label,
                type_coerce(Span.attributes, Text),
            )
            .where(Span.document_id == document_id, Span.annotator_id == self.annotator.id)
            .order_by(Span.start, Span.end, Span.id)
        )
        with self._db.read() as s:
            rows = s.connection().execute(query).all()
        loads = jsonio.loads
        return [
            SpanRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6] if isinstance(r[6], dict) else (loads(r[6]) if r[6] else {}),
            )
            for r in rows
        ]

    def relations(self, document_id: int) -> list[RelationRecord]:
        with self._db.read() as s:
            rows = s.scalars(
                select(Relation)
                .where(
                    Relation.document_id == document_id, Relation.annotator_id == self.annotator.id
                )
                .order_by(Relation.id)
            )
            return [_relation_record(r) for r in rows]

    def span(self, span_id: int) -> SpanRecord:
        with self._db.read() as s:
            return _span_record(self._own_span(s, span_id))

    # -- spans --

    def create_span(
        self,
        document_id: int,
        start: int,
        end: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> SpanRecord:
        text = self._documents.text(document_id)
        rules.check_offsets(text, start, end)
        rules.check_label(self.schema, label)
        attrs = rules.check_attributes(self.schema, label, attributes, apply_defaults=True)
        with self._db.write() as s:
            self._check_overlap(s, document_id, start, end, label, exclude=None)
            now = utcnow()
            row = Span(
                document_id=document_id,
                annotator_id=self.annotator.id,
                schema_id=self.schema_ref.id,
                start=start,
                end=end,
                label=label,
                attributes=attrs,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            self._touch_status(s, document_id)
            s.flush()
            return _span_record(row)

    def update_span(
        self,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> SpanRecord:
        """Move a span's edges or change its label (attributes the new label lacks are dropped)."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            new_start = row.start if start is None else start
            new_end = row.end if end is None else end
            new_label = row.label if label is None else label
            rules.check_offsets(self._documents.text(row.document_id), new_start, new_end)
            rules.check_label(self.schema, new_label)
            self._check_overlap(s, row.document_id, new_start, new_end, new_label, exclude=row.id)
            attrs = dict(row.attributes or {})
            if new_label != row.label:
                lab = self.schema.label(new_label)
                assert lab is not None
                attrs = {k: v for k, v in attrs.items() if lab.attribute(k) is not None}
                attrs = rules.check_attributes(self.schema, new_label, attrs, apply_defaults=True)
                self._check_links_fit(s, row.id, new_label)
            row.start, row.end, row.label, row.attributes = new_start, new_end, new_label, attrs
            row.updated_at = utcnow()
            s.flush()
            return _span_record(row)

    def set_attribute(self, span_id: int, name: str, value: Any) -> SpanRecord:
        """Set one attribute; ``None`` clears it."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            attrs = dict(row.attributes or {})
            if value is None:
                lab = self.schema.label(row.label)
                if lab is None or lab.attribute(name) is None:
                    rules.check_attribute(self.schema, row.label, name, value)
                attrs.pop(name, None)
            else:
                attrs[name] = rules.check_attribute(self.schema, row.label, name, value)
            row.attributes = attrs
            row.updated_at = utcnow()
            s.flush()
            return _span_record(row)

    def delete_span(self, span_id: int) -> DeletedSpan:
        """Delete a span and every link to or from it; returns what undo needs."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            record = _span_record(row)
            links = s.scalars(
                select(Relation)
                .where(or_(Relation.source_id == span_id, Relation.target_id == span_id))
                .order_by(Relation.id)
            ).all()
            removed = tuple(_relation_record(r) for r in links)
            s.execute(delete(Relation).where(Relation.id.in_([r.id for r in removed])))
            s.execute(delete(Span).where(Span.id == span_id))
            return DeletedSpan(record, removed)

    def restore_span(self, deleted: DeletedSpan) -> SpanRecord:
        """Undo a delete: the span comes back under its old id, with its links."""
        span = deleted.span
        if span.annotator_id != self.annotator.id:
            raise NotFoundError(f"span #{span.id} is not yours to restore")
        text = self._documents.text(span.document_id)
        rules.check_offsets(text, span.start, span.end)
        rules.check_label(self.schema, span.label)
        attrs = rules.check_attributes(
            self.schema, span.label, span.attributes, apply_defaults=False
        )
        with self._db.write() as s:
            self._check_overlap(s, span.document_id, span.start, span.end, span.label, exclude=None)
            now = utcnow()
            s.execute(
                insert(Span).values(
                    id=span.id,
                    document_id=span.document_id,
                    annotator_id=span.annotator_id,
                    schema_id=self.schema_ref.id,
                    start=span.start,
                    end=span.end,
                    label=span.label,
                    attributes=attrs,
                    created_at=now,
                    updated_at=now,
                )
            )
            for rel in deleted.relations:
                self._insert_relation(s, rel)
        return SpanRecord(
            span.id, span.document_id, span.annotator_id, span.start, span.end, span.label, attrs
        )

    # -- links --

    def link(self, source_id: int, target_id: int, label: str) -> RelationRecord:
        with self._db.write() as s:
            source = self._own_span(s, source_id)
            target = self._own_span(s, target_id)
            if source.document_id != target.document_id:
                raise RelationError("a link must join two spans of the same document")
            existing = s.scalars(
                select(Relation.target_id).where(
                    Relation.source_id == source_id, Relation.label == label
                )
            ).all()
            rules.check_link(
                self.schema,
                label,
                (f"#{source_id}", source.label),
                (f"#{target_id}", target.label),
                [f"#{i}" for i in existing],
            )
            row = Relation(
                document_id=source.document_id,
                annotator_id=self.annotator.id,
                schema_id=self.schema_ref.id,
                label=label,
                source_id=source_id,
                target_id=target_id,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return _relation_record(row)

    def unlink(self, relation_id: int) -> RelationRecord:
        with self._db.write() as s:
            row = s.get(Relation, relation_id)
            if row is None or row.annotator_id != self.annotator.id:
                raise NotFoundError(f"link #{relation_id} does not exist")
            record = _relation_record(row)
            s.delete(row)
            return record

    def restore_relation(self, rel: RelationRecord) -> RelationRecord:
        with self._db.write() as s:
            self._own_span(s, rel.source_id)
            self._own_span(s, rel.target_id)
            self._insert_relation(s, rel)
        return rel

    def _insert_relation(self, s: Session, rel: RelationRecord) -> None:
        """Put a link back under its old id (undo of an unlink or of a span's deletion)."""
        s.execute(
            insert(Relation).values(
                id=rel.id,
                document_id=rel.document_id,
                annotator_id=rel.annotator_id,
                schema_id=self.schema_ref.id,
                label=rel.label,
                source_id=rel.source_id,
                target_id=rel.target_id,
                created_at=utcnow(),
            )
        )

    # -- document status --

    def set_status(self, document_id: int, status: str, *, force: bool = False) -> None:
        """Mark a document; "done" is refused while required attributes are missing."""
        if status == "done" and not force:
            missing = self.missing_required(document_id)
            if missing:
                lines = [f"{label} #{sid}: {attr}" for sid, label, attr in missing[:5]]
                raise IncompleteError(
                    f"{len(missing)} required attribute(s) not set: " + "; ".join(lines),
                    missing,
                )
        self._documents.text(document_id)  # raises NotFoundError for a missing document
        with self._db.write() as s:
            set_status_in(s, document_id, self.annotator.id, status)

    def status(self, document_id: int) -> str:
        return self._documents.status(document_id, self.annotator.id)

    def missing_required(self, document_id: int) -> list[tuple[int, str, str]]:
        """(span id, label, attribute) for each required attribute not yet set."""
        return [
            (sp.id, sp.label, name)
            for sp in self.spans(document_id)
            for name in rules.missing_required(self.schema, sp.label, sp.attributes)
        ]

    # -- helpers --

    def _own_span(self, s: Session, span_id: int) -> Span:
        row = s.get(Span, span_id)
        if row is None or row.annotator_id != self.annotator.id:
            raise NotFoundError(f"span #{span_id} does not exist")
        return row

    def _check_overlap(
        self, s: Session, document_id: int, start: int, end: int, label: str, exclude: int | None
    ) -> None:
        query = select(Span.id, Span.start, Span.end).where(
            Span.document_id == document_id,
            Span.annotator_id == self.annotator.id,
            Span.label == label,
            Span.start < end,
            Span.end > start,
        )
        if exclude is not None:
            query = query.where(Span.id != exclude)
        clashes = s.execute(query.limit(50)).all()
        lab = self.schema.label(label)
        rules.check_overlap(
            label,
            lab.overlap if lab is not None else True,
            start,
            end,
            ((f"#{c.id}", c.start, c.end) for c in clashes),
        )

    def _check_links_fit(self, s: Session, span_id: int, new_label: str) -> None:
        rels = s.execute(
            select(Relation.label, Relation.source_id, Relation.target_id).where(
                or_(Relation.source_id == span_id, Relation.target_id == span_id)
            )
        ).all()
        for rel in rels:
            rel_type = self.schema.relation(rel.label)
            if rel_type is None:
                needed = None
            else:
                needed = rel_type.source if rel.source_id == span_id else rel_type.target
            if needed != new_label:
                raise RelationError(
                    f"span #{span_id} has a {rel.label} link that a {new_label} cannot have; "
                    "remove the link first"
                )

    def _touch_status(self, s: Session, document_id: int) -> None:
        """The first edit on a new document marks it in progress."""
        row = s.get(DocumentStatus, (document_id, self.annotator.id))
        if row is None:
            s.add(
                DocumentStatus(
                    document_id=document_id,
                    annotator_id=self.annotator.id,
                    status="in_progress",
                    updated_at=utcnow(),
                )
            )
