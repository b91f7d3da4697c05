"""Importing documents (and their annotations) as one all-or-nothing transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotator.core import validation
from annotator.core.db import Database
from annotator.core.errors import AnnotatorError, ImportRejected, Problem, ValidationError
from annotator.core.models import Annotator, Document, Relation, Span, utcnow
from annotator.core.readers import (
    ParsedDocument,
    ReadProblem,
    detect_format,
    read_html,
    read_jsonl,
    read_txt,
)
from annotator.core.readers_external import Skipped, read_doccano, read_prodigy
from annotator.core.records import SchemaRef
from annotator.core.schema import Schema
from annotator.core.store import set_status_in
from annotator.core.text import content_hash

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
        digest = content_hash(doc.text)
        if (
            digest in known_hashes
            or s.scalar(select(Document.id).where(Document.content_hash == digest)) is not None
        ):
            where = f"{doc.origin}:{doc.line}" if doc.line else doc.origin
            raise _Duplicate(f"{where}: same text as a document already imported")
        key = doc.key or digest[:16]
        _check_storable(doc, key)
        if key in known_keys or s.scalar(select(Document.id).where(Document.key == key)):
            raise ValidationError(f"document id {key!r} is already used by another document")
        span_rows, rel_rows = self._check_annotations(s, doc, annotators)
        doc_id = s.execute(
            insert(Document)
            .values(
                key=key,
                title=doc.title,
                text=doc.text,
                length=len(doc.text),
                source=doc.source,
                url=doc.url,
                published=doc.published,
                meta=doc.meta,
                content_hash=digest,
                created_at=utcnow(),
            )
            .returning(Document.id)
        ).scalar_one()
        known_hashes.add(digest)
        known_keys.add(key)
        self._write_annotations(s, doc_id, span_rows, rel_rows)
        status = dict(doc.status)
        if not status:
            # Pre-annotated work has begun: show it as in progress, as a first edit would.
            owners = {row["annotator_id"] for row in span_rows}
            status = {name: "in_progress" for name, i in annotators.items() if i in owners}
        for name, value in status.items():
            set_status_in(s, doc_id, self._annotator_id(s, name, annotators), value)
        report.imported_ids.append(doc_id)
        report.spans += len(span_rows)
        report.relations += len(rel_rows)

    def _check_annotations(
        self, s: Session, doc: ParsedDocument, annotators: dict[str, int]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if not doc.spans and not doc.relations:
            return [], []
        schema = self._schema
        if schema is None or self._schema_ref is None:
            raise ValidationError("spans given but no schema to check them against")
        rows: list[dict[str, Any]] = []
        refs: dict[str, int] = {}
        seen: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for i, span in enumerate(doc.spans):
            where = f"spans[{i}]" + (f" ({span.ref})" if span.ref else "")
            try:
                validation.check_offsets(doc.text, span.start, span.end)
                validation.check_label(schema, span.label)
                attrs = validation.check_attributes(
                    schema, span.label, span.attributes, apply_defaults=False
                )
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from None
            covered = doc.text[span.start : span.end]
            if span.text is not None and span.text != covered:
                raise ValidationError(
                    f"{where}: its text {span.text!r} does not match the "
                    f"document's text at {span.start}-{span.end}: {covered!r}"
                )
            name = span.annotator or self._annotator
            if not name:
                raise ValidationError(f"{where}: no annotator given (give --annotator)")
            annotator_id = self._annotator_id(s, name, annotators)
            label = schema.label(span.label)
            same = seen.setdefault((annotator_id, span.label), [])
            for other in same:
                if other == (span.start, span.end):
                    raise ValidationError(
                        f"{where}: duplicate {span.label} span at {span.start}-{span.end}"
                    )
                if (
                    label is not None
                    and not label.overlap
                    and other[0] < span.end
                    and other[1] > span.start
                ):
                    raise ValidationError(
                        f"{where}: {span.label} spans may not overlap "
                        f"({span.start}-{span.end} and {other[0]}-{other[1]})"
                    )
            same.append((span.start, span.end))
            if span.ref is not None:
                if span.ref in refs:
                    raise ValidationError(f"{where}: span id {span.ref!r} given twice")
                refs[span.ref] = i
            rows.append(
                {
                    "annotator_id": annotator_id,
                    "schema_id": self._schema_ref.id,
                    "start": span.start,
                    "end": span.end,
                    "label": span.label,
                    "attributes": attrs,
                }
            )
        rel_rows: list[dict[str, Any]] = []
        per_source: dict[tuple[int, str], int] = {}
        for i, rel in enumerate(doc.relations):
            where = f"relations[{i}]"
            if rel.source not in refs or rel.target not in refs:
                raise ValidationError(
                    f"{where}: links span ids {rel.source!r} -> {rel.target!r}, "
                    "which are not both in this record's spans"
                )
            src, dst = refs[rel.source], refs[rel.target]
            try:
                validation.check_relation_labels(
                    schema, rel.label, rows[src]["label"], rows[dst]["label"]
                )
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from None
            if rows[src]["annotator_id"] != rows[dst]["annotator_id"]:
                raise ValidationError(f"{where}: links spans of two different annotators")
            rel_type = schema.relation(rel.label)
            count = per_source.get((src, rel.label), 0) + 1
            if rel_type is not None and rel_type.max is not None and count > rel_type.max:
                raise ValidationError(
                    f"{where}: {rel.label} allows {rel_type.max} link(s) from one span"
                )
            per_source[(src, rel.label)] = count
            rel_rows.append(
                {
                    "label": rel.label,
                    "src": src,
                    "dst": dst,
                    "annotator_id": rows[src]["annotator_id"],
                }
            )
        return rows, rel_rows

    def _write_annotations(
        self,
        s: Session,
        doc_id: int,
        span_rows: list[dict[str, Any]],
        rel_rows: list[dict[str, Any]],
    ) -> None:
        if not span_rows:
            return
        now = utcnow()
        for row in span_rows:
            row["document_id"] = doc_id
            row["created_at"] = row["updated_at"] = now
        if rel_rows:
            ids = list(
                s.scalars(insert(Span).returning(Span.id, sort_by_parameter_order=True), span_rows)
            )
            s.execute(
                insert(Relation),
                [
                    {
                        "document_id": doc_id,
                        "annotator_id": r["annotator_id"],
                        "schema_id": span_rows[0]["schema_id"],
                        "label": r["label"],
                        "source_id": ids[r["src"]],
                        "target_id": ids[r["dst"]],
                        "created_at": now,
                    }
                    for r in rel_rows
                ],
            )
        else:
            s.execute(insert(Span), span_rows)

    def _annotator_id(self, s: Session, name: str, cache: dict[str, int]) -> int:
        if not isinstance(name, str):
            raise ValidationError(f"annotator {name!r} must be a name (text)")
        if name not in cache:
            if not name.strip() or "\x00" in name or len(name) > _NAME_LIMIT:
                raise ValidationError(
                    f"annotator name {name[:60]!r} must be 1 to {_NAME_LIMIT} characters, "
                    "without NUL"
                )
            found = s.scalar(select(Annotator.id).where(Annotator.name == name))
            if found is None:
                found = s.execute(
                    insert(Annotator).values(name=name, created_at=utcnow()).returning(Annotator.id)
                ).scalar_one()
            cache[name] = found
        return cache[name]


class _Duplicate(Exception):
    pass


# PostgreSQL refuses NUL characters, lone surrogates and over-long VARCHARs where SQLite would
# store them; refusing them here, with the field named, makes both backends behave alike.
_NAME_LIMIT = 200  # annotators.name
_FIELD_LIMITS = {"id": 200, "published": 40}  # documents.key, documents.published
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_storable(doc: ParsedDocument, key: str) -> None:
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
