"""Importing documents (and their annotations): read and check everything first, without
holding any lock, then write it all in one short transaction, or nothing.

``reading`` parses files (no database), ``checking`` validates each document against the schema
and its text, ``writing`` is the one write transaction; this module runs them in that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import or_, select

from annotator.core.domain.errors import ImportRejected, Problem, ValidationError
from annotator.core.domain.faults import fault_point
from annotator.core.domain.progress import Progress
from annotator.core.domain.records import SchemaRef
from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import counted
from annotator.core.formats.readers import ParsedDocument, Skipped
from annotator.core.services.importing.checking import Checked, Checker
from annotator.core.services.importing.reading import iter_files, read_paths
from annotator.core.services.importing.report import (
    ImportCancelled,
    ImportReport,
    duplicate_text,
)
from annotator.core.services.importing.writing import Writer, resolve_annotators
from annotator.core.storage.db import Database
from annotator.core.storage.fulltext import indexed_at_the_end
from annotator.core.storage.models import Document, Span

__all__ = [
    "ImportBatch",
    "ImportCancelled",
    "ImportReport",
    "ParsedDocument",
    "import_paths",
    "iter_files",
    "read_paths",
]


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
        self._schema_ref = schema_ref
        self._skip_bad = skip_bad
        self._progress = progress
        dialect = db.engine.dialect
        column = Span.__table__.c.attributes
        to_json = column.type.dialect_impl(dialect).bind_processor(dialect)
        self._checker = Checker(
            schema if schema_ref is not None else None,
            annotator,
            to_json or (lambda value: value),
        )

    def run(
        self, items: Iterable[ParsedDocument | Problem | Skipped], total: int = 0
    ) -> ImportReport:
        report = ImportReport()
        checked = self._check_all(items, total, report)
        checked = self._against_stored(checked, report)
        if report.rejected and not self._skip_bad:
            raise _refused(report)
        if not checked:
            return report
        fault_point("import-before-write")  # all read and checked; nothing written yet
        with self._db.write() as s:
            conn = s.connection()
            names = {name for item in checked for name in item.parts}
            schema_id = self._schema_ref.id if self._schema_ref is not None else 0
            writer = Writer(conn, schema_id, resolve_annotators(conn, names), report, s)
            with indexed_at_the_end(conn, lambda: report.imported_ids):
                for item in checked:
                    problem = writer.add(item)
                    if problem is not None:  # another import took this id since the check
                        report.rejected.append(problem)
                report.rejected.extend(writer.registry.problems)  # an entity's conflicting id
                if report.rejected and not self._skip_bad:
                    s.rollback()
                    raise _refused(report)
                writer.flush()
            fault_point("import-before-commit")  # every row sent, not yet committed
        fault_point("import-after-commit")
        return report

    def _check_all(
        self, items: Iterable[ParsedDocument | Problem | Skipped], total: int, report: ImportReport
    ) -> list[Checked]:
        """Parse and check every document; no database connection is held meanwhile."""
        checked: list[Checked] = []
        self._check_each(items, total, report, checked)
        return checked

    def _check_each(
        self,
        items: Iterable[ParsedDocument | Problem | Skipped],
        total: int,
        report: ImportReport,
        checked: list[Checked],
    ) -> None:
        for done, item in enumerate(items, start=1):
            if self._progress is not None and self._progress(done, total) is False:
                raise ImportCancelled("import cancelled; nothing was imported")
            if isinstance(item, Problem):
                report.rejected.append(item)
            elif isinstance(item, Skipped):
                report.skipped.append(str(item))
            else:
                try:
                    checked.append(self._checker.check(item))
                except ValidationError as exc:
                    report.rejected.append(Problem(item.origin, item.line, "", str(exc)))

    def _against_stored(self, checked: list[Checked], report: ImportReport) -> list[Checked]:
        """Drop plain duplicates and refuse ids taken by other texts, from short reads.

        Texts already stored stay in the list when they bring annotations: the write merges.
        """
        stored_hashes: dict[str, str] = {}  # digest -> the stored document's key
        stored_keys: dict[str, str] = {}
        with self._db.read() as s:
            for i in range(0, len(checked), 400):
                chunk = checked[i : i + 400]
                rows = s.execute(
                    select(Document.content_hash, Document.key).where(
                        or_(
                            Document.content_hash.in_([c.digest for c in chunk]),
                            Document.key.in_([c.key for c in chunk]),
                        )
                    )
                )
                for digest, key in rows:
                    stored_hashes[digest] = key
                    stored_keys[key] = digest
        kept: list[Checked] = []
        seen_hashes: dict[str, str] = {}  # digest -> key, of this import's documents
        for item in checked:
            if item.digest in stored_hashes or item.digest in seen_hashes:
                if item.parts:
                    kept.append(item)
                elif item.digest in stored_hashes:
                    report.skipped.append(duplicate_text(item.where, stored_hashes[item.digest]))
                else:
                    earlier = seen_hashes[item.digest]
                    report.skipped.append(duplicate_text(item.where, earlier, in_this_import=True))
                continue
            if stored_keys.get(item.key, item.digest) != item.digest:
                report.rejected.append(
                    Problem(
                        item.doc.origin,
                        item.doc.line,
                        "",
                        f"document id {item.key!r} is already used by another document",
                    )
                )
                continue
            seen_hashes[item.digest] = item.key
            stored_keys[item.key] = item.digest
            kept.append(item)
        return kept


def _refused(report: ImportReport) -> ImportRejected:
    return ImportRejected(
        report.rejected,
        f"import refused, nothing was imported ({counted(len(report.rejected), 'problem')}):",
    )


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
