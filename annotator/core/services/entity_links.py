"""Mentions linked to entities: each change one transaction, returned as a ``LinkChange`` that
undo and redo replay exactly (the window makes each an undo command)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from annotator.core.domain.entities import (
    EntityRecord,
    MentionLink,
    alias_index,
    is_pronoun,
    normalise_alias,
)
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.services import entity_rows as rows
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Document,
    Entity,
    EntityAlias,
    MentionEntity,
    Span,
    utcnow,
)

if TYPE_CHECKING:
    from annotator.core.services.annotations import AnnotationService


@dataclass(frozen=True)
class LinkChange:
    """What one link, relink or unlink of a mention changed: enough to undo and redo it."""

    span_id: int
    before: MentionLink | None
    after: MentionLink | None
    alias: tuple[int, str] | None = None  # (entity id, alias) the link added
    created: EntityRecord | None = None  # the entity the link made ("a new name")


class EntityLinks:
    """The mention half of ``EntityService``."""

    _db: Database

    def entities_of(self, span_ids: Iterable[int]) -> dict[int, EntityRecord]:
        """The entity each linked mention refers to (the window shows its name)."""
        ids = list(span_ids)
        found: dict[int, EntityRecord] = {}
        with self._db.read() as s:
            for i in range(0, len(ids), 500):
                pairs = s.execute(
                    select(MentionEntity.span_id, Entity)
                    .join(Entity, Entity.id == MentionEntity.entity_id)
                    .where(MentionEntity.span_id.in_(ids[i : i + 500]))
                ).all()
                records = rows.records(s, [e for _, e in pairs])
                found.update((span_id, r) for (span_id, _), r in zip(pairs, records, strict=True))
        return found

    def entities_in(self, document_id: int, annotator_id: int) -> dict[int, EntityRecord]:
        """The entity of each linked mention of one layer of a document (opening it)."""
        with self._db.read() as s:
            pairs = s.execute(
                select(MentionEntity.span_id, Entity)
                .join(Entity, Entity.id == MentionEntity.entity_id)
                .join(Span, Span.id == MentionEntity.span_id)
                .where(Span.document_id == document_id, Span.annotator_id == annotator_id)
            ).all()
            records = rows.records(s, [e for _, e in pairs])
        return {span_id: r for (span_id, _), r in zip(pairs, records, strict=True)}

    def link_mention(self, layer: AnnotationService, span_id: int, entity: str) -> LinkChange:
        """Link a mention to an entity (key, name or alias); its text becomes an alias."""
        with guarded_write(self._db, layer.write_wait_ms) as s:
            return self._link_in(s, layer, span_id, rows.find(s, entity), None)

    def link_new(
        self, layer: AnnotationService, span_id: int, name: str, kind: str | None = None
    ) -> LinkChange:
        """Make an entity ``name`` (of type ``kind``, else the mention's label) and link the
        mention to it, in one transaction."""
        with guarded_write(self._db, layer.write_wait_ms) as s:
            span = self._mention(s, layer, span_id)
            row = rows.create(s, name, kind or span.label)
            return self._link_in(s, layer, span_id, row, rows.record(s, row))

    def unlink_mention(self, layer: AnnotationService, span_id: int) -> LinkChange:
        with guarded_write(self._db, layer.write_wait_ms) as s:
            self._mention(s, layer, span_id)
            before = link_of(s, span_id)
            if before is None:
                raise NotFoundError(f"span #{span_id} is not linked to an entity")
            s.execute(delete(MentionEntity).where(MentionEntity.span_id == span_id))
            return LinkChange(span_id, before, None)

    def prelink(self, layer: AnnotationService, document_id: int) -> list[LinkChange]:
        """Link every unlinked mention of the document whose text is the name or an alias of
        exactly one entity (pronouns never: "he" is everyone). One transaction."""
        labels = layer.schema.entity_labels
        if not labels:
            return []
        with guarded_write(self._db, layer.write_wait_ms) as s:
            text = s.scalar(select(Document.text).where(Document.id == document_id))
            if text is None:
                raise NotFoundError(f"document #{document_id} does not exist")
            linked = select(MentionEntity.span_id)
            spans = s.execute(
                select(Span.id, Span.start, Span.end).where(
                    Span.document_id == document_id,
                    Span.annotator_id == layer.annotator.id,
                    Span.label.in_(labels),
                    Span.id.not_in(linked),
                )
            ).all()
            if not spans:
                return []
            index = alias_index(rows.records(s, rows.live(s)))
            changes = []
            for span_id, start, end in spans:
                mention = text[start:end]
                found = index.get(normalise_alias(mention), [])
                if len(found) == 1 and not is_pronoun(mention):
                    entity = s.get(Entity, found[0].id)
                    assert entity is not None
                    changes.append(self._link_in(s, layer, span_id, entity, None))
            return changes

    def undo_link(self, change: LinkChange) -> None:
        """Put the mention back as it was before ``change``, in one transaction."""
        with guarded_write(self._db) as s:
            self._undo_in(s, change)

    def undo_links(self, changes: Sequence[LinkChange], wait_ms: int | None = None) -> None:
        """Undo of a prelink: every change, last first, in one transaction."""
        with guarded_write(self._db, wait_ms) as s:
            for change in reversed(changes):
                self._undo_in(s, change)

    def redo_link(self, change: LinkChange) -> None:
        with guarded_write(self._db) as s:
            self._redo_in(s, change)

    def redo_links(self, changes: Sequence[LinkChange], wait_ms: int | None = None) -> None:
        with guarded_write(self._db, wait_ms) as s:
            for change in changes:
                self._redo_in(s, change)

    # -- inside a transaction --

    def _mention(self, s: Session, layer: AnnotationService, span_id: int) -> Span:
        row = s.get(Span, span_id)
        if row is None or row.annotator_id != layer.annotator.id:
            raise NotFoundError(f"span #{span_id} does not exist (any more)")
        if row.label not in layer.schema.entity_labels:
            raise ValidationError(
                f"a {row.label} span does not name an entity (schema {layer.schema.name} marks "
                f"{', '.join(layer.schema.entity_labels) or 'no label'} with entity: true)"
            )
        return row

    def _link_in(
        self,
        s: Session,
        layer: AnnotationService,
        span_id: int,
        entity: Entity,
        created: EntityRecord | None,
    ) -> LinkChange:
        span = self._mention(s, layer, span_id)
        before = link_of(s, span_id)
        if before is not None:
            s.execute(delete(MentionEntity).where(MentionEntity.span_id == span_id))
        now = utcnow()
        who = layer.annotator.name
        s.execute(
            insert(MentionEntity).values(
                span_id=span_id, entity_id=entity.id, linked_by=who, linked_at=now
            )
        )
        full = s.scalar(select(Document.text).where(Document.id == span.document_id)) or ""
        text = full[span.start : span.end]
        added = None if not text.strip() or is_pronoun(text) else rows.add_alias(s, entity, text)
        after = MentionLink(span_id, entity.id, who, now)
        return LinkChange(span_id, before, after, (entity.id, added) if added else None, created)

    def _undo_in(self, s: Session, change: LinkChange) -> None:
        if change.after is not None:
            s.execute(
                delete(MentionEntity).where(
                    MentionEntity.span_id == change.span_id,
                    MentionEntity.entity_id == change.after.entity_id,
                )
            )
        if change.alias is not None:
            s.execute(
                delete(EntityAlias).where(
                    EntityAlias.entity_id == change.alias[0], EntityAlias.alias == change.alias[1]
                )
            )
        if change.created is not None:
            still_used = s.scalar(
                select(func.count())
                .select_from(MentionEntity)
                .where(MentionEntity.entity_id == change.created.id)
            )
            if not still_used:
                s.execute(delete(Entity).where(Entity.id == change.created.id))
        if change.before is not None:
            restore_link(s, change.before)

    def _redo_in(self, s: Session, change: LinkChange) -> None:
        created = change.created
        if created is not None and s.get(Entity, created.id) is None:
            s.execute(
                insert(Entity).values(
                    id=created.id,
                    key=created.key,
                    kind=created.kind,
                    name=created.name,
                    external_id=created.external_id,
                    note=created.note,
                    created_at=utcnow(),
                )
            )
        s.execute(delete(MentionEntity).where(MentionEntity.span_id == change.span_id))
        if change.alias is not None:
            entity = s.get(Entity, change.alias[0])
            if entity is not None:
                rows.add_alias(s, entity, change.alias[1])
        if change.after is not None:
            restore_link(s, change.after)


def link_of(s: Session, span_id: int) -> MentionLink | None:
    """The mention's link as undo needs it (also of its span's deletion)."""
    row = s.get(MentionEntity, span_id)
    if row is None:
        return None
    return MentionLink(row.span_id, row.entity_id, row.linked_by, row.linked_at)


def restore_link(s: Session, link: MentionLink) -> None:
    """Put a link back as it was; to the entity its entity was merged into since, if so. A
    link whose entity is gone (deleted by an undo) is not restored: it refers to nothing."""
    entity = s.get(Entity, link.entity_id)
    seen: set[int] = set()
    while entity is not None and entity.merged_into is not None and entity.id not in seen:
        seen.add(entity.id)
        entity = s.get(Entity, entity.merged_into)
    if entity is None or s.get(Span, link.span_id) is None:
        return
    s.execute(delete(MentionEntity).where(MentionEntity.span_id == link.span_id))
    s.execute(
        insert(MentionEntity).values(
            span_id=link.span_id,
            entity_id=entity.id,
            linked_by=link.linked_by,
            linked_at=link.linked_at,
        )
    )
