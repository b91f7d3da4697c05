"""One annotator's spans and links: every edit validated and committed before it returns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Text, delete, insert, select, type_coerce
from sqlalchemy.orm import Session

from annotator.core.domain import jsonio, rules
from annotator.core.domain.errors import IncompleteError, NotFoundError
from annotator.core.domain.faults import fault_point
from annotator.core.domain.records import (
    AnnotatorRecord,
    DeletedSpan,
    RelationRecord,
    SchemaRef,
    SpanRecord,
    Stamp,
)
from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import MISSING, MISSING_PLURAL, counted
from annotator.core.services.annotation_links import LinkEdits, relation_record, span_record
from annotator.core.services.documents import DocumentService, set_status_in
from annotator.core.services.entity_links import link_of, restore_link
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import DocumentStatus, Relation, Span, utcnow


class EditBatch:
    """The edits of one ``AnnotationService.batch()``, checked by the same rules, one commit."""

    def __init__(self, service: AnnotationService, session: Session) -> None:
        self._service = service
        self._session = session

    def create_span(
        self,
        document_id: int,
        start: int,
        end: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> SpanRecord:
        return self._service._create_in(self._session, document_id, start, end, label, attributes)

    def link(
        self,
        source_id: int,
        target_id: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> RelationRecord:
        return self._service._link_in(self._session, source_id, target_id, label, attributes)

    def unlink(self, relation_id: int) -> RelationRecord:
        return self._service._unlink_in(self._session, relation_id)

    def delete_span(self, span_id: int) -> DeletedSpan:
        return self._service._delete_in(self._session, span_id)

    @property
    def session(self) -> Session:
        """The batch's transaction, for a service that keeps its own rows beside the edits
        (a suggestion's decision): they are saved with the edits, or not at all."""
        return self._session

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """An edit that may be refused without undoing the batch's other edits."""
        with self._session.begin_nested():
            yield


class AnnotationService(LinkEdits):
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
            return [relation_record(r) for r in rows]

    def span(self, span_id: int) -> SpanRecord:
        with self._db.read() as s:
            return span_record(self._own_span(s, span_id))

    # -- several edits as one --

    @contextmanager
    def batch(self) -> Iterator[EditBatch]:
        """Several edits in one transaction: all of them are saved, or none (e.g. a span and
        its links accepted into gold)."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            yield EditBatch(self, s)

    # -- spans --

    def create_span(
        self,
        document_id: int,
        start: int,
        end: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> SpanRecord:
        with guarded_write(self._db, self.write_wait_ms) as s:
            span = self._create_in(s, document_id, start, end, label, attributes)
            fault_point("span-before-commit")  # the row sent, not yet committed
            return span

    def create_linked_span(
        self,
        document_id: int,
        start: int,
        end: int,
        label: str,
        link_from: tuple[int, str],
        attributes: dict[str, Any] | None = None,
    ) -> tuple[SpanRecord, RelationRecord]:
        """Create a span and link it from ``link_from`` (source span id, relation) in one
        transaction: if the link is refused, no span is left behind."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            span = self._create_in(s, document_id, start, end, label, attributes)
            return span, self._link_in(s, link_from[0], span.id, link_from[1])

    def _create_in(
        self,
        s: Session,
        document_id: int,
        start: int,
        end: int,
        label: str,
        attributes: dict[str, Any] | None,
    ) -> SpanRecord:
        text = self._documents.text(document_id)
        rules.check_offsets(text, start, end)
        rules.check_label(self.schema, label)
        rules.check_paragraphs(self.schema, text, label, start, end)
        attrs = rules.check_attributes(self.schema, label, attributes, apply_defaults=True)
        self._check_overlap(s, document_id, start, end, label, exclude=None)
        now = utcnow()
        # A Core insert, not an ORM object: a batch (every agreed span accepted into gold)
        # makes thousands, and an ORM flush each costs twice as much.
        span_id = s.execute(
            insert(Span)
            .values(
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
            .returning(Span.id)
        ).scalar_one()
        self._touch_status(s, document_id)
        return SpanRecord(span_id, document_id, self.annotator.id, start, end, label, attrs)

    def update_span(
        self,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> SpanRecord:
        """Move a span's edges or change its label (attributes the new label lacks are dropped)."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            row = self._own_span(s, span_id)
            new_start = row.start if start is None else start
            new_end = row.end if end is None else end
            new_label = row.label if label is None else label
            text = self._documents.text(row.document_id)
            rules.check_offsets(text, new_start, new_end)
            rules.check_label(self.schema, row.label)  # a kept span: no new edits
            rules.check_label(self.schema, new_label)
            rules.check_paragraphs(self.schema, text, new_label, new_start, new_end)
            self._check_overlap(s, row.document_id, new_start, new_end, new_label, exclude=row.id)
            attrs = dict(row.attributes or {})
            if new_label != row.label:
                lab = rules.label_of(self.schema, new_label)
                attrs = {k: v for k, v in attrs.items() if lab.attribute(k) is not None}
                attrs = rules.check_attributes(self.schema, new_label, attrs, apply_defaults=True)
                self._check_links_fit(s, row.id, new_label)
            row.start, row.end, row.label, row.attributes = new_start, new_end, new_label, attrs
            row.updated_at = utcnow()
            s.flush()
            return span_record(row)

    def set_attribute(self, span_id: int, name: str, value: Any) -> SpanRecord:
        """Set one attribute; ``None`` clears it."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            row = self._own_span(s, span_id)
            label = row.label
            row.attributes = rules.with_value(
                row.attributes,
                name,
                value,
                lambda n, v: rules.check_attribute(self.schema, label, n, v),
                lambda n: rules.label_of(self.schema, label).attribute(n),
            )
            row.updated_at = utcnow()
            s.flush()
            return span_record(row)

    def delete_span(self, span_id: int) -> DeletedSpan:
        """Delete a span, every link to or from it and its entity link; returns what undo
        needs."""
        return self.delete_spans([span_id])[0]

    def delete_spans(self, span_ids: Sequence[int]) -> tuple[DeletedSpan, ...]:
        """Delete spans and their links in one transaction (undo of several spans accepted
        into gold at once): all of them go, or none."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            return tuple(self._delete_in(s, span_id) for span_id in span_ids)

    def _delete_in(self, s: Session, span_id: int) -> DeletedSpan:
        row = self._own_span(s, span_id)
        links = self._links_of(s, span_id)
        removed = tuple(relation_record(r) for r in links)
        stamps = tuple(Stamp(r.schema_id, r.created_at) for r in links)
        stamp = Stamp(row.schema_id, row.created_at, row.updated_at)
        entity = link_of(s, span_id)  # goes with the span (ON DELETE CASCADE)
        s.execute(delete(Relation).where(Relation.id.in_([r.id for r in removed])))
        s.execute(delete(Span).where(Span.id == span_id))
        return DeletedSpan(span_record(row), removed, stamp, stamps, entity)

    def restore_span(self, deleted: DeletedSpan) -> SpanRecord:
        """Undo a delete: the span comes back under its old id, with its links and values,
        exactly as stored, made under the schema and at the time it was (not re-checked
        against the schema, which may have changed since: putting data back is not a new
        edit, and a span outside the active schema comes back as it was)."""
        self.restore_spans([deleted])
        return deleted.span

    def restore_spans(self, deleted: Sequence[DeletedSpan]) -> None:
        """Undo of ``delete_spans``, in one transaction: every span first, then the links
        (which may join two of them)."""
        for item in deleted:
            span = item.span
            if span.annotator_id != self.annotator.id:
                raise NotFoundError(f"span #{span.id} is not yours to restore")
            rules.check_offsets(self._documents.text(span.document_id), span.start, span.end)
        with guarded_write(self._db, self.write_wait_ms) as s:
            now = utcnow()
            for item in deleted:
                span = item.span
                self._check_overlap(
                    s, span.document_id, span.start, span.end, span.label, exclude=None
                )
                stamp = item.stamp or Stamp(self.schema_ref.id, now, now)
                s.execute(
                    insert(Span).values(
                        id=span.id,
                        document_id=span.document_id,
                        annotator_id=span.annotator_id,
                        schema_id=stamp.schema_id,
                        start=span.start,
                        end=span.end,
                        label=span.label,
                        attributes=dict(span.attributes),
                        created_at=stamp.created_at,
                        updated_at=stamp.updated_at or now,
                    )
                )
            for item in deleted:
                stamps = item.relation_stamps or (None,) * len(item.relations)
                for rel, rel_stamp in zip(item.relations, stamps, strict=True):
                    self._insert_relation(s, rel, rel_stamp)
                if item.entity_link is not None:
                    restore_link(s, item.entity_link)

    def restore_span_state(self, span: SpanRecord) -> SpanRecord:
        """Undo or redo of a resize or relabel: edges, label and values exactly as ``span``
        holds them, in one transaction (not re-checked against the schema)."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            row = self._own_span(s, span.id)
            rules.check_offsets(self._documents.text(row.document_id), span.start, span.end)
            self._check_overlap(
                s, row.document_id, span.start, span.end, span.label, exclude=span.id
            )
            row.start, row.end, row.label = span.start, span.end, span.label
            row.attributes = dict(span.attributes)
            row.updated_at = utcnow()
            s.flush()
            return span_record(row)

    # -- document status --

    def set_status(self, document_id: int, status: str, *, force: bool = False) -> None:
        """Mark a document; "done" is refused while required values or links are missing."""
        if status == "done" and not force:
            missing = self.missing_required(document_id)
            if missing:
                lines = [f"{label} #{sid}: {attr}" for sid, label, attr in missing[:5]]
                what = counted(len(missing), MISSING, MISSING_PLURAL)
                raise IncompleteError(
                    f"{what} missing: " + "; ".join(lines),
                    missing,
                )
        self._documents.text(document_id)  # raises NotFoundError for a missing document
        with guarded_write(self._db, self.write_wait_ms) as s:
            set_status_in(s, document_id, self.annotator.id, status)

    def status(self, document_id: int) -> str:
        return self._documents.status(document_id, self.annotator.id)

    def missing_required(self, document_id: int) -> list[tuple[int, str, str]]:
        """(span id, label, what) for each required attribute not yet set (a link's as
        "relation.attribute", on its source span) and each link the schema requires that is
        missing (``rules.missing_links``), in text order."""
        spans = self.spans(document_id)
        values = [
            (sp.id, sp.label, name)
            for sp in spans
            for name in rules.missing_required(self.schema, sp.label, sp.attributes)
        ]
        relations = self.relations(document_id)
        labels = {sp.id: sp.label for sp in spans}
        # A link's unset value is listed on the span it starts at: "STATEMENT: aimed_at.x".
        values += [
            (r.source_id, labels.get(r.source_id, ""), f"{r.label}.{name}")
            for r in relations
            for name in rules.missing_relation_required(self.schema, r.label, r.attributes)
        ]
        links = rules.missing_links(
            self.schema,
            [(sp.id, sp.label) for sp in spans],
            [(r.label, r.source_id, r.target_id) for r in relations],
        )
        order = {sp.id: n for n, sp in enumerate(spans)}
        return sorted(values + links, key=lambda m: order.get(m[0], 0))

    # -- helpers --

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

    def _touch_status(self, s: Session, document_id: int) -> None:
        """The first edit on a new document marks it in progress."""
        row = s.get(DocumentStatus, (document_id, self.annotator.id))
        if row is None:
            row = DocumentStatus(
                document_id=document_id,
                annotator_id=self.annotator.id,
                status="in_progress",
                updated_at=utcnow(),
            )
            s.add(row)
        # The session holds its rows weakly: kept here, the next edit of a batch finds it
        # without a query (a rolled-back savepoint still expires it as it should).
        s.info.setdefault("touched", set()).add(row)
