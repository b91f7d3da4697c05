"""One entry point for every dataset export, shared by the CLI and the Export dialog.

``export_dataset`` streams the corpus once (after a quick first pass when splitting), inside one
read transaction, into a hidden staging folder next to the target, writes ``manifest.json``,
then moves everything into place. It keeps no state between calls and touches no globals, so
the window may run it on a worker thread; ``progress`` returning False cancels it and leaves
nothing behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from annotator.core.domain.errors import ExportCancelled, ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.registry import (
    FORMATS,
    NESTED_CHOICES,
    NESTED_DEFAULT,
    FormatInfo,
    format_info,
    layout_notes,
    unavailable_reason,
)
from annotator.core.formats.writers import brat, conll, doccano, prodigy, spacy_docbin, tokenize
from annotator.core.formats.writers.documents import Progress, to_document
from annotator.core.formats.writers.fixed import attribute_names
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.statements import statement_records
from annotator.core.formats.writers.units import Prepared
from annotator.core.services.exporting.empty_export import why_nothing
from annotator.core.services.exporting.manifest import (
    PartCounts,
    build_manifest,
    folder_contents,
    write_manifest,
)
from annotator.core.services.exporting.output import MANIFEST, Layout, Staging, os_error, prepare
from annotator.core.services.exporting.results import WHOLE, ExportResult, PartResult
from annotator.core.services.exporting.sinks import JsonlSink, NativeSink, Sink, WriterSink
from annotator.core.services.exporting.source import ExportFilter, snapshot, stream_raw
from annotator.core.services.exporting.spacy_training import SpacyTraining
from annotator.core.services.exporting.split_store import (
    Deal,
    manifest_section,
    plan,
    record,
    two_passes,
)
from annotator.core.services.exporting.splits import SplitSpec, Stratifier
from annotator.core.services.exporting.targets import Guard
from annotator.core.storage.db import Database

__all__ = [
    "FORMATS",
    "NESTED_CHOICES",
    "NESTED_DEFAULT",
    "ExportCancelled",
    "ExportFilter",
    "ExportOptions",
    "ExportResult",
    "FormatInfo",
    "PartResult",
    "SplitSpec",
    "default_filter",
    "export_dataset",
    "format_info",
    "plan_output",
    "unavailable_reason",
]

DEFAULT_STATUSES = ("done",)


@dataclass(frozen=True)
class ExportOptions:
    """Everything that shapes an export besides where it goes and in which format.

    ``filter=None`` means the format's default (``default_filter``): training formats take only
    documents marked done; native, the lossless backup format, takes everything. ``force``
    lets a file export replace a plain file that is not an earlier export (never a database,
    a SQLite file or a folder; see ``targets.py``). ``redeal`` forgets the split's stored parts
    and deals every document afresh (see ``split_store.py``).
    """

    filter: ExportFilter | None = None
    split: SplitSpec | None = None
    scheme: str = "BIO"  # conll
    nested: str = NESTED_DEFAULT  # conll: "layers" (keeps every label) or "outermost"
    force: bool = False
    redeal: bool = False

    def filter_for(self, fmt: str) -> ExportFilter:
        return self.filter if self.filter is not None else default_filter(fmt)


def default_filter(fmt: str) -> ExportFilter:
    return ExportFilter() if fmt == "native" else ExportFilter(statuses=DEFAULT_STATUSES)


def export_dataset(
    db: Database,
    schema: Schema,
    out: str | Path,
    fmt: str,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the selected annotations to ``out`` in ``fmt``; see ``FORMATS``.

    ``out`` is a file when the export is one file (no split) and has a suffix; otherwise it is
    a folder holding one file per split (``train.jsonl``, ...) and ``manifest.json``. A file's
    manifest sits beside it as ``NAME.manifest.json``. ``progress(done, total)`` returning
    False cancels: ``ExportCancelled`` is raised and no file is left.
    """
    options = options or ExportOptions()
    info = format_info(fmt)
    _check_options(info, schema, options)
    layout = plan_output(out, fmt, options)
    guard = Guard.of(db)
    try:
        prepare(layout, guard, options.force)
        with Staging(layout) as staging:
            job = _Job(db, schema, info, options, layout, staging)
            try:
                parts = job.run(progress)
            finally:  # a refused export (changed text, cancel) must not leak its list files
                job.close_lists(quiet=True)  # nor its writers' threads (spacy)
            staging.publish(guard, options.force)
    except OSError as exc:  # a full disk, a read-only or vanished folder
        raise os_error(layout.target, exc) from None
    warnings = () if job.deal is None else job.deal.warnings()
    problems = job.problems.summaries()
    training = () if job.training is None else job.training.commands(layout.target)
    return ExportResult(
        info.name, layout.target, layout.manifest, parts, problems, warnings, training
    )


def _check_options(info: FormatInfo, schema: Schema, options: ExportOptions) -> None:
    if options.scheme not in conll.SCHEMES:
        raise ExportError(f"tag scheme {options.scheme!r}: use one of {', '.join(conll.SCHEMES)}")
    if options.nested not in NESTED_CHOICES:
        raise ExportError(
            f"nested spans {options.nested!r}: use one of {', '.join(NESTED_CHOICES)}"
        )
    if options.split is not None:
        options.split.checked()
        if options.split.stratify:
            Stratifier.resolve(options.split.stratify, schema)
    if info.name == "statements" and schema.statements is None:
        raise ExportError(
            f"schema {schema.name} has no exports.statements section saying which label is "
            "the statement"
        )
    if info.needs == "spacy":
        spacy_docbin.require_spacy()


def plan_output(out: str | Path, fmt: str, options: ExportOptions | None = None) -> Layout:
    """Whether ``out`` will be one file or a folder, and where the manifest goes.

    One file when the format writes one file, there is no split, and ``out`` has a suffix and
    is not a folder; a folder otherwise. A dialog can ask before choosing its file picker.
    """
    out = Path(out)
    info = format_info(fmt)
    split = options.split if options is not None else None
    single = not info.folder and split is None and bool(out.suffix) and not out.is_dir()
    return Layout(out, folder=not single)


class _Job:
    """One export's state, from the first query to the manifest."""

    def __init__(
        self,
        db: Database,
        schema: Schema,
        info: FormatInfo,
        options: ExportOptions,
        layout: Layout,
        staging: Staging,
    ) -> None:
        self.db = db
        self.schema = schema
        self.info = info
        self.options = options
        self.layout = layout
        self.staging = staging
        self.problems = ProblemLog()
        self.part_names = options.split.names if options.split else (WHOLE,)
        self.filter = options.filter_for(info.name)
        self.data_name: str | None = None if layout.folder else layout.target.name
        self._lists: dict[str, dict[str, Path]] = {}
        self._handles: list[BinaryIO] = []
        self._sinks: dict[str, Sink] = {}
        self.export_id = uuid.uuid4().hex
        self.deal: Deal | None = None
        self._conll: dict[str, conll.ConllWriter] = {}  # per split, for what each file holds
        self.training: SpacyTraining | None = None  # a split spaCy export's training files
        if info.name == "spacy" and options.split is not None:
            self.training = SpacyTraining(staging, schema, self._layers(), self.part_names)

    # -- files --

    def _list_file(self, key: str, part: str) -> BinaryIO:
        path = self.staging.path / f".{key}-{part}.jsonl"
        self._lists.setdefault(key, {})[part] = path
        handle = open(path, "wb", buffering=1 << 16)  # noqa: SIM115 - closed in close_lists
        self._handles.append(handle)
        return handle

    def close_lists(self, quiet: bool = False) -> None:
        """Close every list file; ``quiet`` when the export failed already (a full disk)."""
        for sink in self._sinks.values() if quiet else ():
            sink.abandon()
        failed: list[OSError] = []
        for handle in self._handles:
            try:
                handle.close()
            except OSError as exc:
                failed.append(exc)
        if failed and not quiet:
            raise failed[0]

    def _relative(self, part: str) -> str:
        if not self.layout.folder:
            assert self.data_name is not None
            return self.data_name
        if self.info.folder:
            return part if self.options.split else "."
        return f"{part}{self.info.extension}"

    def _sink(self, part: str) -> Sink:
        info, schema, opts = self.info, self.schema, self.options
        relative = self._relative(part)
        if info.folder:
            folder = (self.staging.path / relative).resolve()
            return WriterSink(brat.BratWriter(folder, schema), None, folder)
        out = self.staging.file(relative)
        if info.name == "native":
            return NativeSink(out, schema)
        if info.name == "statements":
            return JsonlSink(out, lambda doc: statement_records(doc, schema))
        if info.name in ("doccano", "doccano-rel"):
            names, rel = attribute_names(schema), info.name == "doccano-rel"
            return JsonlSink(out, lambda p: doccano.records(p, names, self.problems, part, rel))
        if info.name == "prodigy":
            names = attribute_names(self.schema)
            return JsonlSink(out, lambda p: prodigy.task_records(p, self.problems, part, names))
        if info.name == "spacy" and self.training is not None:
            return WriterSink(self.training.writer(part, out, schema, self.problems), out)
        if info.name == "spacy":
            scratch = self.staging.path / f".spacy-{part}"
            docbin = spacy_docbin.DocBinWriter(out, scratch, schema, self.problems, part)
            return WriterSink(docbin, out)
        assert info.name == "conll"
        writer = conll.ConllWriter(
            out,
            scheme=opts.scheme,
            nested=opts.nested,
            layers=self._layers(),
            problems=self.problems,
            part=part,
            units_out=self._list_file("conll_units", part),
        )
        self._conll[part] = writer
        return WriterSink(writer, out)

    def _layers(self) -> list[str]:
        wanted = self.filter.labels
        names = [lab.name for lab in self.schema.labels if not wanted or lab.name in wanted]
        return names + [name for name in wanted if name not in names]

    # -- the run --

    def run(self, progress: Progress | None) -> tuple[PartResult, ...]:
        flt = self.filter
        sinks = self._sinks = {part: self._sink(part) for part in self.part_names}
        counts = {
            part: PartCounts(self.schema, self._list_file("document_ids", part))
            for part in self.part_names
        }
        no_units = 0
        spec = self.options.split
        with snapshot(self.db) as conn:
            assignment: dict[int, tuple[str, str]] | None = None
            main_progress = progress
            if spec is not None:
                first, main_progress = two_passes(progress)
                self.deal = plan(
                    conn,
                    self.schema,
                    flt,
                    spec,
                    drops_empty=self.info.name not in ("native", "statements"),
                    redeal=self.options.redeal,
                    progress=first,
                )
                assignment = self.deal.parts
            for raw in stream_raw(conn, flt, main_progress):
                if assignment is None:
                    part, stratum = WHOLE, ""
                elif raw.id in assignment:
                    part, stratum = assignment[raw.id]
                else:  # left out before dealing: nothing of it goes in the file
                    no_units += 1
                    continue
                c = counts[part]
                if self.info.name == "native":
                    c.records += sinks[part].add(raw)
                    c.add_raw(raw)
                elif self.info.name == "statements":
                    doc = to_document(raw)
                    c.records += sinks[part].add(doc)
                    c.add_document(doc)
                else:
                    prepared = Prepared(to_document(raw), flt.statuses)
                    if not prepared.units:
                        no_units += 1
                        continue
                    c.records += sinks[part].add(prepared)
                    c.add_raw(raw, {u.annotator or "" for u in prepared.units})
                if stratum:
                    c.strata[stratum] += 1
        files = {part: {"path": self._relative(part), **sinks[part].close()} for part in sinks}
        for part, writer in self._conll.items():
            counts[part].held = writer.held()
        self.close_lists()
        if not any(c.records for c in counts.values()):
            raise ExportError(why_nothing(self.filter, no_units))
        if spec is not None and self.deal is not None:
            record(self.db, spec, self.deal, self.export_id)
        self._write_conf()
        if self.training is not None:
            files.update(self.training.finish())
        self._write_manifest(files, counts, no_units)
        base = self.layout.target if self.layout.folder else self.layout.target.parent
        return tuple(
            PartResult(
                part,
                (base / files[part]["path"]) if self.layout.folder else self.layout.target,
                c.documents,
                c.records,
                c.spans,
                c.relations,
            )
            for part, c in counts.items()
        )

    # -- the manifest --

    def _write_conf(self) -> None:
        if self.info.name == "brat":
            for name, text in brat.conf_files(self.schema).items():
                (self.staging.path / name).write_text(text, encoding="utf-8", newline="\n")

    def _write_manifest(
        self, files: dict[str, dict[str, Any]], counts: dict[str, PartCounts], no_units: int
    ) -> None:
        flt, spec, opts = self.filter, self.options.split, self.options
        extra: dict[str, Any] = {
            "export_id": self.export_id,
            "record": f"one per {self.info.record}",
        }
        if self.info.tokens:
            extra["tokenizer"] = {"name": tokenize.NAME, "description": tokenize.DESCRIPTION}
        if self.training is not None:
            extra["training"] = self.training.manifest_section()
        extra["layout"] = layout_notes(
            self.info.name, self.schema, self.options.nested, self._layers()
        )
        if self.info.record == "document and annotator":
            extra["documents_without_annotations_left_out"] = no_units
        if self.layout.folder:  # what the folder holds, so that a later export knows it
            extra["contents"] = folder_contents(self.staging.path)
        manifest = build_manifest(
            fmt=self.info.name,
            schema=self.schema,
            database=self.db.display_name,
            filters={
                "annotators": list(flt.annotators) or "all",
                "statuses": list(flt.statuses) or "any",
                "labels": list(flt.labels) or "all",
            },
            split=None
            if spec is None
            else {
                "parts": dict(spec.parts),
                "seed": spec.seed,
                "stratify": spec.stratify,
                "grouped_by": "document (no document in two splits)",
                "assignment": manifest_section(spec, self.deal) if self.deal else None,
            },
            options={"scheme": opts.scheme, "nested": opts.nested}
            if self.info.name == "conll"
            else {},
            files=files,
            parts=counts,
            problems=self.problems.summaries(),
            extra=extra,
        )
        out = self.staging.file(MANIFEST)
        write_manifest(out, manifest, self._lists)
        out.close()
