"""Links between one annotator's spans: made, removed, replaced and put back, each in one
transaction, so that an edit of several steps is all done or not done at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from annotator.core.domain import rules
from annotator.core.domain.errors import NotFoundError, RelationError
from annotator.core.domain.records import (
    AnnotatorRecord,
    RelationRecord,
    SchemaRef,
    SpanRecord,
    Stamp,
)
from annotator.core.domain.schema import Schema
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import Relation, Span, utcnow


def span_record(row: Any) -> SpanRecord:
    return SpanRecord(
        row.id,
        row.document_id,
        row.annotator_id,
        row.start,
        row.end,
        row.label,
        dict(row.attributes or {}),
    )


def relation_record(row: Any) -> RelationRecord:
    return RelationRecord(
        row.id,
        row.document_id,
        row.annotator_id,
        row.label,
        row.source_id,
        row.target_id,
        dict(row.attributes or {}),
    )


class LinkEdits:
    """The link half of ``AnnotationService`` (which supplies the attributes below)."""

    _db: Database
    schema: Schema
    schema_ref: SchemaRef
    annotator: AnnotatorRecord
    # How long a write queues for another process's write lock before BusyError (None: the
    # database's 30 s). The window sets a short wait and retries edits itself.
    write_wait_ms: int | None = None

    def link(
        self,
        source_id: int,
        target_id: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> RelationRecord:
        with guarded_write(self._db, self.write_wait_ms) as s:
            return self._link_in(s, source_id, target_id, label, attributes)

    def set_relation_attribute(self, relation_id: int, name: str, value: Any) -> RelationRecord:
        """Set one value of a link (stance toward its target); ``None`` clears it. Checked by
        the rule book as a span's value is."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            row = self._own_relation(s, relation_id)
            label = row.label
            row.attributes = rules.with_value(
                row.attributes,
                name,
                value,
                lambda n, v: rules.check_relation_attribute(self.schema, label, n, v),
                lambda n: rules.relation_of(self.schema, label).attribute(n),
            )
            s.flush()
            return relation_record(row)

    def restore_relation_state(self, rel: RelationRecord) -> RelationRecord:
        """Undo or redo of a link's value: its values exactly as ``rel`` holds them (not
        re-checked against the schema: putting data back is not a new edit)."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            row = self._own_relation(s, rel.id)
            row.attributes = dict(rel.attributes)
            s.flush()
            return relation_record(row)

    def unlink(self, relation_id: int) -> RelationRecord:
        with guarded_write(self._db, self.write_wait_ms) as s:
            return self._unlink_in(s, relation_id)

    def replace_link(
        self, old_relation_ids: Sequence[int], source_id: int, target_id: int, label: str
    ) -> tuple[tuple[RelationRecord, ...], RelationRecord]:
        """Remove links and make a new one in one transaction (a relation that allows one link
        only): if the new link is refused, the old ones are still there."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            removed = tuple(self._unlink_in(s, rid) for rid in old_relation_ids)
            s.flush()
            return removed, self._link_in(s, source_id, target_id, label)

    def swap_relations(
        self, remove: Sequence[RelationRecord], restore: Sequence[RelationRecord]
    ) -> None:
        """Undo or redo of a replaced link: remove some links and put others back under their
        old ids, exactly as they were (not re-checked against the schema: not a new edit)."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            for rel in remove:
                self._unlink_in(s, rel.id)
            s.flush()
            for rel in restore:
                self._restore_relation_in(s, rel)

    def restore_relation(self, rel: RelationRecord) -> RelationRecord:
        """Undo of an unlink: the link comes back under its old id."""
        with guarded_write(self._db, self.write_wait_ms) as s:
            self._restore_relation_in(s, rel)
        return rel

    # -- inside a transaction --

    def _own_span(self, s: Session, span_id: int) -> Span:
        row = s.get(Span, span_id)
        if row is None or row.annotator_id != self.annotator.id:
            raise NotFoundError(f"span #{span_id} does not exist (any more)")
        return row

    def _own_relation(self, s: Session, relation_id: int) -> Relation:
        row = s.get(Relation, relation_id)
        if row is None or row.annotator_id != self.annotator.id:
            raise NotFoundError(f"link #{relation_id} does not exist (any more)")
        return row

    def _link_in(
        self,
        s: Session,
        source_id: int,
        target_id: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> RelationRecord:
        source = self._own_span(s, source_id)
        target = self._own_span(s, target_id)
        if source.document_id != target.document_id:
            raise RelationError("a link must join two spans of the same document")
        rules.check_label(self.schema, source.label)
        rules.check_label(self.schema, target.label)
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
            attributes=rules.check_relation_attributes(
                self.schema, label, attributes, apply_defaults=True
            ),
            created_at=utcnow(),
        )
        s.add(row)
        s.flush()
        return relation_record(row)

    def _unlink_in(self, s: Session, relation_id: int) -> RelationRecord:
        row = self._own_relation(s, relation_id)
        record = relation_record(row)
        s.execute(delete(Relation).where(Relation.id == relation_id))
        return record

    def _restore_relation_in(self, s: Session, rel: RelationRecord) -> None:
        self._own_span(s, rel.source_id)
        self._own_span(s, rel.target_id)
        self._insert_relation(s, rel)

    def _insert_relation(self, s: Session, rel: RelationRecord, stamp: Stamp | None = None) -> None:
        """Put a link back under its old id (undo of an unlink or of a span's deletion), made
        under the schema and at the time it was, when ``stamp`` says."""
        s.execute(
            insert(Relation).values(
                id=rel.id,
                document_id=rel.document_id,
                annotator_id=rel.annotator_id,
                schema_id=stamp.schema_id if stamp is not None else self.schema_ref.id,
                label=rel.label,
                source_id=rel.source_id,
                target_id=rel.target_id,
                attributes=dict(rel.attributes),
                created_at=stamp.created_at if stamp is not None else utcnow(),
            )
        )

    def _links_of(self, s: Session, span_id: int) -> list[Relation]:
        return list(
            s.scalars(
                select(Relation)
                .where(or_(Relation.source_id == span_id, Relation.target_id == span_id))
                .order_by(Relation.id)
            )
        )

    def _check_links_fit(self, s: Session, span_id: int, new_label: str) -> None:
        for rel in self._links_of(s, span_id):
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
