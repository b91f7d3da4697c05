"""The service API over the database: documents, annotators, schemas and annotations.

GUI, CLI and tests all go through these classes. Every write is validated against the schema and
the text, and committed before the call returns: a span a method has returned is on disk.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from annotator.core.domain import jsonio, rules
from annotator.core.domain.errors import (
    IncompleteError,
    IntegrityError,
    NotFoundError,
    OverlapError,
    RelationError,
    ValidationError,
)
from annotator.core.domain.records import (
    AnnotatorRecord,
    DeletedSpan,
    DocumentRecord,
    DocumentRow,
    RelationRecord,
    SchemaRef,
    SpanRecord,
)
from annotator.core.domain.schema import Schema, parse_schema
from annotator.core.domain.text import content_hash
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    STATUSES,
    Annotator,
    Document,
    DocumentStatus,
    Relation,
    Setting,
    Span,
    StoredSchema,
    utcnow,
)

ACTIVE_SCHEMA_KEY = "active_schema_id"


def _span_record(row: Any) -> SpanRecord:
    return SpanRecord(
        row.id,
        row.document_id,
        row.annotator_id,
        row.start,
        row.end,
        row.label,
        dict(row.attributes or {}),
    )


def _relation_record(row: Any) -> RelationRecord:
    return RelationRecord(
        row.id, row.document_id, row.annotator_id, row.label, row.source_id, row.target_id
    )


class AnnotatorService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get_or_create(self, name: str) -> AnnotatorRecord:
        name = name.strip()
        if not name:
            raise ValidationError("an annotator needs a name")
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            if found is not None:
                return AnnotatorRecord(found.id, found.name)
        try:
            with self._db.write() as s:
                row = Annotator(name=name)
                s.add(row)
                s.flush()
                return AnnotatorRecord(row.id, row.name)
        except SAIntegrityError:  # another desktop created it a moment ago
            return self.get_or_create(name)

    def find(self, name: str) -> AnnotatorRecord | None:
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            return AnnotatorRecord(found.id, found.name) if found else None

    def all(self) -> list[AnnotatorRecord]:
        with self._db.read() as s:
            return [
                AnnotatorRecord(a.id, a.name)
                for a in s.scalars(select(Annotator).order_by(Annotator.name))
            ]


class SchemaService:
    """Schemas used in this database, and the one currently active for everyone on it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, schema: Schema) -> SchemaRef:
        digest = schema.sha256
        with self._db.read() as s:
            row = s.scalar(select(StoredSchema).where(StoredSchema.sha256 == digest))
            if row is not None:
                return SchemaRef(row.id, row.name, row.version, row.sha256)
        try:
            with self._db.write() as s:
                row = StoredSchema(
                    name=schema.name, version=schema.version, sha256=digest, text=schema.source_text
                )
                s.add(row)
                s.flush()
                return SchemaRef(row.id, row.name, row.version, row.sha256)
        except SAIntegrityError:
            return self.register(schema)

    def load(self, schema_id: int) -> Schema:
        with self._db.read() as s:
            row = s.get(StoredSchema, schema_id)
            if row is None:
                raise NotFoundError(f"schema #{schema_id} does not exist")
            return parse_schema(row.text, f"<schema {row.name} {row.version} in database>")

    def set_active(self, schema: Schema) -> SchemaRef:
        ref = self.register(schema)
        try:
            with self._db.write() as s:
                s.merge(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
        except SAIntegrityError:  # merge inserted while another desktop did: update theirs
            with self._db.write() as s:
                s.merge(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
        return ref

    def active(self) -> tuple[SchemaRef, Schema] | None:
        with self._db.read() as s:
            setting = s.get(Setting, ACTIVE_SCHEMA_KEY)
            if setting is None:
                return None
            row = s.get(StoredSchema, int(setting.value))
            if row is None:
                return None
            ref = SchemaRef(row.id, row.name, row.version, row.sha256)
            text = row.text
            label = f"<schema {row.name} {row.version} in database>"
        return ref, parse_schema(text, label)


class DocumentService:
    """Documents and the per-annotator progress through them."""

    def __init__(self, db: Database, cache_size: int = 8) -> None:
        self._db = db
        # Texts never change after import, so caching them is always safe.
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._cache_size = cache_size

    def add(
        self,
        text: str,
        *,
        key: str | None = None,
        title: str = "",
        source: str | None = None,
        url: str | None = None,
        published: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> DocumentRecord:
        """Add one (already normalised) document. Importers use ``annotator.core.importing``."""
        from annotator.core.importing import ImportBatch, ParsedDocument

        batch = ImportBatch(self._db)
        report = batch.run(
            [
                ParsedDocument(
                    text=text,
                    key=key,
                    title=title,
                    source=source,
                    url=url,
                    published=published,
                    meta=meta or {},
                )
            ]
        )
        if report.imported_ids:
            return self.get(report.imported_ids[0])
        raise ValidationError("; ".join(report.messages) or "document not added")

    def get(self, document_id: int, *, verified: bool = False) -> DocumentRecord:
        """A document; with ``verified``, raise if its text changed since import."""
        record = self._get(document_id)
        if verified and content_hash(record.text) != record.content_hash:
            raise IntegrityError(
                f"document {record.key!r} (#{document_id}): its text changed after import; "
                "span offsets can no longer be trusted"
            )
        # The window opens a document with get() and edits it next: the edits' offset checks
        # then need not read the (possibly 1 MB) text again.
        self._remember(document_id, record.text)
        return record

    def _get(self, document_id: int) -> DocumentRecord:
        with self._db.read() as s:
            row = s.get(Document, document_id)
            if row is None:
                raise NotFoundError(f"document #{document_id} does not exist")
            return DocumentRecord(
                row.id,
                row.key,
                row.title,
                row.text,
                row.source,
                row.url,
                row.published,
                dict(row.meta or {}),
                row.content_hash,
            )

    def by_key(self, key: str) -> DocumentRecord | None:
        with self._db.read() as s:
            doc_id = s.scalar(select(Document.id).where(Document.key == key))
        return self.get(doc_id) if doc_id is not None else None

    def text(self, document_id: int) -> str:
        cached = self._texts.get(document_id)
        if cached is not None:
            self._texts.move_to_end(document_id)
            return cached
        with self._db.read() as s:
            text = s.scalar(select(Document.text).where(Document.id == document_id))
        if text is None:
            raise NotFoundError(f"document #{document_id} does not exist")
        self._remember(document_id, text)
        return text

    def _remember(self, document_id: int, text: str) -> None:
        self._texts[document_id] = text
        self._texts.move_to_end(document_id)
        if len(self._texts) > self._cache_size:
            self._texts.popitem(last=False)

    def verify(self, document_id: int) -> None:
        """Raise if the stored text no longer matches the hash it was imported with."""
        self.get(document_id, verified=True)

    def count(self) -> int:
        with self._db.read() as s:
            return s.scalar(select(func.count()).select_from(Document)) or 0

    def ids(
        self, annotator_id: int, statuses: Sequence[str] | None = None, search: str | None = None
    ) -> list[int]:
        """Ids of the documents in list order (import order), filtered by status and title.

        Documents are never joined to statuses: "new" is the absence of a status row, so a
        status filter is an IN or NOT IN over the (annotator, status) index.
        """
        query = select(Document.id)
        if statuses:
            wanted = set(statuses)
            others = [s for s in STATUSES if s not in wanted]
            in_status = select(DocumentStatus.document_id).where(
                DocumentStatus.annotator_id == annotator_id
            )
            if "new" in wanted:
                if others:
                    query = query.where(
                        Document.id.not_in(in_status.where(DocumentStatus.status.in_(others)))
                    )
            else:
                query = query.where(
                    Document.id.in_(in_status.where(DocumentStatus.status.in_(sorted(wanted))))
                )
        if search and search.strip():
            like = f"%{_escape_like(search.strip())}%"
            # SQLite's LIKE already ignores ASCII case, and its lower() folds nothing more:
            # ILIKE there only adds two lower() calls a row (a third of a 100k-document search).
            if self._db.is_sqlite:
                title, key = Document.title.like, Document.key.like
            else:
                title, key = Document.title.ilike, Document.key.ilike
            query = query.where(or_(title(like, escape="\\"), key(like, escape="\\")))
        with self._db.read() as s:
            return fetch_ints(s.connection(), query.order_by(Document.id))

    def rows(self, annotator_id: int, document_ids: Sequence[int]) -> list[DocumentRow]:
        """The list rows for some documents, in the order given (a page of the list)."""
        if not document_ids:
            return []
        counts = (
            select(Span.document_id, func.count().label("n"))
            .where(Span.annotator_id == annotator_id, Span.document_id.in_(list(document_ids)))
            .group_by(Span.document_id)
            .subquery()
        )
        query = (
            select(
                Document.id,
                Document.key,
                Document.title,
                Document.length,
                func.coalesce(DocumentStatus.status, "new"),
                func.coalesce(counts.c.n, 0),
            )
            .outerjoin(
                DocumentStatus,
                and_(
                    DocumentStatus.document_id == Document.id,
                    DocumentStatus.annotator_id == annotator_id,
                ),
            )
            .outerjoin(counts, counts.c.document_id == Document.id)
            .where(Document.id.in_(list(document_ids)))
        )
        with self._db.read() as s:
            found = {r[0]: DocumentRow(*r) for r in s.execute(query)}
        return [found[i] for i in document_ids if i in found]

    def status(self, document_id: int, annotator_id: int) -> str:
        with self._db.read() as s:
            value = s.scalar(
                select(DocumentStatus.status).where(
                    DocumentStatus.document_id == document_id,
                    DocumentStatus.annotator_id == annotator_id,
                )
            )
        return value or "new"

    def statuses(self, document_id: int) -> dict[str, str]:
        """Every annotator's status on a document, by annotator name."""
        with self._db.read() as s:
            rows = s.execute(
                select(Annotator.name, DocumentStatus.status)
                .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                .where(DocumentStatus.document_id == document_id)
            )
            return {name: status for name, status in rows}

    def next_unfinished(self, annotator_id: int, after_id: int | None = None) -> int | None:
        """The next document (after ``after_id``, wrapping round) not done or skipped."""
        finished = select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id == annotator_id,
            DocumentStatus.status.in_(("done", "skipped")),
        )
        unfinished = select(Document.id).where(Document.id.not_in(finished))
        with self._db.read() as s:
            conn = s.connection()
            if after_id is not None:
                later = conn.execute(
                    unfinished.where(Document.id > after_id).order_by(Document.id).limit(1)
                ).scalar()
                if later is not None:
                    return int(later)
            first = conn.execute(unfinished.order_by(Document.id).limit(1)).scalar()
        return None if first is None else int(first)

    def progress(self, annotator_id: int) -> dict[str, int]:
        """How many documents this annotator has in each status."""
        with self._db.read() as s:
            total = s.scalar(select(func.count()).select_from(Document)) or 0
            rows = dict(
                s.execute(
                    select(DocumentStatus.status, func.count())
                    .where(DocumentStatus.annotator_id == annotator_id)
                    .group_by(DocumentStatus.status)
                ).all()
            )
        counts = {status: int(rows.get(status, 0)) for status in STATUSES}
        counts["new"] = total - sum(v for k, v in counts.items() if k != "new")
        return counts


def fetch_ints(conn: Connection, query: Select[Any]) -> list[int]:
    """One integer column through the driver's own cursor.

    The document list fetches every id at start-up (100,000 of them); SQLAlchemy's result rows
    double the cost of that, so the statement is compiled once and run on the raw connection.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positiontup is not None:
        args: Any = tuple(params[name] for name in compiled.positiontup)
    else:
        args = params
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def set_status_in(session: Session, document_id: int, annotator_id: int, status: str) -> None:
    if status not in STATUSES:
        raise ValidationError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    row = session.get(DocumentStatus, (document_id, annotator_id))
    if row is None:
        session.add(
            DocumentStatus(
                document_id=document_id,
                annotator_id=annotator_id,
                status=status,
                updated_at=utcnow(),
            )
        )
    else:
        row.status = status
        row.updated_at = utcnow()


class AnnotationService:
    """One annotator's spans and links, validated against one schema.

    Each annotator sees and edits only their own annotations; a span of someone else's is
    reported as not found.
    """

    def __init__(
        self,
        db: Database,
        documents: DocumentService,
        schema: Schema,
        schema_ref: SchemaRef,
        annotator: AnnotatorRecord,
    ) -> None:
        self._db = db
        self._documents = documents
        self.schema = schema
        self.schema_ref = schema_ref
        self.annotator = annotator

    # -- reading --

    def spans(self, document_id: int) -> list[SpanRecord]:
        """The annotator's spans in reading order.

        Read through Core with the attributes as raw JSON text: opening an article with
        10,000 spans is on the window's first-paint path, and ORM rows cost 5x more.
        """
        query = (
            select(
                Span.id,
                Span.document_id,
                Span.annotator_id,
                Span.start,
                Span.end,
                Span.label,
                type_coerce(Span.attributes, Text),
            )
            .where(Span.document_id == document_id, Span.annotator_id == self.annotator.id)
            .order_by(Span.start, Span.end, Span.id)
        )
        with self._db.read() as s:
            rows = s.connection().execute(query).all()
        loads = jsonio.loads
        return [
            SpanRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6] if isinstance(r[6], dict) else (loads(r[6]) if r[6] else {}),
            )
            for r in rows
        ]

    def relations(self, document_id: int) -> list[RelationRecord]:
        with self._db.read() as s:
            rows = s.scalars(
                select(Relation)
                .where(
                    Relation.document_id == document_id, Relation.annotator_id == self.annotator.id
                )
                .order_by(Relation.id)
            )
            return [_relation_record(r) for r in rows]

    def span(self, span_id: int) -> SpanRecord:
        with self._db.read() as s:
            return _span_record(self._own_span(s, span_id))

    # -- spans --

    def create_span(
        self,
        document_id: int,
        start: int,
        end: int,
        label: str,
        attributes: dict[str, Any] | None = None,
    ) -> SpanRecord:
        text = self._documents.text(document_id)
        rules.check_offsets(text, start, end)
        rules.check_label(self.schema, label)
        attrs = rules.check_attributes(self.schema, label, attributes, apply_defaults=True)
        with self._db.write() as s:
            self._check_overlap(s, document_id, start, end, label, exclude=None)
            now = utcnow()
            row = Span(
                document_id=document_id,
                annotator_id=self.annotator.id,
                schema_id=self.schema_ref.id,
                start=start,
                end=end,
                label=label,
                attributes=attrs,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            self._touch_status(s, document_id)
            s.flush()
            return _span_record(row)

    def update_span(
        self,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> SpanRecord:
        """Move a span's edges or change its label (attributes the new label lacks are dropped)."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            new_start = row.start if start is None else start
            new_end = row.end if end is None else end
            new_label = row.label if label is None else label
            rules.check_offsets(self._documents.text(row.document_id), new_start, new_end)
            rules.check_label(self.schema, new_label)
            self._check_overlap(s, row.document_id, new_start, new_end, new_label, exclude=row.id)
            attrs = dict(row.attributes or {})
            if new_label != row.label:
                lab = self.schema.label(new_label)
                assert lab is not None
                attrs = {k: v for k, v in attrs.items() if lab.attribute(k) is not None}
                attrs = rules.check_attributes(self.schema, new_label, attrs, apply_defaults=True)
                self._check_links_fit(s, row.id, new_label)
            row.start, row.end, row.label, row.attributes = new_start, new_end, new_label, attrs
            row.updated_at = utcnow()
            s.flush()
            return _span_record(row)

    def set_attribute(self, span_id: int, name: str, value: Any) -> SpanRecord:
        """Set one attribute; ``None`` clears it."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            attrs = dict(row.attributes or {})
            if value is None:
                lab = self.schema.label(row.label)
                if lab is None or lab.attribute(name) is None:
                    rules.check_attribute(self.schema, row.label, name, value)
                attrs.pop(name, None)
            else:
                attrs[name] = rules.check_attribute(self.schema, row.label, name, value)
            row.attributes = attrs
            row.updated_at = utcnow()
            s.flush()
            return _span_record(row)

    def delete_span(self, span_id: int) -> DeletedSpan:
        """Delete a span and every link to or from it; returns what undo needs."""
        with self._db.write() as s:
            row = self._own_span(s, span_id)
            record = _span_record(row)
            links = s.scalars(
                select(Relation)
                .where(or_(Relation.source_id == span_id, Relation.target_id == span_id))
                .order_by(Relation.id)
            ).all()
            removed = tuple(_relation_record(r) for r in links)
            s.execute(delete(Relation).where(Relation.id.in_([r.id for r in removed])))
            s.execute(delete(Span).where(Span.id == span_id))
            return DeletedSpan(record, removed)

    def restore_span(self, deleted: DeletedSpan) -> SpanRecord:
        """Undo a delete: the span comes back under its old id, with its links."""
        span = deleted.span
        if span.annotator_id != self.annotator.id:
            raise NotFoundError(f"span #{span.id} is not yours to restore")
        text = self._documents.text(span.document_id)
        rules.check_offsets(text, span.start, span.end)
        rules.check_label(self.schema, span.label)
        attrs = rules.check_attributes(
            self.schema, span.label, span.attributes, apply_defaults=False
        )
        with self._db.write() as s:
            self._check_overlap(s, span.document_id, span.start, span.end, span.label, exclude=None)
            now = utcnow()
            s.execute(
                insert(Span).values(
                    id=span.id,
                    document_id=span.document_id,
                    annotator_id=span.annotator_id,
                    schema_id=self.schema_ref.id,
                    start=span.start,
                    end=span.end,
                    label=span.label,
                    attributes=attrs,
                    created_at=now,
                    updated_at=now,
                )
            )
            for rel in deleted.relations:
                self._insert_relation(s, rel)
        return SpanRecord(
            span.id, span.document_id, span.annotator_id, span.start, span.end, span.label, attrs
        )

    # -- links --

    def link(self, source_id: int, target_id: int, label: str) -> RelationRecord:
        with self._db.write() as s:
            source = self._own_span(s, source_id)
            target = self._own_span(s, target_id)
            if source.document_id != target.document_id:
                raise RelationError("a link must join two spans of the same document")
            if source_id == target_id:
                raise RelationError("a span cannot be linked to itself")
            rules.check_relation_labels(self.schema, label, source.label, target.label)
            rel_type = self.schema.relation(label)
            assert rel_type is not None
            existing = s.scalars(
                select(Relation.target_id).where(
                    Relation.source_id == source_id, Relation.label == label
                )
            ).all()
            if target_id in existing:
                raise RelationError(
                    f"span #{source_id} is already linked to #{target_id} by {label}"
                )
            if rel_type.max is not None and len(existing) >= rel_type.max:
                raise RelationError(
                    f"{label} allows {rel_type.max} link(s) from one {rel_type.source}; "
                    "remove the existing link first"
                )
            row = Relation(
                document_id=source.document_id,
                annotator_id=self.annotator.id,
                schema_id=self.schema_ref.id,
                label=label,
                source_id=source_id,
                target_id=target_id,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return _relation_record(row)

    def unlink(self, relation_id: int) -> RelationRecord:
        with self._db.write() as s:
            row = s.get(Relation, relation_id)
            if row is None or row.annotator_id != self.annotator.id:
                raise NotFoundError(f"link #{relation_id} does not exist")
            record = _relation_record(row)
            s.delete(row)
            return record

    def restore_relation(self, rel: RelationRecord) -> RelationRecord:
        with self._db.write() as s:
            self._own_span(s, rel.source_id)
            self._own_span(s, rel.target_id)
            self._insert_relation(s, rel)
        return rel

    def _insert_relation(self, s: Session, rel: RelationRecord) -> None:
        """Put a link back under its old id (undo of an unlink or of a span's deletion)."""
        s.execute(
            insert(Relation).values(
                id=rel.id,
                document_id=rel.document_id,
                annotator_id=rel.annotator_id,
                schema_id=self.schema_ref.id,
                label=rel.label,
                source_id=rel.source_id,
                target_id=rel.target_id,
                created_at=utcnow(),
            )
        )

    # -- document status --

    def set_status(self, document_id: int, status: str, *, force: bool = False) -> None:
        """Mark a document; "done" is refused while required attributes are missing."""
        if status == "done" and not force:
            missing = self.missing_required(document_id)
            if missing:
                lines = [f"{label} #{sid}: {attr}" for sid, label, attr in missing[:5]]
                raise IncompleteError(
                    f"{len(missing)} required attribute(s) not set: " + "; ".join(lines),
                    missing,
                )
        self._documents.text(document_id)  # raises NotFoundError for a missing document
        with self._db.write() as s:
            set_status_in(s, document_id, self.annotator.id, status)

    def status(self, document_id: int) -> str:
        return self._documents.status(document_id, self.annotator.id)

    def missing_required(self, document_id: int) -> list[tuple[int, str, str]]:
        """(span id, label, attribute) for each required attribute not yet set."""
        return [
            (sp.id, sp.label, name)
            for sp in self.spans(document_id)
            for name in rules.missing_required(self.schema, sp.label, sp.attributes)
        ]

    # -- helpers --

    def _own_span(self, s: Session, span_id: int) -> Span:
        row = s.get(Span, span_id)
        if row is None or row.annotator_id != self.annotator.id:
            raise NotFoundError(f"span #{span_id} does not exist")
        return row

    def _check_overlap(
        self, s: Session, document_id: int, start: int, end: int, label: str, exclude: int | None
    ) -> None:
        query = select(Span.id, Span.start, Span.end).where(
            Span.document_id == document_id,
            Span.annotator_id == self.annotator.id,
            Span.label == label,
            Span.start < end,
            Span.end > start,
        )
        if exclude is not None:
            query = query.where(Span.id != exclude)
        clashes = s.execute(query.limit(50)).all()
        for other in clashes:
            if (other.start, other.end) == (start, end):
                raise OverlapError(f"a {label} span at {start}-{end} already exists (#{other.id})")
        lab = self.schema.label(label)
        if clashes and lab is not None and not lab.overlap:
            other = clashes[0]
            raise OverlapError(
                f"{label} spans may not overlap: {start}-{end} overlaps #{other.id} "
                f"({other.start}-{other.end})"
            )

    def _check_links_fit(self, s: Session, span_id: int, new_label: str) -> None:
        rels = s.execute(
            select(Relation.label, Relation.source_id, Relation.target_id).where(
                or_(Relation.source_id == span_id, Relation.target_id == span_id)
            )
        ).all()
        for rel in rels:
            rel_type = self.schema.relation(rel.label)
            if rel_type is None:
                needed = None
            else:
                needed = rel_type.source if rel.source_id == span_id else rel_type.target
            if needed != new_label:
                raise RelationError(
                    f"span #{span_id} has a {rel.label} link that a {new_label} cannot have; "
                    "remove the link first"
                )

    def _touch_status(self, s: Session, document_id: int) -> None:
        """The first edit on a new document marks it in progress."""
        row = s.get(DocumentStatus, (document_id, self.annotator.id))
        if row is None:
            s.add(
                DocumentStatus(
                    document_id=document_id,
                    annotator_id=self.annotator.id,
                    status="in_progress",
                    updated_at=utcnow(),
                )
            )


class Workspace:
    """A database opened for work: the services over it, sharing one engine."""

    def __init__(self, url: str | None = None) -> None:
        self.db = Database(url)
        self.documents = DocumentService(self.db)
        self.annotators = AnnotatorService(self.db)
        self.schemas = SchemaService(self.db)

    def annotations(
        self, annotator: str | AnnotatorRecord, schema: Schema | None = None
    ) -> AnnotationService:
        """An annotator's view, under ``schema`` or else the database's active schema."""
        record = (
            annotator
            if isinstance(annotator, AnnotatorRecord)
            else self.annotators.get_or_create(annotator)
        )
        if schema is None:
            schema = self.active_schema()
        ref = self.schemas.register(schema)
        return AnnotationService(self.db, self.documents, schema, ref, record)

    def active_schema(self) -> Schema:
        """The schema set for this database, or the bundled default on a fresh one."""
        active = self.schemas.active()
        if active is not None:
            return active[1]
        from annotator.core.bundled import default_schema

        schema = default_schema()
        ref = self.schemas.register(schema)
        try:
            # Insert, not merge: desktops starting together on a new database all get here, and
            # the first choice (or a team lead's ``schema use`` meanwhile) must stand.
            with self.db.write() as s:
                s.add(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
        except SAIntegrityError:
            active = self.schemas.active()
            if active is not None:
                return active[1]
        return schema

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
