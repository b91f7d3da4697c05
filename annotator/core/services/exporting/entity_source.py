"""The entity registry as an export reads it: every entity once, and each document's linked
mentions beside its spans (a cursor ordered like the others, so memory holds one document)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Select, select

from annotator.core.domain.entities import EntityRecord
from annotator.core.storage.models import Entity, EntityAlias, MentionEntity, Span


def registry(conn: Connection) -> dict[int, EntityRecord]:
    """Every entity by row id, with its aliases (a registry is thousands, not millions)."""
    aliases: dict[int, list[str]] = {}
    for entity_id, alias in conn.execute(
        select(EntityAlias.entity_id, EntityAlias.alias).order_by(EntityAlias.id)
    ):
        aliases.setdefault(entity_id, []).append(alias)
    rows = conn.execute(
        select(
            Entity.id,
            Entity.key,
            Entity.kind,
            Entity.name,
            Entity.external_id,
            Entity.note,
            Entity.merged_into,
        )
    ).all()
    keys = {r.id: r.key for r in rows}
    return {
        r.id: EntityRecord(
            r.id,
            r.key,
            r.kind,
            r.name,
            r.external_id,
            r.note or "",
            tuple(aliases.get(r.id, ())),
            keys.get(r.merged_into) if r.merged_into is not None else None,
        )
        for r in rows
    }


def mention_rows(rows: Callable[[Select, str], Any]) -> Any:  # type: ignore[type-arg]
    """(document id, span id, entity id) of every linked mention, by document."""
    query = (
        select(Span.document_id, MentionEntity.span_id, MentionEntity.entity_id)
        .join(Span, Span.id == MentionEntity.span_id)
        .order_by(Span.document_id, MentionEntity.span_id)
    )
    return rows(query, "mention_entities")
