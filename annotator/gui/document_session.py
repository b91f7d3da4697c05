"""One open document: its spans and links as the screen shows them, kept equal to the database.

Every change goes through the core's ``AnnotationService`` first (which commits), and only then
updates the in-memory copy and emits a signal, so the screen never shows what is not stored.
The window's writes wait only briefly for another program's lock; ``writes`` (an
``EditRunner``) retries a refused one without blocking the window.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from annotator.core.domain import boilerplate
from annotator.core.domain.boilerplate import Range
from annotator.core.domain.entities import EntityRecord
from annotator.core.domain.records import DeletedSpan, DocumentRecord, RelationRecord, SpanRecord
from annotator.core.domain.schema import Schema
from annotator.gui.edit_runner import WRITE_WAIT_MS, EditRunner

if TYPE_CHECKING:
    from annotator.core.services.annotations import AnnotationService
    from annotator.core.services.boilerplate import BoilerplateService
    from annotator.core.services.entities import EntityService
    from annotator.core.services.entity_links import LinkChange

BULK = 50  # changes to more spans than this at once redraw the document once
# Boilerplate is recognised at once in a text up to this long (a few ms), on a thread beyond:
# a megabyte takes a few hundred ms, more than opening it may (bench: < 150 ms).
RECOGNISE_AT_ONCE = 100_000


class DocumentSession(QObject):
    spanAdded = Signal(object)  # SpanRecord
    spanChanged = Signal(object, object)  # old SpanRecord, new SpanRecord
    spanRemoved = Signal(object)  # SpanRecord
    relationAdded = Signal(object)  # RelationRecord
    relationRemoved = Signal(object)  # RelationRecord
    relationChanged = Signal(object, object)  # old RelationRecord, new (its values)
    statusChanged = Signal(str)
    saved = Signal()  # after every committed write
    refused = Signal(str)  # an undo or redo the database refused: the window recovers
    reloaded = Signal()  # spans, links and status re-read from the database
    entityChanged = Signal(int)  # span id: the entity its mention names changed
    boilerplateChanged = Signal()  # recognised (a long text), marked or unmarked, undone
    _recognised = Signal(object)  # from the thread that recognised a long text's boilerplate

    def __init__(
        self,
        service: AnnotationService,
        document: DocumentRecord,
        parent: QObject | None = None,
        registry: EntityService | None = None,
        boilerplate: BoilerplateService | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.registry = registry  # the entity registry (None: mentions are not linked here)
        service.write_wait_ms = WRITE_WAIT_MS  # the window's service: it retries, never freezes
        self.writes = EditRunner(self._set_write_wait, self)
        self.document = document
        self.spans: dict[int, SpanRecord] = {s.id: s for s in service.spans(document.id)}
        self.relations: dict[int, RelationRecord] = {
            r.id: r for r in service.relations(document.id)
        }
        self.status = service.status(document.id)
        self.entities: dict[int, EntityRecord] = {}  # mention span id -> its entity
        self._read_all_entities()
        self._boilerplate = boilerplate
        self.boilerplate: list[Range] = []
        self._recognising = False  # a long text's boilerplate is being found on a thread
        if boilerplate is not None:
            if len(document.text) <= RECOGNISE_AT_ONCE:
                self.boilerplate = boilerplate.ranges(document.id)
            else:
                self._recognised.connect(self._on_recognised)
                self._recognising = True
                text = document.text
                from annotator.core.formats.readers.boilerplate import detect_boilerplate

                threading.Thread(
                    target=lambda: self._recognised.emit(detect_boilerplate(text)), daemon=True
                ).start()

    def _read_all_entities(self) -> None:
        if self.registry is not None:
            self.entities = self.registry.entities_in(self.document.id, self.service.annotator.id)

    def _read_entities(self, span_ids: list[int]) -> None:
        if self.registry is None or not span_ids:
            return
        found = self.registry.entities_of(span_ids)
        for span_id in span_ids:
            if span_id in found:
                self.entities[span_id] = found[span_id]
            else:
                self.entities.pop(span_id, None)

    def _set_write_wait(self, ms: int) -> None:
        self.service.write_wait_ms = ms

    @property
    def schema(self) -> Schema:
        return self.service.schema

    def in_schema(self, label: str) -> bool:
        """False for a span kept from an earlier schema: shown, undoable, not editable."""
        return self.service.schema.label(label) is not None

    def reload(self) -> None:
        """Re-read everything from the database (after another desktop changed it under us)."""
        doc_id = self.document.id
        self.spans = {s.id: s for s in self.service.spans(doc_id)}
        self.relations = {r.id: r for r in self.service.relations(doc_id)}
        self._read_all_entities()
        status, self.status = self.status, self.service.status(doc_id)
        if self._boilerplate is not None and not self._recognising:  # marks made elsewhere
            self.boilerplate = self._boilerplate.ranges(doc_id)
            self.boilerplateChanged.emit()
        self.reloaded.emit()
        if status != self.status:
            self.statusChanged.emit(self.status)

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
        self.entities.pop(span_id, None)
        self.spanRemoved.emit(deleted.span)
        self.saved.emit()
        return deleted

    def create_linked_span(
        self, start: int, end: int, label: str, link_from: tuple[int, str]
    ) -> tuple[SpanRecord, RelationRecord]:
        """A span and a link from ``link_from`` (source id, relation), stored in one step."""
        span, rel = self.service.create_linked_span(self.document.id, start, end, label, link_from)
        self.spans[span.id] = span
        if self.status == "new":
            self.status = "in_progress"
            self.statusChanged.emit(self.status)
        self.spanAdded.emit(span)
        self.relations[rel.id] = rel
        self.relationAdded.emit(rel)
        self.saved.emit()
        return span, rel

    def restore_span(self, deleted: DeletedSpan) -> SpanRecord:
        span = self.service.restore_span(deleted)
        self.spans[span.id] = span
        if deleted.entity_link is not None:
            self._read_entities([span.id])
        self.spanAdded.emit(span)
        for rel in deleted.relations:
            self.relations[rel.id] = rel
            self.relationAdded.emit(rel)
        self.saved.emit()
        return span

    def adopt(self, spans: Sequence[SpanRecord], relations: Sequence[RelationRecord]) -> None:
        """Show spans and links another service has just stored in this layer (versions
        accepted into gold by curation)."""
        if spans and self.status == "new":  # the core marked the document in progress
            self.status = "in_progress"
            self.statusChanged.emit(self.status)
        self._changed(list(spans), list(relations), [], [])

    def forget(self, spans: Sequence[SpanRecord], relations: Sequence[RelationRecord]) -> None:
        """Stop showing spans and links another service has just deleted from this layer
        (the undo of accepting a suggestion)."""
        self._changed([], [], list(spans), list(relations))

    def delete_spans(self, span_ids: Sequence[int]) -> tuple[DeletedSpan, ...]:
        """Several spans and their links, in one transaction (undo of an accept)."""
        deleted = self.service.delete_spans(span_ids)
        gone = [rel for item in deleted for rel in item.relations]
        self._changed([], [], [item.span for item in deleted], gone)
        return deleted

    def restore_spans(self, deleted: Sequence[DeletedSpan]) -> None:
        self.service.restore_spans(deleted)
        back = [rel for item in deleted for rel in item.relations]
        self._changed([item.span for item in deleted], back, [], [])

    def _changed(
        self,
        added: list[SpanRecord],
        linked: list[RelationRecord],
        removed: list[SpanRecord],
        unlinked: list[RelationRecord],
    ) -> None:
        """Apply stored changes to many spans: one signal each for a few, one ``reloaded``
        for many (10,000 spans added one by one would re-highlight for seconds)."""
        for rel in unlinked:
            self.relations.pop(rel.id, None)
        for span in removed:
            self.spans.pop(span.id, None)
        for span in added:
            self.spans[span.id] = span
        for rel in linked:
            self.relations[rel.id] = rel
        if len(added) + len(removed) > BULK:
            self.reloaded.emit()
        else:
            for rel in unlinked:
                self.relationRemoved.emit(rel)
            for span in removed:
                self.spanRemoved.emit(span)
            for span in added:
                self.spanAdded.emit(span)
            for rel in linked:
                self.relationAdded.emit(rel)
        self.saved.emit()

    def update_span(self, span_id: int, **changes: Any) -> SpanRecord:
        old = self.spans[span_id]
        new = self.service.update_span(span_id, **changes)
        self.spans[span_id] = new
        self.spanChanged.emit(old, new)
        self.saved.emit()
        return new

    def restore_span_state(self, span: SpanRecord) -> SpanRecord:
        """Put a span's edges, label and values back exactly (undo or redo of an edit)."""
        old = self.spans[span.id]
        new = self.service.restore_span_state(span)
        self.spans[span.id] = new
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

    def set_relation_attribute(self, relation_id: int, name: str, value: Any) -> RelationRecord:
        """Set one value of a link (stance toward its target); None clears it."""
        return self._relation_now(self.service.set_relation_attribute(relation_id, name, value))

    def restore_relation_state(self, rel: RelationRecord) -> RelationRecord:
        """Put a link's values back exactly (undo or redo of a value)."""
        return self._relation_now(self.service.restore_relation_state(rel))

    def _relation_now(self, new: RelationRecord) -> RelationRecord:
        old = self.relations[new.id]
        self.relations[new.id] = new
        self.relationChanged.emit(old, new)
        self.saved.emit()
        return new

    def replace_link(
        self, old: list[RelationRecord], source_id: int, target_id: int, label: str
    ) -> RelationRecord:
        """Replace links by a new one in one step (a relation that allows one link only)."""
        _, rel = self.service.replace_link([r.id for r in old], source_id, target_id, label)
        self._swapped(old, [rel])
        return rel

    def swap_relations(self, remove: list[RelationRecord], restore: list[RelationRecord]) -> None:
        """Undo or redo of a replaced link, in one step."""
        self.service.swap_relations(remove, restore)
        self._swapped(remove, restore)

    def _swapped(self, removed: list[RelationRecord], added: list[RelationRecord]) -> None:
        for rel in removed:
            self.relations.pop(rel.id, None)
            self.relationRemoved.emit(rel)
        for rel in added:
            self.relations[rel.id] = rel
            self.relationAdded.emit(rel)
        self.saved.emit()

    # -- mentions and the entity registry (each change one transaction, undone exactly) --

    def link_entity(self, span_id: int, entity: str, *, new: bool = False) -> list[LinkChange]:
        """Link a mention to an entity (key or name), or to a new entity named ``entity``."""
        assert self.registry is not None
        if new:
            change = self.registry.link_new(self.service, span_id, entity)
        else:
            change = self.registry.link_mention(self.service, span_id, entity)
        self._entities_changed([change])
        return [change]

    def unlink_entity(self, span_id: int) -> list[LinkChange]:
        assert self.registry is not None
        change = self.registry.unlink_mention(self.service, span_id)
        self._entities_changed([change])
        return [change]

    def undo_entities(self, changes: list[LinkChange]) -> None:
        assert self.registry is not None
        self.registry.undo_links(changes, self.service.write_wait_ms)
        self._entities_changed(changes)

    def redo_entities(self, changes: list[LinkChange]) -> None:
        assert self.registry is not None
        self.registry.redo_links(changes, self.service.write_wait_ms)
        self._entities_changed(changes)

    def _entities_changed(self, changes: list[LinkChange]) -> None:
        ids = [c.span_id for c in changes]
        self._read_entities(ids)
        for span_id in ids:
            self.entityChanged.emit(span_id)
        self.saved.emit()

    # -- boilerplate --

    def in_boilerplate(self, span: SpanRecord) -> bool:
        """A statement (the statements export's label) inside boilerplate: flagged, since
        the site's furniture is not the story."""
        statements = self.schema.statements
        return (
            statements is not None
            and span.label == statements.label
            and boilerplate.overlapping(self.boilerplate, span.start, span.end)
        )

    def _on_recognised(self, detected: list[Range]) -> None:
        assert self._boilerplate is not None
        self._recognising = False
        self.boilerplate = self._boilerplate.adopt(self.document.id, detected)
        self.boilerplateChanged.emit()

    def boilerplate_marks(self) -> tuple[list[Range], list[Range]]:
        assert self._boilerplate is not None
        return self._boilerplate.marks(self.document.id)

    def set_boilerplate_marks(self, marked: list[Range], unmarked: list[Range]) -> None:
        assert self._boilerplate is not None
        self.boilerplate = self._boilerplate.set_marks(
            self.document.id, marked, unmarked, self.service.write_wait_ms
        )
        self.boilerplateChanged.emit()
        self.saved.emit()

    def set_status(self, status: str, *, force: bool = False) -> None:
        self.service.set_status(self.document.id, status, force=force)
        self.status = status
        self.statusChanged.emit(status)
        self.saved.emit()
