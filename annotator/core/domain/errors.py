"""Typed errors. Each says what was wrong, and where, in words a user can act on."""

from __future__ import annotations

from dataclasses import dataclass


class AnnotatorError(Exception):
    """Base of every error the core raises on purpose; the CLI and GUI show its text as is."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by file, line and key."""

    file: str
    line: int | None
    key: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.reason}"


class ProblemsError(AnnotatorError):
    """An input that was refused for one or more located problems."""

    def __init__(self, problems: list[Problem], headline: str = "") -> None:
        self.problems = list(problems)
        lines = [headline] if headline else []
        lines += [str(p) for p in self.problems]
        super().__init__("\n".join(lines))


class SchemaError(ProblemsError):
    """A label schema that cannot be used."""


class ImportRejected(ProblemsError):
    """An import refused as a whole; the database is unchanged."""


class ValidationError(AnnotatorError):
    """A write that the schema or the text does not allow."""


class OffsetError(ValidationError):
    """A span whose offsets do not fit the document text."""


class UnknownLabelError(ValidationError):
    """A label, attribute, value or relation the schema lacks."""


class OverlapError(ValidationError):
    """A span that overlaps another where the schema forbids it, or duplicates one."""


class RelationError(ValidationError):
    """A link the schema does not allow."""


class IncompleteError(ValidationError):
    """A document marked done while required attributes are missing."""

    def __init__(self, message: str, missing: list[tuple[int, str, str]]) -> None:
        super().__init__(message)
        self.missing = missing


class NotFoundError(AnnotatorError):
    """A document, span or relation that does not exist (any more)."""


class BusyError(AnnotatorError):
    """A write that waited out the busy timeout (another program holds the write lock);
    nothing was saved, and trying again later can succeed."""


class StorageError(AnnotatorError):
    """A write the database refused for a reason other than the rules; nothing was saved."""


class IntegrityError(AnnotatorError):
    """Stored data that no longer agrees with itself (a changed text under its spans)."""


class ExportError(AnnotatorError):
    """An export that could not be written; no partial file is left."""


class ExportCancelled(ExportError):
    """The user cancelled; no file was written."""
