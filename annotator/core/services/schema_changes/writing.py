"""Writing a planned schema change inside the caller's transaction: restores first, then the
renames, then what goes to the archive (links before their spans, which they reference).

Archived rows keep their ids, times and values; they move between the live tables and the
archive with INSERT ... SELECT, so nothing is rebuilt from what Python read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, literal, select, update

from annotator.core.services.schema_changes import entity_keeping
from annotator.core.storage.models import (
    ArchivedRelation,
    ArchivedSpan,
    ArchivedValue,
    Relation,
    Span,
    StoredSchema,
)

CHUNK = 500


@dataclass
class CorpusPlan:
    """Every document's plan gathered for one write (ids are row ids)."""

    updates: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    archive_spans: list[tuple[int, str]] = field(default_factory=list)
    archive_links: list[tuple[int, str]] = field(default_factory=list)
    relabel_links: list[tuple[int, str]] = field(default_factory=list)
    link_values: dict[int, dict[str, Any]] = field(default_factory=dict)
    archive_values: list[tuple[int, int, str, Any, str]] = field(default_factory=list)
    restore_spans: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    restore_links: list[tuple[int, str]] = field(default_factory=list)
    restore_values: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


class PlanWriter:
    """Writes one ``CorpusPlan`` as the change to ``schema_id`` recorded as ``history_id``."""

    def __init__(self, conn: Connection, schema_id: int, history_id: int, now: datetime) -> None:
        self.conn = conn
        self.schema_id = schema_id
        self.history_id = history_id
        self.now = now
        rows = conn.execute(select(StoredSchema.id, StoredSchema.name, StoredSchema.version))
        self.schemas = {(name, version): ident for ident, name, version in rows}

    def write(self, plan: CorpusPlan) -> None:
        coming_back = entity_keeping.archived_links(
            self.conn, [i for i, _, _ in plan.restore_spans]
        )
        self._restore_spans(plan.restore_spans)
        entity_keeping.relink(self.conn, coming_back)
        self._restore_links(plan.restore_links)
        self._update_spans(plan.updates)
        if plan.relabel_links:
            self.conn.execute(
                update(Relation)
                .where(Relation.id == bindparam("b_id"))
                .values(label=bindparam("b_label"), schema_id=self.schema_id),
                [{"b_id": i, "b_label": label} for i, label in plan.relabel_links],
            )
        self._update_links(plan.link_values)
        self._archive_values(plan.archive_values)
        for chunk in _chunks(plan.restore_values):
            self.conn.execute(delete(ArchivedValue).where(ArchivedValue.id.in_(chunk)))
        self._archive(Relation, ArchivedRelation, plan.archive_links)
        going = entity_keeping.links_of(self.conn, [i for i, _ in plan.archive_spans])
        self._archive(Span, ArchivedSpan, plan.archive_spans)
        entity_keeping.keep_in_archive(self.conn, going)

    # -- back from the archive --

    def _restore_spans(self, restores: list[tuple[int, str, dict[str, Any]]]) -> None:
        wanted = {ident: (label, attrs) for ident, label, attrs in restores}
        for chunk in _chunks(list(wanted)):
            rows = self.conn.execute(select(ArchivedSpan).where(ArchivedSpan.id.in_(chunk)))
            values = []
            for row in rows.mappings():
                label, attrs = wanted[row["id"]]
                same = (label, attrs) == (row["label"], row["attributes"])
                made_under = self.schemas.get((row["schema_name"], row["schema_version"]))
                values.append(
                    {
                        **{
                            k: row[k] for k in ("id", "document_id", "annotator_id", "start", "end")
                        },
                        "schema_id": made_under if same and made_under else self.schema_id,
                        "label": label,
                        "attributes": attrs,
                        "created_at": row["created_at"],
                        "updated_at": row["updated_at"] if same else self.now,
                    }
                )
            self.conn.execute(insert(Span), values)
            self.conn.execute(delete(ArchivedSpan).where(ArchivedSpan.id.in_(chunk)))

    def _restore_links(self, restores: list[tuple[int, str]]) -> None:
        wanted = dict(restores)
        for chunk in _chunks(list(wanted)):
            rows = self.conn.execute(
                select(ArchivedRelation).where(ArchivedRelation.id.in_(chunk))
            ).mappings()
            values = []
            for row in rows:
                same = wanted[row["id"]] == row["label"]
                made_under = self.schemas.get((row["schema_name"], row["schema_version"]))
                values.append(
                    {
                        **{
                            k: row[k]
                            for k in ("id", "document_id", "annotator_id", "source_id", "target_id")
                        },
                        "schema_id": made_under if same and made_under else self.schema_id,
                        "label": wanted[row["id"]],
                        "attributes": row["attributes"],
                        "created_at": row["created_at"],
                    }
                )
            self.conn.execute(insert(Relation), values)
            self.conn.execute(delete(ArchivedRelation).where(ArchivedRelation.id.in_(chunk)))

    # -- changed in place --

    def _update_spans(self, updates: dict[int, tuple[str, dict[str, Any]]]) -> None:
        if not updates:
            return
        self.conn.execute(
            update(Span)
            .where(Span.id == bindparam("b_id"))
            .values(
                label=bindparam("b_label"),
                attributes=bindparam("b_attributes", type_=Span.__table__.c.attributes.type),
                schema_id=self.schema_id,
                updated_at=self.now,
            ),
            [
                {"b_id": i, "b_label": label, "b_attributes": attrs}
                for i, (label, attrs) in updates.items()
            ],
        )

    def _update_links(self, values: dict[int, dict[str, Any]]) -> None:
        """Links whose values the steps renamed, merged or mapped (live or just restored)."""
        if not values:
            return
        self.conn.execute(
            update(Relation)
            .where(Relation.id == bindparam("b_id"))
            .values(
                attributes=bindparam("b_attributes", type_=Relation.__table__.c.attributes.type),
                schema_id=self.schema_id,
            ),
            [{"b_id": i, "b_attributes": attrs} for i, attrs in values.items()],
        )

    # -- into the archive --

    def _archive_values(self, values: list[tuple[int, int, str, Any, str]]) -> None:
        """(span id, document id, attribute, value, reason): the span's label, owner and
        schema are read from its row (restored or live, it is in ``spans`` by now)."""
        for chunk in _chunks(values):
            ids = {span_id for span_id, *_ in chunk}
            spans = {
                row.id: row
                for row in self.conn.execute(
                    select(
                        Span.id,
                        Span.annotator_id,
                        Span.label,
                        StoredSchema.name,
                        StoredSchema.version,
                    )
                    .join(StoredSchema, StoredSchema.id == Span.schema_id)
                    .where(Span.id.in_(ids))
                )
            }
            self.conn.execute(
                insert(ArchivedValue),
                [
                    {
                        "span_id": span_id,
                        "document_id": doc_id,
                        "annotator_id": spans[span_id].annotator_id,
                        "label": spans[span_id].label,
                        "attribute": name,
                        "value": value,
                        "schema_name": spans[span_id].name,
                        "schema_version": spans[span_id].version,
                        "reason": reason,
                        "history_id": self.history_id,
                        "archived_at": self.now,
                    }
                    for span_id, doc_id, name, value, reason in chunk
                ],
            )

    def _archive(
        self,
        live: type[Span] | type[Relation],
        archive: type[ArchivedSpan] | type[ArchivedRelation],
        rows: list[tuple[int, str]],
    ) -> None:
        by_reason: dict[str, list[int]] = {}
        for ident, reason in rows:
            by_reason.setdefault(reason, []).append(ident)
        kept = [c.name for c in archive.__table__.columns if c.name in live.__table__.columns]
        for reason, ids in by_reason.items():
            for chunk in _chunks(ids):
                source = (
                    select(
                        *(live.__table__.c[name] for name in kept),
                        StoredSchema.name,
                        StoredSchema.version,
                        literal(reason),
                        literal(self.history_id),
                        literal(self.now, type_=archive.__table__.c.archived_at.type),
                    )
                    .join(StoredSchema, StoredSchema.id == live.__table__.c.schema_id)
                    .where(live.__table__.c.id.in_(chunk))
                )
                columns = [*kept, "schema_name", "schema_version", "reason", "history_id"]
                self.conn.execute(insert(archive).from_select([*columns, "archived_at"], source))
                self.conn.execute(delete(live).where(live.__table__.c.id.in_(chunk)))
