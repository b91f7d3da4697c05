"""Streaming a corpus out of the database, one document with its annotations at a time.

Four ordered cursors (documents, statuses, spans, links) are merged by document id, so memory
holds one document at a time however large the corpus, and the database is scanned once, inside
one read transaction so that every file of an export shows the same moment.

Two levels: ``stream_raw`` hands out database rows with JSON columns left as text (the native
export embeds them as they are, which is what keeps it near the speed of a bare scan), and
``stream_documents`` turns those into ``ExportDocument`` objects for every other format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, Text, cast, func, select

from annotator.core.domain.errors import ExportCancelled, ExportError
from annotator.core.domain.integrity import check_span_rows, check_text
from annotator.core.domain.layers import PERSON
from annotator.core.domain.progress import Progress
from annotator.core.formats.writers.documents import (
    ArchivedRows,
    ExportDocument,
    RawDocument,
    to_document,
)
from annotator.core.services.exporting.entity_source import mention_rows, registry
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    ArchivedRelation,
    ArchivedSpan,
    ArchivedValue,
    Document,
    DocumentStatus,
    Relation,
    Span,
)

BATCH = 2000


@dataclass(frozen=True)
class ExportFilter:
    """Which annotations go out. Empty tuples mean "all".

    ``annotators`` names layers: people, or "gold" / "suggestions". Left empty, an export
    takes every person's work, and every layer only when ``all_layers`` is set (the native
    export, a backup, keeps gold and suggestions too; a training set never gets suggestions
    unless it asks for them by name).
    """

    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    all_layers: bool = False


def selected_layers(conn: Connection, flt: ExportFilter) -> dict[int, tuple[str, str]]:
    """The layers (id -> name, kind) an export reads; refuses a name the database lacks."""
    found = {
        row.id: (row.name, row.kind)
        for row in conn.execute(select(Annotator.id, Annotator.name, Annotator.kind))
    }
    names = {name for name, _ in found.values()}
    missing = set(flt.annotators) - names
    if missing:
        raise ExportError(f"no annotator called {', '.join(sorted(missing))} in this database")
    if flt.annotators:
        return {i: v for i, v in found.items() if v[0] in flt.annotators}
    return {i: v for i, v in found.items() if flt.all_layers or v[1] == PERSON}


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A connection inside one read transaction: every query on it sees the same moment."""
    with db.engine.connect() as conn:
        if not db.is_sqlite:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


class RawRows:
    """A query's rows as plain tuples straight from the driver, fetched in batches.

    SQLAlchemy compiles the query; rows then skip its per-row result machinery, which costs as
    much as the scan itself on a million spans. Only ints and text are selected (JSON columns
    cast to text), so no type processing is lost. On PostgreSQL the cursor is server-side.
    """

    def __init__(self, conn: Connection, query: Select, name: str) -> None:  # type: ignore[type-arg]
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params: Any = (
            tuple(compiled.params[k] for k in compiled.positiontup or ())
            if compiled.positional
            else compiled.params
        )
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        self._cursor: Any
        if conn.dialect.name == "sqlite":
            self._cursor = dbapi.cursor()
        else:
            self._cursor = dbapi.cursor(name=f"annotator_export_{name}")
            self._cursor.itersize = BATCH
        self._cursor.execute(str(compiled), params)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        # The driver's own iterator: sqlite3 steps in C, psycopg's named cursor fetches
        # ``itersize`` rows a round trip; no Python frame per row.
        return iter(self._cursor)

    def close(self) -> None:
        self._cursor.close()


class Groups:
    """An ordered cursor's rows, handed out one document's group at a time."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._groups = groupby(rows, itemgetter(0))
        self._next = next(self._groups, None)

    def take(self, doc_id: int) -> list[Any]:
        current = self._next
        while current is not None and current[0] < doc_id:
            current = next(self._groups, None)
        if current is None or current[0] != doc_id:
            self._next = current
            return []
        rows = list(current[1])
        self._next = next(self._groups, None)
        return rows


class ArchiveGroups:
    """The archive tables' rows, one document at a time, for the layers an export keeps."""

    def __init__(self, rows: Any, labels: tuple[str, ...]) -> None:
        spans = select(
            ArchivedSpan.document_id,
            ArchivedSpan.id,
            ArchivedSpan.annotator_id,
            ArchivedSpan.start,
            ArchivedSpan.end,
            ArchivedSpan.label,
            _json_text(ArchivedSpan.attributes),
            ArchivedSpan.schema_name,
            ArchivedSpan.schema_version,
            ArchivedSpan.reason,
        ).order_by(ArchivedSpan.document_id, ArchivedSpan.id)
        values = select(
            ArchivedValue.document_id,
            ArchivedValue.span_id,
            ArchivedValue.annotator_id,
            ArchivedValue.attribute,
            _json_text(ArchivedValue.value),
            ArchivedValue.schema_name,
            ArchivedValue.schema_version,
            ArchivedValue.reason,
        ).order_by(ArchivedValue.document_id, ArchivedValue.id)
        if labels:
            spans = spans.where(ArchivedSpan.label.in_(labels))
            values = values.where(ArchivedValue.label.in_(labels))
        links = select(
            ArchivedRelation.document_id,
            ArchivedRelation.id,
            ArchivedRelation.annotator_id,
            ArchivedRelation.label,
            ArchivedRelation.source_id,
            ArchivedRelation.target_id,
            ArchivedRelation.schema_name,
            ArchivedRelation.schema_version,
            ArchivedRelation.reason,
            _json_text(ArchivedRelation.attributes),
        ).order_by(ArchivedRelation.document_id, ArchivedRelation.id)
        self._spans = Groups(rows(spans, "archived_spans"))
        self._links = Groups(rows(links, "archived_links"))
        self._values = Groups(rows(values, "archived_values"))

    def take(self, doc_id: int, keep: frozenset[int]) -> ArchivedRows | None:
        found = ArchivedRows(
            [r[1:] for r in self._spans.take(doc_id) if r[2] in keep],
            [r[1:] for r in self._links.take(doc_id) if r[2] in keep],
            [r[1:] for r in self._values.take(doc_id) if r[2] in keep],
        )
        return found if found else None


def _json_text(column: Any) -> Any:
    # The text as stored: no per-row parsing, the same on SQLite and PostgreSQL.
    return cast(column, Text)


def stream_raw(
    conn: Connection,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
    *,
    with_text: bool = True,
    with_spans: bool = True,
    with_relations: bool = True,
    with_archived: bool = False,
) -> Iterator[RawDocument]:
    """Documents in id order with the annotations the filter keeps, checked for integrity.

    With ``with_text=False`` texts are left out (as "") and nothing is checked: for a quick
    first pass that only needs keys and labels, such as choosing splits. ``with_archived``
    (the native export) adds what schema changes archived, as ``RawDocument.archived``.
    """
    flt = flt or ExportFilter()
    names = {row.id: row.name for row in conn.execute(select(Annotator.id, Annotator.name))}
    wanted = frozenset(selected_layers(conn, flt))
    by_name = sorted(names, key=lambda i: names[i])
    rank = {a: n for n, a in enumerate(by_name)}
    # Rows come ordered by annotator id; re-sort by name only where ids are not in name order.
    resort = by_name != sorted(names)
    doc_count = conn.execute(select(func.count()).select_from(Document)).scalar() or 0

    # Server-side cursors (PostgreSQL) must be closed even when a group is left unread.
    opened: list[RawRows] = []

    def rows(query: Select, name: str) -> RawRows:  # type: ignore[type-arg]
        result = RawRows(conn, query, name)
        opened.append(result)
        return result

    try:
        doc_cols: list[Any] = [Document.id, Document.key]
        if with_text:
            doc_cols += [
                Document.title,
                Document.text,
                Document.source,
                Document.url,
                Document.published,
                _json_text(Document.meta),
                Document.content_hash,
            ]
        docs = rows(select(*doc_cols).order_by(Document.id), "documents")
        statuses = Groups(
            rows(
                select(
                    DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status
                ).order_by(DocumentStatus.document_id, DocumentStatus.annotator_id),
                "statuses",
            )
        )
        spans: Groups | None = None
        if with_spans:
            span_q = select(
                Span.document_id,
                Span.id,
                Span.annotator_id,
                Span.start,
                Span.end,
                Span.label,
                _json_text(Span.attributes),
            ).order_by(
                Span.document_id, Span.annotator_id, Span.start, Span.end, Span.label, Span.id
            )
            if flt.labels:
                span_q = span_q.where(Span.label.in_(flt.labels))
            spans = Groups(rows(span_q, "spans"))
        rels: Groups | None = None
        if with_spans and with_relations:
            rels = Groups(
                rows(
                    select(
                        Relation.document_id,
                        Relation.id,
                        Relation.annotator_id,
                        Relation.label,
                        Relation.source_id,
                        Relation.target_id,
                        _json_text(Relation.attributes),
                    ).order_by(Relation.document_id, Relation.id),
                    "relations",
                )
            )

        archive = ArchiveGroups(rows, flt.labels) if with_archived and with_spans else None
        entities = registry(conn) if with_spans else {}
        mentions = Groups(mention_rows(rows)) if entities else None
        done = 0
        for d in docs:
            done += 1
            if progress is not None and progress(done, doc_count) is False:
                raise ExportCancelled("export cancelled; no file was written")
            doc_id = d[0]
            by = {row[1]: row[2] for row in statuses.take(doc_id)}
            if flt.statuses:
                keep = frozenset(a for a in wanted if by.get(a, "new") in flt.statuses)
                if not keep:
                    continue
            else:
                keep = wanted
            span_rows: list[Any] = []
            rel_rows: list[Any] = []
            if spans is not None:
                span_rows = spans.take(doc_id)
                subset = len(keep) != len(names)
                if subset:
                    span_rows = [r for r in span_rows if r[2] in keep]
                if resort and span_rows:
                    span_rows.sort(key=lambda r: rank[r[2]])
                if rels is not None:
                    rel_rows = rels.take(doc_id)
                    if rel_rows and (subset or flt.labels):
                        ids = {r[1] for r in span_rows}
                        rel_rows = [
                            r for r in rel_rows if r[2] in keep and r[4] in ids and r[5] in ids
                        ]
            status = {names[a]: by[a] for a in by_name if a in by and a in keep}
            if not with_text:
                yield RawDocument(
                    doc_id,
                    d[1],
                    "",
                    "",
                    None,
                    None,
                    None,
                    None,
                    "",
                    status,
                    span_rows,
                    rel_rows,
                    names,
                )
                continue
            _, key, title, text, source, url, published, meta, digest = d
            check_text(key, text, digest)
            check_span_rows(key, text, span_rows)
            archived = archive.take(doc_id, keep) if archive is not None else None
            linked: dict[int, Any] = {}
            if mentions is not None and span_rows:
                kept = {r[1] for r in span_rows}
                linked = {r[1]: entities[r[2]] for r in mentions.take(doc_id) if r[1] in kept}
            if archived is not None:
                check_span_rows(key, text, [(0, *r[:6]) for r in archived.spans])
            yield RawDocument(
                doc_id,
                key,
                title,
                text,
                source,
                url,
                published,
                meta,
                digest,
                status,
                span_rows,
                rel_rows,
                names,
                archived,
                linked,
            )
    finally:
        for result in opened:
            result.close()


def documents_from(
    conn: Connection, flt: ExportFilter | None = None, progress: Progress | None = None
) -> Iterator[ExportDocument]:
    for raw in stream_raw(conn, flt, progress):
        yield to_document(raw)


def stream_documents(
    db: Database, flt: ExportFilter | None = None, progress: Progress | None = None
) -> Iterator[ExportDocument]:
    """Documents in id order with the annotations the filter keeps, each checked for integrity."""
    with snapshot(db) as conn:
        yield from documents_from(conn, flt, progress)
