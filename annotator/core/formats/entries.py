"""What a format is, as an object: one entry per reader and per writer.

The command line, the Export dialog and the manifest list formats, describe them and check
options from these entries, and an export or import reaches its writer or reader through its
entry (``entry.open_writer``, ``entry.read``), so adding a format is adding an entry, not
finding every ``if fmt == ...`` in the program.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

from annotator.core.domain.errors import AnnotatorError, ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.options import Option
from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.problems import ProblemLog

Direction = Literal["import", "export"]
Item = Literal["raw", "document", "prepared"]


class OptionRefused(AnnotatorError):
    """An option given with a format that does not take it (never silently ignored)."""


class RecordWriter(Protocol):
    """One split's writer: takes items one by one, finishes its file on ``close``."""

    def add(self, item: Any, /) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WriterContext:
    """Everything a writer may need for one split, handed over by the exporting service."""

    schema: Schema
    part: str
    problems: ProblemLog
    out: ByteSink | None  # the data file (None for folder formats)
    folder: Path | None = None  # folder formats: where this split's files go
    scratch: Path | None = None  # a private scratch path in the staging folder
    scheme: str = "BIO"
    nested: str = "layers"
    layers: tuple[str, ...] = ()  # conll: the tag columns, one per label
    list_file: Callable[[str], BinaryIO] | None = None  # a long list for the manifest


@dataclass(frozen=True)
class LayoutContext:
    """What a format's layout notes in the manifest depend on."""

    schema: Schema
    nested: str
    layers: tuple[str, ...]


def _no_layout(_: LayoutContext) -> dict[str, Any]:
    return {}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class _Entry:
    name: str
    title: str
    description: str
    example: str  # a command line that uses it, run by the tests on the demo database
    options: tuple[Option, ...]

    def accepts(self, option: str) -> bool:
        return any(o.name == option for o in self.options)

    def refuse_options(self, given: Iterable[str]) -> None:
        """Raise ``OptionRefused`` for the first option given that this format does not take."""
        for name in given:
            if not self.accepts(name):
                flag = "--" + name.replace("_", "-")
                raise OptionRefused(
                    f"{flag} does not apply to --format {self.name}; {self.name} takes "
                    f"{_listed(self.options)}"
                )


def _listed(options: tuple[Option, ...]) -> str:
    if not options:
        return "no format options"
    return ", ".join(o.flag for o in options)


@dataclass(frozen=True)
class WriterEntry(_Entry):
    """An export format: what it writes, what it takes, and how to open its writer."""

    extension: str
    record: str  # what one record is, e.g. "document and annotator"
    open: Callable[[WriterContext], RecordWriter]
    item: Item = "prepared"  # what ``add`` takes: raw rows, a document, or its units
    folder: bool = False  # always writes a folder
    tokens: bool = False  # uses the shared tokenizer
    needs: str | None = None  # the optional package it needs
    missing: str = ""  # what to do when that package is absent
    # The modules of that installation its writer imports, imported before an export writes
    # anything (so a broken installation fails there); None: ``needs`` itself.
    loads: tuple[str, ...] | None = None
    requires: Callable[[Schema], str | None] | None = None  # why a schema cannot be exported
    layout: Callable[[LayoutContext], dict[str, Any]] = _no_layout
    files: Callable[[Schema], dict[str, str]] | None = None  # written beside the data (brat)
    every_status: bool = False  # by default exports every document, not only those done
    every_layer: bool = False  # by default exports gold and suggestions too (a backup)
    archive: bool = False  # holds what schema changes archived, and re-imports it (a backup)
    read_back: str | None = None  # the import format that reads this one back, if any
    direction: Direction = field(default="export", init=False)

    def unavailable_reason(self) -> str | None:
        """Why this format cannot be used here (a missing optional package), or None.

        Cheap (nothing is imported), so a dialog may ask for every format when it opens.
        """
        if self.needs is not None and not _installed(self.needs):
            return self.missing or f"the {self.name} format needs {self.needs}"
        return None

    def why_not(self, schema: Schema) -> str | None:
        """Why this format cannot export data of ``schema`` (or this installation), or None."""
        return self.unavailable_reason() or (self.requires(schema) if self.requires else None)

    def check(self, schema: Schema) -> None:
        reason = self.why_not(schema)
        if reason is not None:
            raise ExportError(reason)

    def open_writer(self, context: WriterContext) -> RecordWriter:
        return self.open(context)


Read = Callable[[Path, str, "str | None"], Iterable[Any]]


@dataclass(frozen=True)
class ReaderEntry(_Entry):
    """An import format: which files it reads and how."""

    suffixes: tuple[str, ...]  # chosen by these file name endings ("" when only by --format)
    read: Read  # (file, key, encoding) -> parsed documents and skipped records
    annotations: bool = False  # carries spans, links and statuses
    aliases: tuple[str, ...] = ()
    direction: Direction = field(default="import", init=False)
