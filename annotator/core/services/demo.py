"""The bundled demo corpus, so a first start opens on real-looking work."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.core.domain.errors import ImportRejected, Problem
from annotator.core.domain.records import SchemaRef
from annotator.core.domain.schema import Schema
from annotator.core.formats.readers import ParsedDocument, Skipped
from annotator.core.services.bundled import default_schema, demo_corpus, demo_team_work
from annotator.core.services.importing import (
    ImportBatch,
    ImportReport,
    import_paths,
    iter_files,
    read_paths,
)
from annotator.core.services.workspace import Workspace

TEAM = ("amira", "tomas")  # the demo's two annotators who finished three articles
_WHERE = re.compile(r"^\w+\[\d+\](?: \([^)]*\))?: ")


def load_demo(workspace: Workspace, annotator: str, *, team: bool = True) -> ImportReport:
    """Import the demo articles; their pre-annotations become ``annotator``'s. Safe to repeat.

    With ``team``, two more annotators' finished work on three articles comes too (merged onto
    the same texts), so that agreement, adjudication and curation have something to show.
    The annotations were made with the default schema: when the active schema cannot hold
    them, the texts come alone and ``notes`` says why (the user's schema is theirs to choose).
    """
    schema = workspace.active_schema()
    ref = workspace.schemas.register(schema)
    # Made with the default schema, the demo fits it: a refusal under it is a real problem.
    other_schema = schema.sha256 != default_schema().sha256
    try:
        report = _import(workspace, demo_corpus(), schema, ref, annotator)
    except ImportRejected as exc:
        if not other_schema:
            raise
        report = _import_texts(workspace, demo_corpus(), schema, ref)
        report.notes.append(_left_out("the demo's texts were imported without their", schema, exc))
        return report
    if team and annotator not in TEAM:
        try:
            _import(workspace, demo_team_work(), schema, ref, annotator)
        except ImportRejected as exc:
            if not other_schema:
                raise
            report.notes.append(_left_out("the demo team's work was left out: its", schema, exc))
    return report


def _import(
    workspace: Workspace, path: Path, schema: Schema, ref: SchemaRef, annotator: str
) -> ImportReport:
    return import_paths(
        workspace.db, [path], schema=schema, schema_ref=ref, annotator=annotator, skip_bad=False
    )


def _import_texts(workspace: Workspace, path: Path, schema: Schema, ref: SchemaRef) -> ImportReport:
    """The demo's documents without any annotation or status."""
    total = sum(1 for _ in iter_files([path]))
    items = _without_annotations(read_paths([path]))
    return ImportBatch(workspace.db, schema, ref).run(items, total)


def _without_annotations(
    items: Iterable[ParsedDocument | Problem | Skipped],
) -> Iterator[ParsedDocument | Problem | Skipped]:
    for item in items:
        if isinstance(item, ParsedDocument):
            item.spans, item.relations, item.status = [], [], {}
        yield item


def _left_out(what: str, schema: Schema, refused: ImportRejected) -> str:
    """One line: what was left out, and the first reason (the rest are alike)."""
    reason = refused.problems[0].reason if refused.problems else str(refused)
    reason = _WHERE.sub("", reason)  # "spans[0] (T1): " locates it in a file the user never saw
    return f"{what} annotations, which the active schema {schema.name} cannot hold: {reason}"
