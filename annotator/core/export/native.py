"""The native JSONL layout: one record per document, everything needed to restore it exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core import jsonio
from annotator.core.db import Database
from annotator.core.export.atomic import atomic_output
from annotator.core.export.source import ExportDocument, ExportFilter, Progress, stream_documents
from annotator.core.schema import Schema


def native_record(doc: ExportDocument, schema: Schema | None) -> dict[str, Any]:
    """A document as a plain dict; span ids are local ("T1"), so files do not depend on row ids."""
    local: dict[int, str] = {}
    spans = []
    for n, sp in enumerate(doc.spans, start=1):
        local[sp.id] = f"T{n}"
        spans.append(
            {
                "id": f"T{n}",
                "start": sp.start,
                "end": sp.end,
                "label": sp.label,
                "text": doc.text[sp.start : sp.end],
                "attributes": sp.attributes,
                "annotator": sp.annotator,
            }
        )
    relations = [
        {
            "id": f"R{n}",
            "label": r.label,
            "from": local[r.source_id],
            "to": local[r.target_id],
            "annotator": r.annotator,
        }
        for n, r in enumerate(doc.relations, start=1)
    ]
    record: dict[str, Any] = {
        "id": doc.key,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
        "meta": doc.meta,
        "content_hash": doc.content_hash,
        "status": doc.status,
        "spans": spans,
        "relations": relations,
    }
    if schema is not None:
        record["schema"] = {"name": schema.name, "version": schema.version}
    return record


def native_lines(
    db: Database,
    schema: Schema | None,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    for doc in stream_documents(db, flt, progress):
        yield jsonio.dumps(native_record(doc, schema)) + b"\n"


def export_native(
    db: Database,
    path: str | Path,
    schema: Schema | None,
    flt: ExportFilter | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the native JSONL file atomically; return the number of documents written."""
    count = 0
    with atomic_output(path) as out:
        for line in native_lines(db, schema, flt, progress):
            out.write(line)
            count += 1
    return count
