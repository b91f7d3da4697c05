"""One open document: its spans and links as the screen shows them, kept equal to the database.

Every change goes through the core's ``AnnotationService`` first (which commits), and only then
updates the in-memory copy and emits a signal, so the screen never shows what is not stored.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from annotator.core.domain.records import DeletedSpan, DocumentRecord, RelationRecord, SpanRecord
from annotator.core.services.annotations import AnnotationService


class DocumentSession(QObject):
    spanAdded = Signal(object)  # SpanRecord
    spanChanged = Signal(object, object)  # old SpanRecord, new SpanRecord
    spanRemoved = Signal(object)  # SpanRecord
    relationAdded = Signal(object)  # RelationRecord
    relationRemoved = Signal(object)  # RelationRecord
    statusChanged = Signal(str)
    saved = Signal()  # after every committed write

    def __init__(
        self, service: AnnotationService, document: DocumentRecord, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.document = document
        self.spans: dict[int, SpanRecord] = {s.id: s for s in service.spans(document.id)}
        self.relations: dict[int, RelationRecord] = {
            r.id: r for r in service.relations(document.id)
        }
        self.status = service.status(document.id)

    @property
    def schema(self):  # type: ignore[no-untyped-def]
        return self.service.schema

    # -- queries the views need --

    def links_from(self, span_id: int, label: str | None = None) -> list[RelationRecord]:
        return [
            r
            for r in self.relations.values()
            if r.source_id == span_id and (label is None or r.label == label)
        ]

    def linked_ids(self, span_id: int) -> set[int]:
        ids: set[int] = set()
        for r in self.relations.values():
            if r.source_id == span_id:
                ids.add(r.target_id)
            elif r.target_id == span_id:
                ids.add(r.source_id)
        return ids

    def sources_of(self, span_id: int) -> list[int]:
        return [r.source_id for r in self.relations.values() if r.target_id == span_id]

    # -- writes (each one committed before the signal goes out) --

    def create_span(
        self, start: int, end: int, label: str, attributes: dict[str, Any] | None = None
    ) -> SpanRecord:
        span = self.service.create_span(self.document.id, start, end, label, attributes)
        self.spans[span.id] = span
        if self.status == "new":
            self.status = "in_progress"
            self.statusChanged.emit(self.status)
        self.spanAdded.emit(span)
        self.saved.emit()
        return span

    def delete_span(self, span_id: int) -> DeletedSpan:
        deleted = self.service.delete_span(span_id)
        for rel in deleted.relations:
            self.relations.pop(rel.id, None)
            self.relationRemoved.emit(rel)
        self.spans.pop(span_id, None)
        self.spanRemoved.emit(deleted.span)
        self.saved.emit()
        return deleted

    def restore_span(self, deleted: DeletedSpan) -> SpanRecord:
        span = self.service.restore_span(deleted)
        self.spans[span.id] = span
        self.spanAdded.emit(span)
        for rel in deleted.relations:
            self.relations[rel.id] = rel
            self.relationAdded.emit(rel)
        self.saved.emit()
        return span

    def update_span(self, span_id: int, **changes: Any) -> SpanRecord:
        old = self.spans[span_id]
        new = self.service.update_span(span_id, **changes)
        self.spans[span_id] = new
        self.spanChanged.emit(old, new)
        self.saved.emit()
        return new

    def set_attribute(self, span_id: int, name: str, value: Any) -> SpanRecord:
        old = self.spans[span_id]
        new = self.service.set_attribute(span_id, name, value)
        self.spans[span_id] = new
        self.spanChanged.emit(old, new)
        self.saved.emit()
        return new

    def link(self, source_id: int, target_id: int, label: str) -> RelationRecord:
        rel = self.service.link(source_id, target_id, label)
        self.relations[rel.id] = rel
        self.relationAdded.emit(rel)
        self.saved.emit()
        return rel

    def unlink(self, relation_id: int) -> RelationRecord:
        rel = self.service.unlink(relation_id)
        self.relations.pop(rel.id, None)
        self.relationRemoved.emit(rel)
        self.saved.emit()
        return rel

    def restore_relation(self, rel: RelationRecord) -> RelationRecord:
        self.service.restore_relation(rel)
        self.relations[rel.id] = rel
        self.relationAdded.emit(rel)
        self.saved.emit()
        return rel

    def set_status(self, status: str, *, force: bool = False) -> None:
        self.service.set_status(self.document.id, status, force=force)
        self.status = status
        self.statusChanged.emit(status)
        self.saved.emit()
