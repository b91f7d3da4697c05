"""What an export could not write as it stands: counted, with examples, never silent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.core.formats.writers.documents import ExportSpan
    from annotator.core.formats.writers.units import Unit

MAX_EXAMPLES = 10

# Kind -> what it means for the file, as the manifest and the result explain it.
KINDS: dict[str, str] = {
    "edge_inside_token": (
        "a span edge falls inside a token; the span is left out of token-based output "
        "(it is not moved)"
    ),
    "no_tokens": "the span covers only white space; it is left out of token-based output",
    "whitespace_edge": (
        "the span starts or ends with white space; the tokens it covers are written, so its "
        "token span is shorter than its characters"
    ),
    "overlap_left_out": (
        "the span overlaps one already written in the same column (outermost, then earliest, "
        "wins); it is left out of this column"
    ),
    "entity_overlap": (
        "the span overlaps another entity, so it is only in the span group, not in doc.ents"
    ),
    "relation_left_out": "a link one of whose spans was left out; the link is left out too",
    "doccano_overlap": (
        "the span overlaps another of the same record; doccano drops it on import unless the "
        'project allows overlapping spans (Settings: "Allow overlapping spans"), and a '
        "doccano-rel link to a dropped span makes doccano's import fail"
    ),
}
MISALIGNED = ("edge_inside_token", "no_tokens")


@dataclass
class ProblemSummary:
    kind: str
    meaning: str
    count: int = 0
    by_part: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "meaning": self.meaning,
            "count": self.count,
            "by_split": self.by_part,
            "examples": self.examples,
        }


class ProblemLog:
    """Collects problems of one export; each export has its own (no shared state)."""

    def __init__(self) -> None:
        self._kinds: dict[str, ProblemSummary] = {}

    def add(
        self,
        kind: str,
        part: str,
        *,
        document: str,
        annotator: str | None,
        text: str,
        start: int,
        end: int,
        label: str,
        detail: str = "",
    ) -> None:
        summary = self._kinds.get(kind)
        if summary is None:
            summary = self._kinds[kind] = ProblemSummary(kind, KINDS[kind])
        summary.count += 1
        summary.by_part[part] = summary.by_part.get(part, 0) + 1
        if len(summary.examples) < MAX_EXAMPLES:
            covered = text[start:end]
            summary.examples.append(
                {
                    "document": document,
                    "annotator": annotator,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": covered if len(covered) <= 80 else covered[:77] + "...",
                    "detail": detail,
                }
            )

    def add_span(
        self, kind: str, part: str, unit: Unit, span: ExportSpan, detail: str = ""
    ) -> None:
        """``add`` for one span of one (document, annotator) unit, the usual case."""
        self.add(
            kind,
            part,
            document=unit.doc.key,
            annotator=unit.annotator,
            text=unit.doc.text,
            start=span.start,
            end=span.end,
            label=span.label,
            detail=detail,
        )

    def count(self, *kinds: str) -> int:
        return sum(self._kinds[k].count for k in kinds if k in self._kinds)

    def summaries(self) -> dict[str, ProblemSummary]:
        return dict(sorted(self._kinds.items()))
