"""Writing a record's archived rows into the archive, inside the import's transaction.

An archived span keeps a span id for good (so that restoring it, and the links that refer to
it, needs no renumbering), so its id is drawn from the spans table's own counter: it goes in as
a span, its archived links as relations, and both then move to the archive before the commit.
No other transaction ever sees them live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert

from annotator.core.services.importing.archived import ArchivedPart, Ref
from annotator.core.storage.models import (
    ArchivedRelation,
    ArchivedSpan,
    ArchivedValue,
    Relation,
    Span,
)


def write_archived(
    conn: Connection,
    doc_id: int,
    annotator_id: int,
    schema_id: int,
    part: ArchivedPart,
    live: tuple[list[int], list[str]],
    now: datetime,
) -> None:
    """Archive ``part``'s rows; ``live`` holds the new ids and the labels of the part's live
    spans, which archived links and values may refer to."""
    live_ids, live_labels = live
    owner = {"document_id": doc_id, "annotator_id": annotator_id}
    span_ids: list[int] = []
    if part.spans:
        span_ids = list(
            conn.scalars(
                insert(Span).returning(Span.id, sort_by_parameter_order=True),
                [
                    {**owner, "schema_id": schema_id, "start": s, "end": e, "label": label,
                     "attributes": attrs, "created_at": now, "updated_at": now}
                    for s, e, label, attrs, _ in part.spans
                ],
            )
        )  # fmt: skip

    def span_id(ref: Ref) -> int:
        archived, index = ref
        return span_ids[index] if archived else live_ids[index]

    link_ids: list[int] = []
    if part.links:
        link_ids = list(
            conn.scalars(
                insert(Relation).returning(Relation.id, sort_by_parameter_order=True),
                [
                    {**owner, "schema_id": schema_id, "label": label, "source_id": span_id(src),
                     "target_id": span_id(dst), "created_at": now}
                    for label, src, dst, _, _ in part.links
                ],
            )
        )  # fmt: skip
        conn.execute(
            insert(ArchivedRelation),
            [
                {**owner, "id": ident, "label": label, "source_id": span_id(src),
                 "target_id": span_id(dst), "attributes": values, "created_at": now,
                 **_made(made, now)}
                for ident, (label, src, dst, made, values) in zip(
                    link_ids, part.links, strict=True
                )
            ],
        )  # fmt: skip
        conn.execute(delete(Relation).where(Relation.id.in_(link_ids)))
    if span_ids:
        conn.execute(
            insert(ArchivedSpan),
            [
                {**owner, "id": ident, "start": s, "end": e, "label": label, "attributes": attrs,
                 "created_at": now, "updated_at": now, **_made(made, now)}
                for ident, (s, e, label, attrs, made) in zip(span_ids, part.spans, strict=True)
            ],
        )  # fmt: skip
        conn.execute(delete(Span).where(Span.id.in_(span_ids)))
    if part.values:
        labels = [label for _, _, label, _, _ in part.spans]
        conn.execute(
            insert(ArchivedValue),
            [
                {**owner, "span_id": span_id(ref),
                 "label": (labels if ref[0] else live_labels)[ref[1]],
                 "attribute": name, "value": value, **_made(made, now)}
                for ref, name, value, made in part.values
            ],
        )  # fmt: skip


def _made(made: Any, now: datetime) -> dict[str, Any]:
    return {
        "schema_name": made.schema_name,
        "schema_version": made.schema_version,
        "reason": made.reason,
        "history_id": None,
        "archived_at": now,
    }
