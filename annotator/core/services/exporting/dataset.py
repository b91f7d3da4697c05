"""One entry point for every dataset export, shared by the CLI and the Export dialog.

``export_dataset`` streams the corpus once (after a quick first pass when splitting), inside one
read transaction, into a hidden staging folder next to the target, writes ``manifest.json``,
then moves everything into place. It keeps no state between calls and touches no globals, so
the window may run it on a worker thread; ``progress`` returning False cancels it and leaves
nothing behind. The format is an entry of ``annotator.core.formats.registry``; the run itself
is ``job.Job``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from annotator.core.domain.errors import ExportCancelled, ExportError
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import counted
from annotator.core.formats.entries import OptionRefused, WriterEntry
from annotator.core.formats.options import NESTED, NESTED_CHOICES, NESTED_DEFAULT, SCHEME, SCHEMES
from annotator.core.formats.registry import FORMATS, WRITERS, FormatInfo, format_info, writer
from annotator.core.formats.writers.problems import MISALIGNED, ProblemSummary
from annotator.core.services.exporting.job import WHOLE, Job, JobSettings, PartResult
from annotator.core.services.exporting.output import Layout, Staging, os_error, prepare
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec, Stratifier, stratify_choices
from annotator.core.services.exporting.targets import Guard
from annotator.core.storage.db import Database

__all__ = [
    "FORMATS",
    "NESTED_CHOICES",
    "NESTED_DEFAULT",
    "WRITERS",
    "ExportCancelled",
    "ExportFilter",
    "ExportOptions",
    "ExportResult",
    "FormatInfo",
    "OptionRefused",
    "PartResult",
    "SplitSpec",
    "default_filter",
    "export_dataset",
    "format_info",
    "given_options",
    "plan_output",
    "stratify_choices",
    "unavailable_reason",
]

DEFAULT_STATUSES = ("done",)


@dataclass(frozen=True)
class ExportOptions:
    """Everything that shapes an export besides where it goes and in which format.

    ``filter=None`` means the format's default (``default_filter``): training formats take only
    documents marked done; native, the lossless backup format, takes everything. ``force``
    lets a file export replace a plain file that is not an export (never a database,
    a SQLite file or a folder; see ``targets.py``). ``redeal`` forgets the split's stored parts
    and deals every document afresh (see ``split_store.py``). ``scheme`` and ``nested`` are
    conll's: another format refuses them when they differ from their defaults.
    """

    filter: ExportFilter | None = None
    split: SplitSpec | None = None
    scheme: str = "BIO"  # conll
    nested: str = NESTED_DEFAULT  # conll: "layers" (keeps every label) or "outermost"
    force: bool = False
    redeal: bool = False
    allow_outside_schema: bool = False  # else annotations the schema lacks refuse the export

    def filter_for(self, fmt: str) -> ExportFilter:
        return self.filter if self.filter is not None else default_filter(fmt)


def default_filter(fmt: str) -> ExportFilter:
    entry = writer(fmt)
    if entry.every_status:
        return ExportFilter(all_layers=entry.every_layer)
    return ExportFilter(statuses=DEFAULT_STATUSES)


def unavailable_reason(fmt: str) -> str | None:
    """Why a format cannot be used here (a missing optional package), or None."""
    return writer(fmt).unavailable_reason()


@dataclass(frozen=True)
class ExportResult:
    format: str
    target: Path
    manifest: Path
    parts: tuple[PartResult, ...]
    problems: Mapping[str, ProblemSummary]
    warnings: tuple[str, ...] = ()  # e.g. the splits dealt could not be recorded
    training: tuple[str, ...] = ()  # how to train on it (a split spaCy export)

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
        """What was written, in a sentence or two for the status bar or the terminal."""
        entry = writer(self.format)
        split = ""
        if len(self.parts) > 1 or self.parts[0].name != WHOLE:
            split = " (" + ", ".join(f"{p.name} {p.documents}" for p in self.parts) + ")"
        text = (
            f"wrote {counted(self.documents, 'document')}{split} to {self.target}: "
            f"{counted(self.records, 'record')}, one per {entry.record}; "
            f"{counted(self.spans, 'span')}, {counted(self.relations, 'link')}"
        )
        for kind, problem in self.problems.items():
            text += f"\n  {counted(problem.count, 'span')}: {kind.replace('_', ' ')}"
        if self.problems:
            text += f"\n  examples of each in {self.manifest}"
        return text


def export_dataset(
    db: Database,
    schema: Schema,
    out: str | Path,
    fmt: str,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the selected annotations to ``out`` in ``fmt``; see ``registry.WRITERS``.

    ``out`` is a file when the export is one file (no split) and has a suffix; otherwise it is
    a folder holding one file per split (``train.jsonl``, ...) and ``manifest.json``. A file's
    manifest sits beside it, named after the file's whole name (``k.conll.manifest.json``).
    ``progress(done, total)`` returning False cancels: ``ExportCancelled`` is raised and no
    file is left.
    """
    options = options or ExportOptions()
    entry = writer(fmt)
    _check_options(entry, schema, options)
    layout = plan_output(out, fmt, options)
    guard = Guard.of(db)
    settings = JobSettings(
        options.filter_for(entry.name),
        options.split,
        options.scheme,
        options.nested,
        options.redeal,
        options.allow_outside_schema,
    )
    try:
        prepare(layout, guard, options.force)
        with Staging(layout) as staging:
            job = Job(db, schema, entry, settings, layout, staging)
            try:
                parts = job.run(progress)
            finally:  # a refused export (changed text, cancel) must not leak its list files
                job.close_lists(quiet=True)
            staging.publish(guard, options.force)
    except OSError as exc:  # a full disk, a read-only or vanished folder
        raise os_error(layout.target, exc) from None
    warnings = () if job.deal is None else job.deal.warnings()
    problems = job.problems.summaries()
    training = () if job.training is None else job.training.commands(layout.target)
    return ExportResult(
        entry.name, layout.target, layout.manifest, parts, problems, warnings, training
    )


def given_options(options: ExportOptions) -> list[str]:
    """The format-dependent options that ``options`` sets to something besides the default."""
    split = options.split
    given = {
        "split": split is not None,
        "stratify": split is not None and bool(split.stratify),
        "redeal": options.redeal,
        "scheme": options.scheme != SCHEME.default,
        "nested": options.nested != NESTED.default,
    }
    return [name for name, on in given.items() if on]


def _check_options(entry: WriterEntry, schema: Schema, options: ExportOptions) -> None:
    entry.refuse_options(given_options(options))
    if options.scheme not in SCHEMES:
        raise ExportError(f"tag scheme {options.scheme!r}: use one of {', '.join(SCHEMES)}")
    if options.nested not in NESTED_CHOICES:
        raise ExportError(
            f"nested spans {options.nested!r}: use one of {', '.join(NESTED_CHOICES)}"
        )
    if options.split is not None:
        options.split.checked()
        if options.split.stratify:
            Stratifier.resolve(options.split.stratify, schema)
    entry.check(schema)
    if entry.needs is not None:
        _import_needed(entry)


def _import_needed(entry: WriterEntry) -> None:
    """Import what the writer will import of the optional package's installation, so that an
    export fails before it writes anything (one that is installed but broken says so here
    too)."""
    import importlib

    assert entry.needs is not None
    try:
        for module in (entry.needs,) if entry.loads is None else entry.loads:
            importlib.import_module(module)
    except ImportError:
        raise ExportError(entry.missing or f"{entry.name} needs {entry.needs}") from None


def plan_output(out: str | Path, fmt: str, options: ExportOptions | None = None) -> Layout:
    """Whether ``out`` will be one file or a folder, and where the manifest goes.

    One file when the format writes one file, there is no split, and ``out`` has a suffix and
    is not a folder; a folder otherwise. A dialog can ask before choosing its file picker.
    """
    out = Path(out)
    entry = writer(fmt)
    split = options.split if options is not None else None
    single = not entry.folder and split is None and bool(out.suffix) and not out.is_dir()
    return Layout(out, folder=not single)
