"""Documents and each annotator's progress through them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from annotator.core.domain import rules
from annotator.core.domain.errors import (
    IntegrityError,
    NotFoundError,
    ValidationError,
)
from annotator.core.domain.records import (
    DocumentRecord,
    DocumentRow,
)
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.text import content_hash
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Assignment,
    Document,
    DocumentStatus,
    Span,
    utcnow,
)


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
        """Add one (already normalised) document. Files go through ``importing``."""
        from annotator.core.services.importing import ImportBatch, ParsedDocument

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
        raise ValidationError("document not added: " + "; ".join(report.messages or report.skipped))

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

    def rename(
        self, document_id: int, title: str, busy_timeout_ms: int | None = None
    ) -> DocumentRecord:
        """Give a document another title (the team lead correcting a scrape's headline).

        The title is checked by the rule book and committed before this returns; the text,
        and with it every span's offsets, is never touched.
        """
        cleaned = rules.document_title(title)
        with guarded_write(self._db, busy_timeout_ms) as s:
            row = s.get(Document, document_id)
            if row is None:
                raise NotFoundError(f"document #{document_id} does not exist")
            row.title = cleaned
        return self.get(document_id)

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
        self,
        annotator_id: int | None,
        statuses: Sequence[str] | None = None,
        search: str | None = None,
    ) -> list[int]:
        """Ids of the documents in list order, filtered by status and title.

        List order is the annotator's queue (documents assigned to them) first, then the rest;
        each in import order. Without an annotator (the team lead's assignment table): import
        order, and no status filter.
        """
        return self.listing(annotator_id, statuses, search)[0]

    def listing(
        self,
        annotator_id: int | None,
        statuses: Sequence[str] | None = None,
        search: str | None = None,
    ) -> tuple[list[int], int]:
        """``ids()``, and how many of them (at the front) are the annotator's queue, read
        together: the list marks those, and finds a row by a binary search in each part.

        Documents are never joined to statuses: "new" is the absence of a status row, so a
        status filter is an IN or NOT IN over the (annotator, status) index.
        """
        query = select(Document.id)
        if statuses and annotator_id is None:
            raise ValidationError("a status filter needs an annotator")
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
            conn = s.connection()
            queue: set[int] = set()
            if annotator_id is not None:
                mine = select(Assignment.document_id).where(Assignment.annotator_id == annotator_id)
                queue = set(fetch_ints(conn, mine))
            found = fetch_ints(conn, query.order_by(Document.id))
        if not queue:
            return found, 0
        first = [i for i in found if i in queue]
        return first + [i for i in found if i not in queue], len(first)

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
        """The next document (after ``after_id``, wrapping round) not done or skipped.

        While the annotator's queue (documents assigned to them) has unfinished documents, the
        next one comes from the queue.
        """
        unfinished = select(Document.id).where(Document.id.not_in(finished_by(annotator_id)))
        with self._db.read() as s:
            conn = s.connection()
            queue = fetch_ints(conn, unfinished_queue(annotator_id))
            if queue:
                later_in_queue = [i for i in queue if after_id is None or i > after_id]
                return later_in_queue[0] if later_in_queue else queue[0]
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


def finished_by(annotator_id: int) -> Select[Any]:
    """The documents an annotator has marked done or skipped."""
    return select(DocumentStatus.document_id).where(
        DocumentStatus.annotator_id == annotator_id,
        DocumentStatus.status.in_(("done", "skipped")),
    )


def unfinished_queue(annotator_id: int) -> Select[Any]:
    """An annotator's queue: the documents assigned to them not yet finished, in list order."""
    return (
        select(Assignment.document_id)
        .where(Assignment.annotator_id == annotator_id)
        .where(Assignment.document_id.not_in(finished_by(annotator_id)))
        .order_by(Assignment.document_id)
    )


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
    rules.check_status(status)
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
