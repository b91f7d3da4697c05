"""Single-file native and statements exports, without a manifest: a library convenience.

The caller names the file: an existing plain file there is replaced, but never a folder, a
SQLite file or the database being exported (``atomic_output``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.core.domain import jsonio
from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.documents import Progress
from annotator.core.formats.writers.fixed import attribute_names
from annotator.core.formats.writers.native import native_raw_line, schema_info
from annotator.core.formats.writers.statements import statement_records
from annotator.core.services.exporting.atomic import atomic_output
from annotator.core.services.exporting.source import (
    ExportFilter,
    snapshot,
    stream_documents,
    stream_raw,
)
from annotator.core.services.exporting.targets import Guard
from annotator.core.storage.db import Database


def native_lines(
    db: Database,
    schema: Schema | None,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    info, attributes = schema_info(schema), attribute_names(schema)
    with snapshot(db) as conn:
        for doc in stream_raw(conn, flt, progress):
            yield native_raw_line(doc, info, attributes)


def export_native(
    db: Database,
    path: str | Path,
    schema: Schema | None,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the native JSONL file atomically; return the number of documents written."""
    count = 0
    with atomic_output(path, Guard.of(db)) as out:
        for line in native_lines(db, schema, flt, progress):
            out.write(line)
            count += 1
    return count


def export_statements(
    db: Database,
    path: str | Path,
    schema: Schema,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
) -> int:
    """Write statements JSONL atomically; return the number of statements written."""
    if schema.statements is None:
        raise ExportError(f"schema {schema.name} has no exports.statements section")
    count = 0
    with atomic_output(path, Guard.of(db)) as out:
        for doc in stream_documents(db, flt, progress):
            for record in statement_records(doc, schema):
                out.write(jsonio.dumps_line(record))
                count += 1
    return count
