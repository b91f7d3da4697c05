"""Suggestions as the services return them: stored rows of the suggestions layer, the frames
they make, and what a person's decision on them did."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from annotator.core.domain.records import RelationRecord, SpanRecord

OPEN: Final = "open"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
EDITED: Final = "edited"  # accepted, then changed by the person in their layer
DECISIONS: Final[tuple[str, ...]] = (OPEN, ACCEPTED, REJECTED, EDITED)


@dataclass(frozen=True)
class StoredSuggestion:
    """A span or link of the suggestions layer, with what the engines said about it and the
    decision on it (of the person asked about; "open" when they have not decided)."""

    id: int
    document_id: int
    span: SpanRecord | None  # a suggested span ...
    relation: RelationRecord | None  # ... or a suggested link
    engines: tuple[str, ...]
    confidence: float
    evidence: str = ""
    refers_to: str = ""
    decision: str = OPEN

    @property
    def label(self) -> str:
        if self.span is not None:
            return self.span.label
        assert self.relation is not None
        return self.relation.label


@dataclass(frozen=True)
class Frame:
    """An open statement with its open links and the spans they point at; or a span no open
    statement links to (a weapon outside any statement), with no parts."""

    head: StoredSuggestion
    parts: tuple[tuple[StoredSuggestion, StoredSuggestion], ...] = ()  # (link, span)


def open_frames(found: Sequence[StoredSuggestion], statement_label: str | None) -> list[Frame]:
    """Frames of the open suggestions among ``found``, in text order: each open statement
    with its open links and the spans they point at (open or not: a speaker accepted with
    another statement is still this one's); then, in place, each open span that no open
    statement links to."""
    spans = {s.span.id: s for s in found if s.span is not None}
    links_from: dict[int, list[StoredSuggestion]] = {}  # by source span: one pass, not n x m
    for s in found:
        if s.relation is not None and s.decision == OPEN:
            links_from.setdefault(s.relation.source_id, []).append(s)
    frames: list[tuple[SpanRecord, Frame]] = []
    linked: set[int] = set()
    for head in spans.values():
        if head.span is None or head.label != statement_label or head.decision != OPEN:
            continue
        parts = []
        for link in links_from.get(head.span.id, ()):
            assert link.relation is not None
            target = spans.get(link.relation.target_id)
            if target is not None:
                parts.append((link, target))
                linked.add(target.id)
        frames.append((head.span, Frame(head, tuple(parts))))
    for lone in spans.values():
        if lone.span is None or lone.decision != OPEN or lone.label == statement_label:
            continue
        if lone.id not in linked:
            frames.append((lone.span, Frame(lone)))
    frames.sort(key=lambda pair: (pair[0].start, pair[0].end, pair[0].id))
    return [frame for _, frame in frames]


def frames_after(
    frames: Sequence[Frame], closed: Collection[int], decision: str, statement_label: str | None
) -> list[Frame]:
    """The open frames once the suggestions ``closed`` are decided (``decision``), from the
    frames shown before and nothing read: what a window does after each key on an article
    with thousands of suggestions.

    Exact when nothing but ``closed`` changed since ``frames`` were made: every open
    statement was a head and every open link from one a part; every other open span was a
    part or a frame of its own. So the suggestions the frames hold, with ``closed`` decided,
    group (``open_frames``) as all of the document's would."""
    held: dict[int, StoredSuggestion] = {}
    for frame in frames:
        held[frame.head.id] = frame.head
        for link, span in frame.parts:
            held[link.id], held[span.id] = link, span
    for ident in closed:
        if ident in held:
            held[ident] = replace(held[ident], decision=decision)
    spans = [s for s in held.values() if s.span is not None]
    links = sorted(
        (s for s in held.values() if s.relation is not None),
        key=lambda s: s.relation.id if s.relation is not None else 0,
    )
    return open_frames(spans + links, statement_label)


@dataclass(frozen=True)
class AcceptResult:
    """What accepting made in a person's layer: enough for the window to undo it in one step
    (``SuggestionService.undo_accept``)."""

    annotator: str
    document_id: int
    spans: tuple[SpanRecord, ...] = ()  # created
    relations: tuple[RelationRecord, ...] = ()  # created
    reused: tuple[int, ...] = ()  # the person's spans that already held a suggested span
    accepted: tuple[int, ...] = ()  # suggestion ids now accepted
    refused: tuple[tuple[int, str], ...] = ()  # (suggestion id, why), when skipping refusals


@dataclass(frozen=True)
class Decision:
    """One person's decision on one suggestion, for evaluating the engines."""

    suggestion_id: int
    document_id: int
    kind: str  # "span" or "link"
    label: str
    engines: tuple[str, ...]
    confidence: float
    annotator: str
    decision: str
    decided_at: datetime
    result_id: int | None


@dataclass
class ComputeReport:
    """What one ``compute`` stored: open suggestions per engine, over how many documents."""

    engines: tuple[str, ...] = ()  # the engines run
    documents: int = 0
    spans: dict[str, int] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)
    refused: int = 0  # suggestions the rule book refused (e.g. two overlapping speakers)
    cancelled: bool = False
