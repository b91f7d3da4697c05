"""Importing documents (and their annotations) as one all-or-nothing transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, insert, or_, select
from sqlalchemy.orm import Session

from annotator.core.domain import rules
from annotator.core.domain.errors import AnnotatorError, ImportRejected, Problem, ValidationError
from annotator.core.domain.records import SchemaRef
from annotator.core.domain.schema import Schema
from annotator.core.domain.text import content_hash
from annotator.core.formats.readers import (
    ParsedDocument,
    ReadProblem,
    Skipped,
    detect_format,
    read_doccano,
    read_html,
    read_jsonl,
    read_prodigy,
    read_txt,
    sniff_jsonl_layout,
)
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Document,
    DocumentStatus,
    Relation,
    Span,
    utcnow,
)

__all__ = ["ImportBatch", "ImportCancelled", "ImportReport", "ParsedDocument", "import_paths"]

Progress = Callable[[int, int], bool | None]
"""Called with (done, total); returning False cancels the import."""


class ImportCancelled(AnnotatorError):
    """The user cancelled; nothing was imported."""


@dataclass
class ImportReport:
    imported_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    spans: int = 0
    relations: int = 0

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.rejected]

    def summary(self) -> str:
        return (
            f"imported {len(self.imported_ids)} document(s) with {self.spans} span(s) and "
            f"{self.relations} link(s); skipped {len(self.skipped)} duplicate(s); "
            f"rejected {len(self.rejected)}"
        )


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every importable file under the given files and folders, with a key for each."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if detect_format(file) is not None and not file.name.startswith("."):
                    yield file, file.relative_to(path).with_suffix("").as_posix()
        else:
            yield path, path.with_suffix("").name


def read_paths(
    paths: Iterable[Path], fmt: str | None = None, encoding: str | None = None
) -> Iterator[ParsedDocument | Problem | Skipped]:
    """Parse every file; yield documents, or a ``Problem`` for each file that cannot be read."""
    for file, key in iter_files(paths):
        kind = fmt or detect_format(file)
        if fmt is None and kind == "jsonl":
            kind = sniff_jsonl_layout(file)
        try:
            if not file.exists():
                yield Problem(str(file), None, "", "no such file")
            elif kind == "txt":
                yield read_txt(file, key, encoding)
            elif kind == "html":
                yield read_html(file, key, encoding)
            elif kind in ("jsonl", "native"):
                yield from read_jsonl(file, encoding)
            elif kind == "doccano":
                yield from read_doccano(file, encoding)
            elif kind == "prodigy":
                yield from read_prodigy(file, encoding)
            else:
                yield Problem(
                    str(file),
                    None,
                    "",
                    "unknown file type (use .txt, .html or .jsonl, or give --format)",
                )
        except ReadProblem as exc:
            yield exc.problem
        except OSError as exc:
            yield Problem(str(file), None, "", f"cannot read: {exc.strerror}")


class ImportBatch:
    """Validates everything first, then writes it all in one transaction, or nothing."""

    def __init__(
        self,
        db: Database,
        schema: Schema | None = None,
        schema_ref: SchemaRef | None = None,
        annotator: str | None = None,
        skip_bad: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self._db = db
        self._schema = schema
        self._schema_ref = schema_ref
        self._annotator = annotator
        self._skip_bad = skip_bad
        self._progress = progress
        self._labels = {lab.name: lab for lab in schema.labels} if schema is not None else {}
        self._attr_cache: dict[Any, tuple[dict[str, Any], Any]] = {}
        self._to_json: Callable[[Any], Any] | None = None
        self._bulk: _BulkWriter | None = None

    def run(
        self, items: Iterable[ParsedDocument | Problem | Skipped], total: int = 0
    ) -> ImportReport:
        report = ImportReport()
        with self._db.write() as s:
            known_hashes: set[str] = set()
            known_keys: set[str] = set()
            annotators: dict[str, int] = {}
            done = 0
            for item in items:
                done += 1
                if self._progress is not None and self._progress(done, total) is False:
                    raise ImportCancelled("import cancelled; nothing was imported")
                if isinstance(item, Problem):
                    report.rejected.append(item)
                    continue
                if isinstance(item, Skipped):
                    report.skipped.append(str(item))
                    continue
                try:
                    self._add(s, item, report, known_hashes, known_keys, annotators)
                except ValidationError as exc:
                    report.rejected.append(Problem(item.origin, item.line, "", str(exc)))
                except _Duplicate as exc:
                    report.skipped.append(str(exc))
            if report.rejected and not self._skip_bad:
                s.rollback()
                raise ImportRejected(
                    report.rejected,
                    f"import refused, nothing was imported ({len(report.rejected)} problem(s)):",
                )
            if self._bulk is not None:
                self._bulk.flush()
        return report

    def _add(
        self,
        s: Session,
        doc: ParsedDocument,
        report: ImportReport,
        known_hashes: set[str],
        known_keys: set[str],
        annotators: dict[str, int],
    ) -> None:
        """Check one document completely, then write it; a refused one writes nothing."""
        digest = content_hash(doc.text)
        key = doc.key or digest[:16]
        where = f"{doc.origin}:{doc.line}" if doc.line else doc.origin
        if digest in known_hashes:
            raise _Duplicate(f"{where}: same text as a document already imported")
        _check_storable(doc, key)  # before any query: PostgreSQL refuses NUL even there
        conn = s.connection()
        clash = conn.execute(_CLASH, {"h": digest, "k": key}).all()
        if any(row.content_hash == digest for row in clash):
            raise _Duplicate(f"{where}: same text as a document already imported")
        if key in known_keys or clash:
            raise ValidationError(f"document id {key!r} is already used by another document")
        spans, rel_rows = self._check_annotations(s, doc, annotators)
        status = dict(doc.status)
        if not status:
            # Pre-annotated work has begun: show it as in progress, as a first edit would.
            owners = {span[0] for span in spans}
            status = {name: "in_progress" for name, i in annotators.items() if i in owners}
        status_rows = []
        for name, value in status.items():
            rules.check_status(value)
            status_rows.append((self._annotator_id(s, name, annotators), value))
        now = utcnow()
        doc_id = conn.execute(
            _INSERT_DOCUMENT,
            {
                "key": key,
                "title": doc.title,
                "text": doc.text,
                "length": len(doc.text),
                "source": doc.source,
                "url": doc.url,
                "published": doc.published,
                "meta": doc.meta,
                "content_hash": digest,
                "created_at": now,
            },
        ).scalar_one()
        known_hashes.add(digest)
        known_keys.add(key)
        writer = self._writer(conn)
        if rel_rows:
            self._write_linked(conn, doc_id, spans, rel_rows, now)
        else:
            writer.spans(doc_id, spans)
        writer.statuses(doc_id, status_rows)
        report.imported_ids.append(doc_id)
        report.spans += len(spans)
        report.relations += len(rel_rows)

    def _writer(self, conn: Connection) -> _BulkWriter:
        if self._bulk is None:
            schema_id = self._schema_ref.id if self._schema_ref is not None else 0
            self._bulk = _BulkWriter(conn, schema_id)
        return self._bulk

    def _check_annotations(
        self, s: Session, doc: ParsedDocument, annotators: dict[str, int]
    ) -> tuple[list[_SpanRow], list[dict[str, Any]]]:
        """Every span and link checked against the schema and the text, before any is written.

        Returns spans as (annotator id, start, end, label, attributes, their column value).
        This runs for every pre-annotated span of an import, so the common case is kept to dict
        lookups; anything unusual goes through ``rules`` for its exact message.
        """
        if not doc.spans and not doc.relations:
            return [], []
        schema = self._schema
        if schema is None or self._schema_ref is None:
            raise ValidationError("spans given but no schema to check them against")
        text = doc.text
        n = len(text)
        labels = self._labels
        attr_cache = self._attr_cache
        to_json = self._json_processor(s.connection())
        rows: list[_SpanRow] = []
        refs: dict[str, int] = {}
        groups: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
        bad = rules.non_boundaries(text)
        fits = rules.span_fits
        for i, span in enumerate(doc.spans):
            start, end, label = span.start, span.end, span.label
            try:
                if not fits(n, bad, start, end):
                    rules.check_offsets(text, start, end)
                if type(label) is not str or label not in labels:
                    rules.check_label(schema, label)
                given = span.attributes
                try:
                    cache_key: Any = (label, tuple(given.items()))
                    attrs, stored = attr_cache[cache_key]
                except (KeyError, TypeError):  # new, or unhashable (a multi attribute's list)
                    attrs = rules.check_attributes(schema, label, given, apply_defaults=False)
                    stored = to_json(attrs)
                    # Only text values are remembered: True == 1, and a bool attribute takes
                    # only one of them; no text equals a value of another type.
                    if all(type(v) is str for v in given.values()):
                        attr_cache[cache_key] = attrs, stored
            except ValidationError as exc:
                raise ValidationError(f"{_where(i, span.ref)}: {exc}") from None
            if span.text is not None and span.text != text[start:end]:
                raise ValidationError(
                    f"{_where(i, span.ref)}: its text {span.text!r} does not match the "
                    f"document's text at {start}-{end}: {text[start:end]!r}"
                )
            name = span.annotator or self._annotator
            if not name:
                raise ValidationError(
                    f"{_where(i, span.ref)}: no annotator given (give --annotator)"
                )
            annotator_id = self._annotator_id(s, name, annotators)
            group = groups.get((annotator_id, label))
            if group is None:
                groups[(annotator_id, label)] = group = []
            group.append((start, end, i))
            if span.ref is not None:
                if span.ref in refs:
                    raise ValidationError(
                        f"{_where(i, span.ref)}: span id {span.ref!r} given twice"
                    )
                refs[span.ref] = i
            rows.append((annotator_id, start, end, label, attrs, stored))
        for (_, label), group in groups.items():
            if len(group) > 1:
                _check_group(doc, label, labels[label].overlap, group)
        rel_rows: list[dict[str, Any]] = []
        linked: dict[tuple[int, str], list[str]] = {}
        for i, rel in enumerate(doc.relations):
            where = f"relations[{i}]"
            if rel.source not in refs or rel.target not in refs:
                raise ValidationError(
                    f"{where}: links span ids {rel.source!r} -> {rel.target!r}, "
                    "which are not both in this record's spans"
                )
            src, dst = refs[rel.source], refs[rel.target]
            if rows[src][0] != rows[dst][0]:
                raise ValidationError(f"{where}: links spans of two different annotators")
            existing = linked.setdefault((src, rel.label), [])
            try:
                rules.check_link(
                    schema,
                    rel.label,
                    (str(rel.source), rows[src][3]),
                    (str(rel.target), rows[dst][3]),
                    existing,
                )
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from None
            existing.append(str(rel.target))
            rel_rows.append(
                {"label": rel.label, "src": src, "dst": dst, "annotator_id": rows[src][0]}
            )
        return rows, rel_rows

    def _write_linked(
        self,
        conn: Connection,
        doc_id: int,
        spans: list[_SpanRow],
        rel_rows: list[dict[str, Any]],
        now: datetime,
    ) -> None:
        """Spans whose new ids the links need: inserted with RETURNING, then the links."""
        assert self._schema_ref is not None
        schema_id = self._schema_ref.id
        ids = list(
            conn.scalars(
                insert(Span).returning(Span.id, sort_by_parameter_order=True),
                [
                    {
                        "document_id": doc_id,
                        "annotator_id": annotator_id,
                        "schema_id": schema_id,
                        "start": start,
                        "end": end,
                        "label": label,
                        "attributes": attrs,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for annotator_id, start, end, label, attrs, _ in spans
                ],
            )
        )
        conn.execute(
            insert(Relation),
            [
                {
                    "document_id": doc_id,
                    "annotator_id": r["annotator_id"],
                    "schema_id": schema_id,
                    "label": r["label"],
                    "source_id": ids[r["src"]],
                    "target_id": ids[r["dst"]],
                    "created_at": now,
                }
                for r in rel_rows
            ],
        )

    def _json_processor(self, conn: Connection) -> Callable[[Any], Any]:
        if self._to_json is None:
            column = Span.__table__.c.attributes
            process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            self._to_json = process or (lambda value: value)
        return self._to_json

    def _annotator_id(self, s: Session, name: str, cache: dict[str, int]) -> int:
        if type(name) is not str or name not in cache:
            stored = rules.annotator_name(name)  # "alice " is alice, as in the editor
            found = s.scalar(select(Annotator.id).where(Annotator.name == stored))
            if found is None:
                found = s.execute(
                    insert(Annotator)
                    .values(name=stored, created_at=utcnow())
                    .returning(Annotator.id)
                ).scalar_one()
            cache[name] = found
        return cache[name]


class _Duplicate(Exception):
    pass


_SpanRow = tuple[int, int, int, str, dict[str, Any], Any]
_CLASH = select(Document.content_hash, Document.key).where(
    or_(Document.content_hash == bindparam("h"), Document.key == bindparam("k"))
)
_INSERT_DOCUMENT = insert(Document).returning(Document.id)


def _where(index: int, ref: str | None) -> str:
    return f"spans[{index}]" + (f" ({ref})" if ref else "")


def _check_group(
    doc: ParsedDocument, label: str, overlap: bool, group: list[tuple[int, int, int]]
) -> None:
    """Duplicates, and overlaps where the label forbids them, among one annotator's spans of
    one label (the rule book's ``first_overlap``), named by their place in the record."""
    clash = rules.first_overlap(overlap, group)
    if clash is None:
        return
    kind, one, other = clash
    j, k = max(one[2], other[2]), min(one[2], other[2])
    later, earlier = doc.spans[j], doc.spans[k]
    if kind == "duplicate":
        raise ValidationError(
            f"{_where(j, later.ref)}: duplicate {label} span at {later.start}-{later.end}"
        )
    raise ValidationError(
        f"{_where(j, later.ref)}: {label} spans may not overlap "
        f"({later.start}-{later.end} and {earlier.start}-{earlier.end})"
    )


class _BulkWriter:
    """Span and status rows of many documents, sent in batches with the driver's executemany.

    SQLAlchemy's per-row parameter processing cost more than all the checks of a span. These
    rows are validated already and hold plain ints and strings, the attributes converted by
    their column type (as SQLAlchemy would) and the shared timestamp converted once.
    """

    LIMIT = 20_000

    def __init__(self, conn: Connection, schema_id: int) -> None:
        self._conn = conn
        self._schema_id = schema_id
        dialect = conn.dialect
        spans = Span.__table__
        self._span_sql = _insert_sql(
            dialect,
            Span.__tablename__,
            (
                "document_id",
                "annotator_id",
                "schema_id",
                "start",
                "end",
                "label",
                "attributes",
                "created_at",
                "updated_at",
            ),
        )
        self._status_sql = _insert_sql(
            dialect,
            DocumentStatus.__tablename__,
            ("document_id", "annotator_id", "status", "updated_at"),
        )
        process = spans.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        now = utcnow()
        self._now = process(now) if process is not None else now
        self._span_rows: list[tuple[Any, ...]] = []
        self._status_rows: list[tuple[Any, ...]] = []

    def spans(self, doc_id: int, spans: list[_SpanRow]) -> None:
        schema_id, now = self._schema_id, self._now
        self._span_rows.extend(
            (doc_id, annotator_id, schema_id, start, end, label, stored, now, now)
            for annotator_id, start, end, label, _, stored in spans
        )
        if len(self._span_rows) >= self.LIMIT:
            self.flush()

    def statuses(self, doc_id: int, rows: list[tuple[int, str]]) -> None:
        self._status_rows.extend((doc_id, annotator_id, st, self._now) for annotator_id, st in rows)

    def flush(self) -> None:
        if self._span_rows:
            self._conn.exec_driver_sql(self._span_sql, self._span_rows)
            self._span_rows = []
        if self._status_rows:
            self._conn.exec_driver_sql(self._status_sql, self._status_rows)
            self._status_rows = []


def _insert_sql(dialect: Dialect, table: str, columns: tuple[str, ...]) -> str:
    assert dialect.paramstyle in ("qmark", "format", "pyformat"), dialect.paramstyle
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join([mark] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"


# PostgreSQL refuses NUL characters, lone surrogates and over-long VARCHARs where SQLite would
# store them; refusing them here, with the field named, makes both backends behave alike.
_FIELD_LIMITS = {"id": 200, "published": 40}  # documents.key, documents.published
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_storable(doc: ParsedDocument, key: str) -> None:
    if not doc.text.strip():  # the readers refuse these too; DocumentService.add did not
        raise ValidationError("the text is empty")
    fields = {
        "id": key,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
    }
    for name, value in fields.items():
        if value is None:
            continue
        if "\x00" in value:
            raise ValidationError(f"{name} contains a NUL character (\\u0000)")
        limit = _FIELD_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise ValidationError(f"{name} is {len(value)} characters long (at most {limit})")
        if not value.isascii() and _SURROGATE.search(value):
            raise ValidationError(f"{name} contains a lone UTF-16 surrogate")


def import_paths(
    db: Database,
    paths: Iterable[Path],
    *,
    schema: Schema | None = None,
    schema_ref: SchemaRef | None = None,
    annotator: str | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files and folders in one transaction; raise ``ImportRejected`` on any problem."""
    paths = list(paths)
    total = sum(1 for _ in iter_files(paths))
    batch = ImportBatch(db, schema, schema_ref, annotator, skip_bad, progress)
    return batch.run(read_paths(paths, fmt, encoding), total)
