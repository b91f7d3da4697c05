"""One entry point for every dataset export, shared by the CLI and the Export dialog.

``export_dataset`` streams the corpus once (after a quick first pass when splitting), inside one
read transaction, into a hidden staging folder next to the target, writes ``manifest.json``,
then moves everything into place. It keeps no state between calls and touches no globals, so
the window may run it on a worker thread; ``progress`` returning False cancels it and leaves
nothing behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO, Protocol

import orjson
from sqlalchemy import Connection

from annotator.core.db import Database
from annotator.core.errors import ExportError
from annotator.core.export import brat, conll, doccano, prodigy, spacy_docbin, tokenize
from annotator.core.export.manifest import PartCounts, build_manifest, write_manifest
from annotator.core.export.native import native_raw_line, schema_info
from annotator.core.export.output import MANIFEST, HashingFile, Layout, Staging, check_target
from annotator.core.export.problems import MISALIGNED, ProblemLog, ProblemSummary
from annotator.core.export.source import (
    ExportFilter,
    Progress,
    RawDocument,
    parse_json_object,
    snapshot,
    stream_raw,
    to_document,
)
from annotator.core.export.splits import SplitSpec, Stratifier, assign, dominant
from annotator.core.export.statements import statement_records
from annotator.core.export.units import Prepared
from annotator.core.schema import Schema

DEFAULT_STATUSES = ("done",)
WHOLE = "all"  # the one part of an export that is not split


@dataclass(frozen=True)
class FormatInfo:
    """What the Export dialog and ``--help`` say about a format."""

    name: str
    title: str
    description: str
    extension: str
    record: str  # what one record is
    folder: bool = False  # always writes a folder
    tokens: bool = False  # uses the shared tokenizer
    needs: str | None = None  # the optional extra it needs


FORMATS: Mapping[str, FormatInfo] = MappingProxyType(
    {
        f.name: f
        for f in (
            FormatInfo(
                "native",
                "Native JSONL",
                "Everything, losslessly: re-importable, and the format of backups.",
                ".jsonl",
                "document",
            ),
            FormatInfo(
                "statements",
                "Statements JSONL",
                "One record per statement with its context, speaker, stance, targets and "
                "weapons: for stance classifiers and who-said-what tables.",
                ".jsonl",
                "statement",
            ),
            FormatInfo(
                "doccano",
                "doccano JSONL (sequence labelling)",
                '{"text", "label": [[start, end, label]]}, as doccano imports and exports it.',
                ".jsonl",
                "document and annotator",
            ),
            FormatInfo(
                "doccano-rel",
                "doccano JSONL (relation extraction)",
                '{"text", "entities", "relations"}, doccano\'s layout with links.',
                ".jsonl",
                "document and annotator",
            ),
            FormatInfo(
                "prodigy",
                "Prodigy JSONL",
                "Prodigy tasks with tokens, spans and relations, answer accept.",
                ".jsonl",
                "document and annotator",
                tokens=True,
            ),
            FormatInfo(
                "spacy",
                "spaCy DocBin",
                "A .spacy file per split: entities, span groups for overlapping spans, "
                "attributes and links in user_data. For spacy train.",
                ".spacy",
                "document and annotator",
                tokens=True,
                needs="spacy",
            ),
            FormatInfo(
                "conll",
                "CoNLL (BIO/BILOU)",
                "Token-per-line tags with document and sentence breaks, for seqeval and "
                "Hugging Face token classification.",
                ".conll",
                "document and annotator",
                tokens=True,
            ),
            FormatInfo(
                "brat",
                "brat standoff",
                ".txt and .ann pairs with annotation.conf, to open in brat.",
                "",
                "document and annotator",
                folder=True,
            ),
        )
    }
)


def format_info(fmt: str) -> FormatInfo:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ExportError(
            f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})"
        ) from None


def unavailable_reason(fmt: str) -> str | None:
    """Why a format cannot be used here (a missing optional package), or None."""
    if format_info(fmt).needs == "spacy":
        try:
            spacy_docbin.require_spacy()
        except ExportError as exc:
            return str(exc)
    return None


@dataclass(frozen=True)
class ExportOptions:
    """Everything that shapes an export besides where it goes and in which format.

    ``filter=None`` means the format's default (``default_filter``): training formats take only
    documents marked done; native, the lossless backup format, takes everything.
    """

    filter: ExportFilter | None = None
    split: SplitSpec | None = None
    scheme: str = "BIO"  # conll
    nested: str = "outermost"  # conll: "outermost" or "layers"

    def filter_for(self, fmt: str) -> ExportFilter:
        return self.filter if self.filter is not None else default_filter(fmt)


def default_filter(fmt: str) -> ExportFilter:
    return ExportFilter() if fmt == "native" else ExportFilter(statuses=DEFAULT_STATUSES)


@dataclass(frozen=True)
class PartResult:
    """One split as written."""

    name: str
    path: Path  # the data file (or brat folder) at its final place
    documents: int
    records: int
    spans: int
    relations: int


@dataclass(frozen=True)
class ExportResult:
    format: str
    target: Path
    manifest: Path
    parts: tuple[PartResult, ...]
    problems: Mapping[str, ProblemSummary]

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(p.path for p in self.parts)

    @property
    def documents(self) -> int:
        return sum(p.documents for p in self.parts)

    @property
    def records(self) -> int:
        return sum(p.records for p in self.parts)

    @property
    def spans(self) -> int:
        return sum(p.spans for p in self.parts)

    @property
    def relations(self) -> int:
        return sum(p.relations for p in self.parts)

    @property
    def misaligned(self) -> int:
        """Spans left out of token-based output because an edge falls inside a token."""
        return sum(self.problems[k].count for k in MISALIGNED if k in self.problems)

    def summary(self) -> str:
        info = format_info(self.format)
        split = ""
        if len(self.parts) > 1 or self.parts[0].name != WHOLE:
            split = " (" + ", ".join(f"{p.name} {p.documents}" for p in self.parts) + ")"
        text = (
            f"wrote {self.documents} document(s){split} as {self.records} {info.name} "
            f"record(s) ({self.spans} span(s), {self.relations} link(s)) to {self.target}"
        )
        for kind, problem in self.problems.items():
            text += f"\n  {problem.count} span(s): {kind.replace('_', ' ')}"
        if self.problems:
            text += f"\n  examples of each in {self.manifest}"
        return text


class _Sink(Protocol):
    def add(self, item: Any) -> int: ...

    def close(self) -> dict[str, Any]: ...


class _Jsonl:
    def __init__(self, out: HashingFile, records: Callable[[Any], Iterable[dict[str, Any]]]):
        self._out = out
        self._records = records

    def add(self, item: Any) -> int:
        n = 0
        for record in self._records(item):
            self._out.write(orjson.dumps(record) + b"\n")
            n += 1
        return n

    def close(self) -> dict[str, Any]:
        return _file_info(self._out)


class _Native:
    def __init__(self, out: HashingFile, schema: Schema | None) -> None:
        self._out = out
        self._info = schema_info(schema)

    def add(self, item: RawDocument) -> int:
        self._out.write(native_raw_line(item, self._info))
        return 1

    def close(self) -> dict[str, Any]:
        return _file_info(self._out)


class _Wrapped:
    """A writer with ``add`` plus a file to close (conll, spacy), or a folder (brat)."""

    def __init__(self, writer: Any, out: HashingFile | None, folder: Path | None = None):
        self._writer = writer
        self._out = out
        self._folder = folder

    def add(self, item: Any) -> int:
        return int(self._writer.add(item))

    def close(self) -> dict[str, Any]:
        if hasattr(self._writer, "close"):
            self._writer.close()
        if self._out is not None:
            return _file_info(self._out)
        assert self._folder is not None
        files = sum(1 for p in self._folder.rglob("*") if p.is_file())
        return {"files": files}


def _file_info(out: HashingFile) -> dict[str, Any]:
    digest = out.close()
    return {"bytes": out.size, "sha256": digest}


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
    layout = _layout(Path(out), info, options)
    check_target(layout)
    with Staging(layout) as staging:
        job = _Job(db, schema, info, options, layout, staging)
        try:
            parts = job.run(progress)
        finally:  # a refused export (changed text, cancel) must not leak its list files
            job.close_lists()
        staging.publish(job.data_name)
    return ExportResult(info.name, layout.target, layout.manifest, parts, job.problems.summaries())


def _check_options(info: FormatInfo, schema: Schema, options: ExportOptions) -> None:
    if options.scheme not in conll.SCHEMES:
        raise ExportError(f"tag scheme {options.scheme!r}: use one of {', '.join(conll.SCHEMES)}")
    if options.nested not in conll.NESTED:
        raise ExportError(f"nested spans {options.nested!r}: use one of {', '.join(conll.NESTED)}")
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


def _layout(out: Path, info: FormatInfo, options: ExportOptions) -> Layout:
    single = not info.folder and options.split is None and bool(out.suffix) and not out.is_dir()
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

    # -- files --

    def _list_file(self, key: str, part: str) -> BinaryIO:
        path = self.staging.path / f".{key}-{part}.jsonl"
        self._lists.setdefault(key, {})[part] = path
        handle = open(path, "wb", buffering=1 << 16)  # noqa: SIM115 - closed in close_lists
        self._handles.append(handle)
        return handle

    def close_lists(self) -> None:
        for handle in self._handles:
            handle.close()

    def _relative(self, part: str) -> str:
        if not self.layout.folder:
            assert self.data_name is not None
            return self.data_name
        if self.info.folder:
            return part if self.options.split else "."
        return f"{part}{self.info.extension}"

    def _sink(self, part: str) -> _Sink:
        info, schema, opts = self.info, self.schema, self.options
        relative = self._relative(part)
        if info.folder:
            folder = (self.staging.path / relative).resolve()
            return _Wrapped(brat.BratWriter(folder, schema), None, folder)
        out = self.staging.file(relative)
        if info.name == "native":
            return _Native(out, schema)
        if info.name == "statements":
            return _Jsonl(out, lambda doc: statement_records(doc, schema))
        if info.name == "doccano":
            return _Jsonl(out, lambda p: (doccano.sequence_record(u) for u in p.units))
        if info.name == "doccano-rel":
            return _Jsonl(out, lambda p: (doccano.relation_record(u) for u in p.units))
        if info.name == "prodigy":
            return _Jsonl(out, lambda p: prodigy.task_records(p, self.problems, part))
        if info.name == "spacy":
            return _Wrapped(spacy_docbin.DocBinWriter(out, schema, self.problems, part), out)
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
        return _Wrapped(writer, out)

    def _layers(self) -> list[str]:
        wanted = self.filter.labels
        names = [lab.name for lab in self.schema.labels if not wanted or lab.name in wanted]
        return names + [name for name in wanted if name not in names]

    # -- the run --

    def run(self, progress: Progress | None) -> tuple[PartResult, ...]:
        flt = self.filter
        sinks = {part: self._sink(part) for part in self.part_names}
        counts = {
            part: PartCounts(self.schema, self._list_file("document_ids", part))
            for part in self.part_names
        }
        no_units = 0
        with snapshot(self.db) as conn:
            assignment: dict[int, tuple[str, str]] | None = None
            main_progress = progress
            if self.options.split is not None:
                first, main_progress = _two_passes(progress)
                assignment = self._assign(conn, first)
            for raw in stream_raw(conn, flt, main_progress):
                part, stratum = assignment[raw.id] if assignment is not None else (WHOLE, "")
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
                    c.add_document(prepared.doc, {u.annotator or "" for u in prepared.units})
                if stratum:
                    c.strata[stratum] += 1
        files = {part: {"path": self._relative(part), **sinks[part].close()} for part in sinks}
        self.close_lists()
        self._write_conf()
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

    def _assign(self, conn: Connection, progress: Progress | None) -> dict[int, tuple[str, str]]:
        spec = self.options.split
        assert spec is not None
        stratifier = Stratifier.resolve(spec.stratify, self.schema) if spec.stratify else None
        items: list[tuple[int, str, str]] = []
        for raw in stream_raw(
            conn,
            self.filter,
            progress,
            with_text=False,
            with_spans=stratifier is not None,
            with_relations=False,
        ):
            stratum = ""
            if stratifier is not None:
                values: Counter[str] = Counter()
                for r in raw.spans:
                    attrs = parse_json_object(r[6]) if stratifier.attribute else {}
                    values.update(stratifier.values(r[5], attrs))
                stratum = dominant(values)
            items.append((raw.id, raw.key, stratum))
        strata = {doc_id: stratum for doc_id, _, stratum in items}
        return {doc_id: (part, strata[doc_id]) for doc_id, part in assign(items, spec).items()}

    # -- the manifest --

    def _write_conf(self) -> None:
        if self.info.name == "brat":
            for name, text in brat.conf_files(self.schema).items():
                (self.staging.path / name).write_text(text, encoding="utf-8", newline="\n")

    def _write_manifest(
        self, files: dict[str, dict[str, Any]], counts: dict[str, PartCounts], no_units: int
    ) -> None:
        flt, spec, opts = self.filter, self.options.split, self.options
        extra: dict[str, Any] = {"record": f"one per {self.info.record}"}
        if self.info.tokens:
            extra["tokenizer"] = {"name": tokenize.NAME, "description": tokenize.DESCRIPTION}
        extra["layout"] = self._layout_notes()
        if self.info.record == "document and annotator":
            extra["documents_without_annotations_left_out"] = no_units
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

    def _layout_notes(self) -> dict[str, Any]:
        name = self.info.name
        if name == "conll":
            columns = (
                ["token", "tag"]
                if self.options.nested == "outermost"
                else [
                    "token",
                    *self._layers(),
                ]
            )
            return {
                "columns": columns,
                "separator": "one space",
                "document_start": conll.DOCSTART,
                "sentence_break": "blank line (never inside a written span)",
                "not_held": ["relations", "attributes"],
                "units": "conll_units lists the document and annotator of each -DOCSTART- block",
            }
        if name == "doccano":
            return {"not_held": ["relations (use doccano-rel)"], "attributes": "parallel list"}
        if name == "doccano-rel":
            return {"attributes": "key of each entity"}
        if name == "prodigy":
            return {"token_end": "inclusive", "relation_head_child": "last token of each span"}
        if name == "spacy":
            return {
                "span_group": spacy_docbin.SPAN_KEY,
                "entity_labels": [lab.name for lab in self.schema.labels if not lab.overlap],
                "user_data": ["document_id", "title", "annotator", "spans", "relations"],
            }
        if name == "brat":
            return {"folders": "<split>/<annotator>/<document>.txt|.ann", "conf": True}
        return {}


def _two_passes(progress: Progress | None) -> tuple[Progress | None, Progress | None]:
    """Progress over a first pass (choosing splits) and the export, as one bar."""
    if progress is None:
        return None, None
    report = progress

    def first(done: int, total: int) -> bool | None:
        return report(done, 2 * total)

    def second(done: int, total: int) -> bool | None:
        return report(total + done, 2 * total)

    return first, second
