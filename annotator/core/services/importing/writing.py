"""The one short write transaction of an import: every row of checked documents, in bulk.

Documents go in with ON CONFLICT DO NOTHING, so a text another import stored meanwhile (even
one committing this very moment on PostgreSQL) becomes a merge, never a UniqueViolation. On an
existing text each annotator's work is added whole, or not at all if they already have work
there (``Merger``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Dialect, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotator.core.domain.errors import Problem
from annotator.core.domain.layers import kind_of
from annotator.core.domain.wording import counted
from annotator.core.services.entity_import import RegistryMerge, merge_entries
from annotator.core.services.importing.archive_writing import write_archived
from annotator.core.services.importing.checking import Checked, Part
from annotator.core.services.importing.report import ImportReport, duplicate_text
from annotator.core.storage.models import (
    Annotator,
    Document,
    DocumentStatus,
    MentionEntity,
    Relation,
    Span,
    utcnow,
)


def resolve_annotators(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named annotators, creating the missing ones (a racing import may too)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    now = utcnow()
    conn.execute(
        _dialect_insert(conn.dialect, Annotator).on_conflict_do_nothing(),
        [{"name": name, "kind": kind_of(name), "created_at": now} for name in wanted],
    )
    ids: dict[str, int] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        query = select(Annotator.name, Annotator.id).where(Annotator.name.in_(chunk))
        ids.update((name, ident) for name, ident in conn.execute(query))
    return ids


class Writer:
    """Inserts checked documents; spans and statuses of many documents go in batches."""

    LIMIT = 20_000

    def __init__(
        self,
        conn: Connection,
        schema_id: int,
        annotators: dict[str, int],
        report: ImportReport,
        session: Session | None = None,
    ) -> None:
        self._conn = conn
        self._session = session  # for the registry entries a native file brings
        self.registry = RegistryMerge()
        self._schema_id = schema_id
        self._annotators = annotators
        self._report = report
        dialect = conn.dialect
        self._insert_document = (
            _dialect_insert(dialect, Document).on_conflict_do_nothing().returning(Document.id)
        )
        self._span_sql = _insert_sql(
            dialect,
            Span.__tablename__,
            ("document_id", "annotator_id", "schema_id", "start", "end", "label",
             "attributes", "created_at", "updated_at"),
        )  # fmt: skip
        self._status_sql = _insert_sql(
            dialect,
            DocumentStatus.__tablename__,
            ("document_id", "annotator_id", "status", "updated_at"),
        )
        self._now_py = utcnow()
        process = Span.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._now = process(self._now_py) if process is not None else self._now_py
        self._span_rows: list[tuple[Any, ...]] = []
        self._status_rows: list[tuple[Any, ...]] = []

    def add(self, item: Checked) -> Problem | None:
        """Write one document, or merge onto the stored one with its text."""
        doc = item.doc
        doc_id = self._conn.execute(
            self._insert_document,
            {
                "key": item.key,
                "title": doc.title,
                "text": doc.text,
                "length": len(doc.text),
                "source": doc.source,
                "url": doc.url,
                "published": doc.published,
                "meta": doc.meta,
                "content_hash": item.digest,
                "created_at": self._now_py,
            },
        ).scalar_one_or_none()
        if doc_id is not None:
            for name, part in item.parts.items():
                self._write_part(doc_id, self._annotators[name], part)
            self._report.imported_ids.append(doc_id)
            return None
        existing = self._conn.execute(
            select(Document.id, Document.key)
            .where(Document.content_hash == item.digest)
            .with_for_update()
        ).first()
        if existing is None:
            return Problem(
                doc.origin,
                doc.line,
                "",
                f"document id {item.key!r} is already used by another document",
            )
        self._merge(existing.id, existing.key, item)
        return None

    def _merge(self, doc_id: int, key: str, item: Checked) -> None:
        """Each annotator's part whole if they have nothing on the document yet; else reported."""
        self.flush()  # this run's own rows must be visible to the queries below
        conn = self._conn
        held: dict[int, set[tuple[Any, ...]]] = {}
        for annotator_id, start, end, label in conn.execute(
            select(Span.annotator_id, Span.start, Span.end, Span.label).where(
                Span.document_id == doc_id
            )
        ):
            held.setdefault(annotator_id, set()).add((start, end, label))
        for (annotator_id,) in conn.execute(
            select(DocumentStatus.annotator_id).where(DocumentStatus.document_id == doc_id)
        ):
            held.setdefault(annotator_id, set())
        added = False
        for name, part in item.parts.items():
            annotator_id = self._annotators[name]
            if annotator_id not in held:
                self._write_part(doc_id, annotator_id, part)
                self._report.merged.append(
                    f"{item.where}: {name}'s {counted(len(part.spans), 'span')} added to document "
                    f"{item.key!r}"
                )
                added = True
            elif held[annotator_id] != {(s, e, lab) for s, e, lab, _, _ in part.spans}:
                self._report.not_merged.append(
                    f"{item.where}: {name}'s annotations not merged: {name} already has "
                    "different work on this text"
                )
        if not added:
            self._report.skipped.append(duplicate_text(item.where, key))

    def _write_part(self, doc_id: int, annotator_id: int, part: Part) -> None:
        if part.links or part.archived is not None or part.entities:
            ids = self._write_linked(doc_id, annotator_id, part)
            if part.entities:
                self._write_mentions(ids, annotator_id, part)
            if part.archived is not None:
                labels = [label for _, _, label, _, _ in part.spans]
                write_archived(
                    self._conn,
                    doc_id,
                    annotator_id,
                    self._schema_id,
                    part.archived,
                    (ids, labels),
                    self._now_py,
                )
        elif part.spans:
            schema_id, now = self._schema_id, self._now
            self._span_rows.extend(
                (doc_id, annotator_id, schema_id, start, end, label, stored, now, now)
                for start, end, label, _, stored in part.spans
            )
            if len(self._span_rows) >= self.LIMIT:
                self.flush()
        if part.status is not None and part.status != "new":
            self._status_rows.append((doc_id, annotator_id, part.status, self._now))
        self._report.spans += len(part.spans)
        self._report.relations += len(part.links)

    def _write_linked(self, doc_id: int, annotator_id: int, part: Part) -> list[int]:
        """Spans whose new ids the links need: inserted with RETURNING, then the links."""
        now = self._now_py
        base = {"document_id": doc_id, "annotator_id": annotator_id, "schema_id": self._schema_id}
        if not part.spans:
            return []
        ids = list(
            self._conn.scalars(
                insert(Span).returning(Span.id, sort_by_parameter_order=True),
                [
                    {**base, "start": s, "end": e, "label": lab, "attributes": attrs,
                     "created_at": now, "updated_at": now}
                    for s, e, lab, attrs, _ in part.spans
                ],
            )
        )  # fmt: skip
        if part.links:
            self._conn.execute(
                insert(Relation),
                [
                    {**base, "label": label, "source_id": ids[src], "target_id": ids[dst],
                     "attributes": values, "created_at": now}
                    for label, src, dst, values in part.links
                ],
            )  # fmt: skip
        return ids

    def _write_mentions(self, ids: list[int], annotator_id: int, part: Part) -> None:
        """The registry entries (merged into the database's by id, external id or name) and
        each mention's link to its entity."""
        assert self._session is not None, "a native import with entities needs the session"
        merge_entries(self._session, [entry for _, entry in part.entities], self.registry)
        who = next(name for name, i in self._annotators.items() if i == annotator_id)
        rows = [
            {"span_id": ids[index], "entity_id": self.registry.ids[entry.key], "linked_by": who,
             "linked_at": self._now_py}
            for index, entry in part.entities
            if entry.key in self.registry.ids
        ]  # fmt: skip
        if rows:
            self._conn.execute(insert(MentionEntity), rows)

    def flush(self) -> None:
        if self._span_rows:
            self._conn.exec_driver_sql(self._span_sql, self._span_rows)
            self._span_rows = []
        if self._status_rows:
            self._conn.exec_driver_sql(self._status_sql, self._status_rows)
            self._status_rows = []


def _dialect_insert(dialect: Dialect, model: Any) -> Any:
    """INSERT with ON CONFLICT support: both backends' own constructs."""
    module = postgresql if dialect.name == "postgresql" else sqlite
    return module.insert(model)


def _insert_sql(dialect: Dialect, table: str, columns: tuple[str, ...]) -> str:
    """Plain SQL for the driver's executemany: SQLAlchemy's per-row processing cost more than
    all the checks of a span. The rows hold converted values already."""
    assert dialect.paramstyle in ("qmark", "format", "pyformat"), dialect.paramstyle
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join([mark] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
