"""A database opened for work: the services over it, sharing one engine.

GUI, CLI and tests all go through these services. Every write is validated against the schema and
the text, and committed before the call returns: a span a method has returned is on disk.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError as SAIntegrityError

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.progress import Progress
from annotator.core.domain.records import (
    AnnotatorRecord,
)
from annotator.core.domain.schema import Schema
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.annotators import AnnotatorService
from annotator.core.services.assignments import AssignmentService
from annotator.core.services.boilerplate import BoilerplateService
from annotator.core.services.documents import DocumentService
from annotator.core.services.schemas import ACTIVE_SCHEMA_KEY, SchemaService
from annotator.core.storage.db import (
    ENV_VAR,
    AuthenticationFailed,
    CorruptDatabase,
    Database,
    default_url,
)
from annotator.core.storage.models import Setting

if TYPE_CHECKING:
    from annotator.core.domain.searching import Hit, SearchQuery
    from annotator.core.services.adjudication import AdjudicationReport
    from annotator.core.services.curation import CurationService
    from annotator.core.services.entities import EntityService
    from annotator.core.services.exporting.dataset import ExportOptions, ExportResult
    from annotator.core.services.importing import ImportReport
    from annotator.core.services.schema_changes import SchemaChanges
    from annotator.core.services.statistics import StatisticsService
    from annotator.core.services.suggestions import SuggestionService

from annotator.core.storage.last_opened import last_opened_file, remember_opened
from annotator.core.storage.url import default_choice, forget_password, with_password

__all__ = [
    "ENV_VAR",
    "AuthenticationFailed",
    "CorruptDatabase",
    "Workspace",
    "default_choice",
    "default_url",
    "forget_password",
    "last_opened_file",
    "remember_opened",
    "with_password",
]


class Workspace:
    """A database opened for work: the services over it, sharing one engine."""

    def __init__(
        self,
        url: str | None = None,
        *,
        create: bool = True,
        backup: bool = False,
        backup_later: bool = False,
    ) -> None:
        """Open ``url`` (a URL or a SQLite file path; None: the default database).

        ``create=False`` is for work that only reads (stats, export, checks): a database that
        does not exist is an error rather than a new empty file, and nothing is written to it
        but the splits a split export deals (``exporting/split_store.py``), so that the next
        dataset version keeps them; a database that refuses that write still exports.
        ``backup=True`` (the window and the CLI's writing commands) keeps the daily rolling
        copies of a SQLite file in ``backups/`` beside it; a library caller opts in.
        ``backup_later=True`` (the window) leaves the day's copy to ``db.make_due_backup()``.
        """
        self.db = Database(
            url, must_exist=not create, backup=backup and create, backup_later=backup_later
        )
        self.writable = create
        self.documents = DocumentService(self.db)
        self.boilerplate = BoilerplateService(self.db, self.documents)
        self.annotators = AnnotatorService(self.db)
        self.schemas = SchemaService(self.db)
        self.assignments = AssignmentService(self.db, self.annotators)

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
        from annotator.core.services.bundled import default_schema

        schema = default_schema()
        if not self.writable:  # reading only: the default is used, not recorded
            return schema
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

    def entities(self) -> EntityService:
        """The registry of speakers and targets shared by every document (issue 10)."""
        from annotator.core.services.entities import EntityService

        return EntityService(self.db)

    @property
    def schema_changes(self) -> SchemaChanges:
        """Previewing, applying and listing changes of the active schema."""
        from annotator.core.services.schema_changes import SchemaChanges

        return SchemaChanges(self.db, self.schemas)

    def gold(self, schema: Schema | None = None) -> AnnotationService:
        """The gold layer, edited like any annotator's work (curation)."""
        return self.annotations(self.annotators.gold(), schema)

    def agreement(
        self,
        *,
        annotators: Sequence[str] | None = None,
        statuses: Sequence[str] | None = ("done",),
        documents: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        mode: str = "exact",
        schema: Schema | None = None,
    ) -> dict[str, Any]:
        """Agreement between annotators (pairs, overall, per document) as a JSON-ready dict."""
        from annotator.core.services.agreement import measure_agreement

        if mode not in ("exact", "overlap"):
            raise ValidationError(f"unknown mode {mode!r}: exact or overlap")
        with self.db.guard():
            return measure_agreement(
                self.db,
                schema or self.active_schema(),
                annotators=annotators,
                statuses=statuses,
                documents=documents,
                labels=labels,
                mode="exact" if mode == "exact" else "overlap",
            )

    def statistics(self, schema: Schema | None = None) -> StatisticsService:
        """The dashboard's figures: progress over time, labels and values, speakers, agreement."""
        from annotator.core.services.statistics import StatisticsService

        return StatisticsService(self.db, schema or self.active_schema())

    def curation(self, schema: Schema | None = None) -> CurationService:
        """One document's differences between annotators, and accepting versions into gold."""
        from annotator.core.services.curation import CurationService

        return CurationService(self.db, self.gold(schema))

    def suggestions(self, schema: Schema | None = None) -> SuggestionService:
        """Machine suggestions: computing them, their frames, and accepting or rejecting them
        into a person's layer."""
        from annotator.core.services.suggest_model.store import default_model_dir
        from annotator.core.services.suggestions import SuggestionService

        schema = schema or self.active_schema()
        return SuggestionService(
            self.db,
            self.documents,
            schema,
            lambda name: self.annotations(name, schema),
            model_dir=default_model_dir(self),
        )

    def adjudicate(
        self,
        *,
        min_agree: int = 2,
        annotators: Sequence[str] | None = None,
        statuses: Sequence[str] | None = ("done",),
        documents: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> AdjudicationReport:
        """Copy into gold what ``min_agree`` annotators agree on; report what is left."""
        from annotator.core.services.adjudication import auto_adjudicate

        with self.db.guard():
            return auto_adjudicate(
                self.db,
                self.gold(),
                min_agree=min_agree,
                annotators=annotators,
                statuses=statuses,
                documents=documents,
                progress=progress,
            )

    def search(self, query: SearchQuery, progress: Progress | None = None) -> Iterator[Hit]:
        """Hits of ``query`` across the corpus, in document order, read as they are consumed
        (take a page with ``itertools.islice``); ``progress`` returning False stops it."""
        from annotator.core.services.search import search_corpus

        return search_corpus(self.db, query, progress)

    def search_stoppable(
        self, query: SearchQuery, progress: Progress | None = None
    ) -> Generator[Hit, None, None]:
        """As :meth:`search`, for a caller that must be able to stop at any moment (the window,
        Ctrl+C): an expression that may backtrack for long is searched in a child process,
        killed when ``progress`` returns False or the caller stops reading."""
        from annotator.core.services.search_child import search_stoppable

        return search_stoppable(self.db, query, progress)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- long jobs: the window runs these on a worker thread, the CLI in the foreground --

    def import_files(
        self,
        paths: Iterable[Path],
        *,
        annotator: str | None = None,
        schema: Schema | None = None,
        fmt: str | None = None,
        encoding: str | None = None,
        skip_bad: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import files and folders all or nothing, checked against ``schema`` (else the active)."""
        from annotator.core.services.importing import import_paths

        schema = schema or self.active_schema()
        with self.db.guard():
            return import_paths(
                self.db,
                paths,
                schema=schema,
                schema_ref=self.schemas.register(schema),
                annotator=annotator,
                fmt=fmt,
                encoding=encoding,
                skip_bad=skip_bad,
                progress=progress,
            )

    def export(
        self,
        out: str | Path,
        fmt: str,
        options: ExportOptions | None = None,
        *,
        schema: Schema | None = None,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write a dataset; it appears complete or not at all."""
        from annotator.core.services.exporting.dataset import export_dataset

        schema = schema or self.active_schema()
        with self.db.guard():
            return export_dataset(self.db, schema, out, fmt, options, progress)
