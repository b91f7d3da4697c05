"""What an export wrote, as the CLI and the Export dialog report it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from annotator.core.formats.registry import format_info
from annotator.core.formats.writers.problems import MISALIGNED, ProblemSummary

WHOLE = "all"  # the one part of an export that is not split


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
        info = format_info(self.format)
        split = ""
        if len(self.parts) > 1 or self.parts[0].name != WHOLE:
            split = " (" + ", ".join(f"{p.name} {p.documents}" for p in self.parts) + ")"
        text = (
            f"wrote {self.documents} document(s){split} to {self.target}: {self.records} "
            f"{info.name} record(s), one per {info.record}; {self.spans} span(s), "
            f"{self.relations} link(s)"
        )
        for kind, problem in self.problems.items():
            text += f"\n  {problem.count} span(s): {kind.replace('_', ' ')}"
        if self.problems:
            text += f"\n  examples of each in {self.manifest}"
        for line in self.training:
            text += f"\n  {line}"
        return text
