"""A mention's entity link across a schema change: an archived span keeps the entity it named
(the link itself goes with the span row), and gets its link back when the span comes back."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, insert, select, update

from annotator.core.storage.models import ArchivedSpan, Entity, MentionEntity, utcnow

CHUNK = 500
WHO = "schema change"  # who linked a mention brought back from the archive


def links_of(conn: Connection, span_ids: Sequence[int]) -> dict[int, int]:
    """span id -> entity id of the mentions about to be archived."""
    found: dict[int, int] = {}
    ids = list(span_ids)
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(MentionEntity.span_id, MentionEntity.entity_id).where(
                MentionEntity.span_id.in_(ids[i : i + CHUNK])
            )
        )
        found.update((span_id, entity_id) for span_id, entity_id in rows)
    return found


def keep_in_archive(conn: Connection, links: dict[int, int]) -> None:
    """Note on each archived span the entity its mention named."""
    if links:
        conn.execute(
            update(ArchivedSpan)
            .where(ArchivedSpan.id == bindparam("b_id"))
            .values(entity_id=bindparam("b_entity")),
            [{"b_id": span_id, "b_entity": entity_id} for span_id, entity_id in links.items()],
        )


def archived_links(conn: Connection, span_ids: Sequence[int]) -> dict[int, int]:
    """span id -> entity id of archived spans about to come back."""
    found: dict[int, int] = {}
    ids = list(span_ids)
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(ArchivedSpan.id, ArchivedSpan.entity_id).where(
                ArchivedSpan.id.in_(ids[i : i + CHUNK]), ArchivedSpan.entity_id.is_not(None)
            )
        )
        found.update((span_id, entity_id) for span_id, entity_id in rows if entity_id is not None)
    return found


def relink(conn: Connection, links: dict[int, int]) -> None:
    """The restored spans' links, as they were when archived (to the entity it went into, for
    one merged since)."""
    if links:
        into: dict[int, int] = {
            entity_id: target
            for entity_id, target in conn.execute(select(Entity.id, Entity.merged_into))
            if target is not None
        }
        for span_id, entity_id in links.items():
            seen = {entity_id}
            while entity_id in into and into[entity_id] not in seen:
                entity_id = into[entity_id]
                seen.add(entity_id)
            links[span_id] = entity_id
        now = utcnow()
        conn.execute(
            insert(MentionEntity),
            [
                {"span_id": span_id, "entity_id": entity_id, "linked_by": WHO, "linked_at": now}
                for span_id, entity_id in links.items()
            ],
        )
