"""Reading and writing the registry's rows inside a session: what the entity services share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.domain.entities import (
    EntityRecord,
    clean_kind,
    clean_name,
    normalise_alias,
)
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.storage.models import Entity, EntityAlias, MentionEntity, utcnow


def new_key() -> str:
    """A stable id for an entity: short enough to type, never reused, never a row id."""
    return "e-" + uuid.uuid4().hex[:12]


def aliases_of(s: Session, entity_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(entity_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    for i in range(0, len(ids), 500):
        rows = s.execute(
            select(EntityAlias.entity_id, EntityAlias.alias)
            .where(EntityAlias.entity_id.in_(ids[i : i + 500]))
            .order_by(EntityAlias.id)
        )
        for entity_id, alias in rows:
            found[entity_id].append(alias)
    return found


def records(s: Session, rows: list[Entity]) -> list[EntityRecord]:
    """Rows as records, with their aliases and the key they were merged into."""
    aliases = aliases_of(s, [r.id for r in rows])
    targets = {r.merged_into for r in rows if r.merged_into is not None}
    keys = {i: k for i, k in s.execute(select(Entity.id, Entity.key).where(Entity.id.in_(targets)))}
    return [
        EntityRecord(
            r.id,
            r.key,
            r.kind,
            r.name,
            r.external_id,
            r.note or "",
            tuple(aliases[r.id]),
            keys.get(r.merged_into) if r.merged_into is not None else None,
        )
        for r in rows
    ]


def record(s: Session, row: Entity) -> EntityRecord:
    return records(s, [row])[0]


def live(s: Session) -> list[Entity]:
    """Every entity not merged into another, by type and name."""
    return list(
        s.scalars(
            select(Entity).where(Entity.merged_into.is_(None)).order_by(Entity.kind, Entity.name)
        )
    )


def find(s: Session, ref: str) -> Entity:
    """An entity by its key, its external id, or its name or an alias when only one has it.

    A merged entity's key leads to the entity it was merged into (links in old exports and
    notes still find it).
    """
    text = ref.strip()
    row = s.scalar(select(Entity).where(Entity.key == text))
    if row is None and text.startswith("#") and text[1:].isdigit():
        row = s.get(Entity, int(text[1:]))
    if row is None:
        matches = list(s.scalars(select(Entity).where(Entity.external_id == text)))
        matches = matches or list(
            s.scalars(select(Entity).where(func.lower(Entity.name) == text.lower()))
        )
        if not matches:
            norm = normalise_alias(text)
            ids = {
                entity_id
                for entity_id, alias in s.execute(select(EntityAlias.entity_id, EntityAlias.alias))
                if normalise_alias(alias) == norm
            }
            matches = list(s.scalars(select(Entity).where(Entity.id.in_(ids)).order_by(Entity.id)))
        live_matches = [m for m in matches if m.merged_into is None] or matches
        if len(live_matches) > 1:
            listed = ", ".join(f"{m.key} ({m.kind} {m.name})" for m in live_matches[:5])
            raise ValidationError(f"{ref!r} names several entities: {listed}; give its id")
        row = live_matches[0] if live_matches else None
    if row is None:
        raise NotFoundError(f"no entity {ref!r} (see `annotator entities list`)")
    seen = {row.id}
    while row.merged_into is not None and row.merged_into not in seen:
        into = s.get(Entity, row.merged_into)
        if into is None:
            break
        row = into
        seen.add(row.id)
    return row


def check_free_name(s: Session, kind: str, name: str, exclude: int | None = None) -> None:
    query = select(Entity.key).where(Entity.kind == kind, Entity.name == name)
    if exclude is not None:
        query = query.where(Entity.id != exclude)
    taken = s.scalar(query)
    if taken is not None:
        raise ValidationError(f"there is already a {kind} entity called {name!r} ({taken})")


def create(
    s: Session,
    name: str,
    kind: str,
    *,
    external_id: str | None = None,
    note: str = "",
    key: str | None = None,
) -> Entity:
    name, kind = clean_name(name), clean_kind(kind)
    check_free_name(s, kind, name)
    row = Entity(
        key=key or new_key(),
        kind=kind,
        name=name,
        external_id=(external_id or "").strip() or None,
        note=note,
        created_at=utcnow(),
    )
    s.add(row)
    s.flush()
    return row


def add_alias(s: Session, entity: Entity, alias: str) -> str | None:
    """Add ``alias`` unless the entity already has it (compared normalised); returns what was
    added, or None."""
    alias = clean_name(alias, "alias")
    norm = normalise_alias(alias)
    if norm == normalise_alias(entity.name):
        return None
    if any(normalise_alias(a) == norm for a in aliases_of(s, [entity.id])[entity.id]):
        return None
    s.add(EntityAlias(entity_id=entity.id, alias=alias, created_at=utcnow()))
    s.flush()
    return alias


def mention_counts(s: Session) -> dict[int, int]:
    """Mentions linked to each entity: the type-ahead lists the most used first."""
    rows = s.execute(
        select(MentionEntity.entity_id, func.count()).group_by(MentionEntity.entity_id)
    )
    return {entity_id: count for entity_id, count in rows}


def recent_order(s: Session, limit: int = 50) -> dict[int, int]:
    """The entities linked most recently (entity id -> 0 for the latest, 1, ...): what an
    annotator just linked is what the next mention most likely names."""
    rows = s.execute(
        select(MentionEntity.entity_id, func.max(MentionEntity.linked_at).label("last"))
        .group_by(MentionEntity.entity_id)
        .order_by(func.max(MentionEntity.linked_at).desc())
        .limit(limit)
    )
    return {entity_id: n for n, (entity_id, _) in enumerate(rows)}
