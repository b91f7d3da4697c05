"""How good the stored suggestions are, per engine, against a reference layer.

The reference is a person's layer or gold, on the documents it has marked done: a document in
progress would count what is not annotated yet as the engines' false alarms. Per engine (and
all engines together) and label: precision, recall and F1 (``scoring.score_labels``, overlap
of at least half); per engine: how often a found statement names the right speaker
(``scoring.score_speakers``). An engine is scored on the labels it suggests at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from annotator.core.domain import layers
from annotator.core.domain.agreement.items import LinkItem, SpanItem
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.schema import Schema
from annotator.core.domain.suggesting.frames import FrameRoles, frame_roles
from annotator.core.domain.suggesting.scoring import (
    LabelScore,
    ScoredSpan,
    SpeakerScore,
    score_labels,
    score_speakers,
    totals,
)
from annotator.core.services.annotators import AnnotatorService
from annotator.core.services.documents import DocumentService
from annotator.core.services.team_reading import read_work
from annotator.core.storage.db import Database
from annotator.core.storage.models import Relation, SuggestionRow

ALL = "all"  # every engine together (shown when there are several)
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class EngineScores:
    engine: str
    labels: dict[str, LabelScore]
    total: LabelScore
    speakers: SpeakerScore


@dataclass(frozen=True)
class Evaluation:
    against: str
    documents: int
    engines: tuple[EngineScores, ...]

    def as_json(self) -> dict[str, Any]:
        def label(score: LabelScore) -> dict[str, Any]:
            return {
                "found": score.found,
                "suggested": score.suggested,
                "reference": score.reference,
                "precision": round(score.precision, 4),
                "recall": round(score.recall, 4),
                "f1": round(score.f1, 4),
            }

        return {
            "against": self.against,
            "documents": self.documents,
            "min_overlap": MIN_OVERLAP,
            "engines": {
                e.engine: {
                    "labels": {name: label(s) for name, s in e.labels.items()},
                    "total": label(e.total),
                    "speakers": {
                        "right": e.speakers.right,
                        "judged": e.speakers.judged,
                        "accuracy": round(e.speakers.accuracy, 4),
                    },
                }
                for e in self.engines
            },
        }


@dataclass
class _Side:
    """One side's spans and statement-speaker pairs over all documents."""

    spans: list[ScoredSpan]
    frames: list[tuple[ScoredSpan, ScoredSpan | None]]


def evaluate(
    db: Database,
    documents: DocumentService,
    schema: Schema,
    against: str,
    engines: Sequence[str] | None = None,
) -> Evaluation:
    annotators = AnnotatorService(db)
    reference = annotators.find(against)
    if reference is None:
        raise ValidationError(f"no annotator or layer called {against!r} in this database")
    if reference.kind == layers.SUGGESTIONS:
        raise ValidationError(
            "the suggestions cannot be their own reference; name a person or gold"
        )
    machine = annotators.find(layers.SUGGESTIONS)
    with db.read() as s:
        stored = s.scalar(select(SuggestionRow.id).limit(1)) is not None
    if machine is None or not stored:
        raise ValidationError("no suggestions in this database yet: run `annotator suggest`")
    work = read_work(db, [reference], statuses=("done",), extra_layers=[machine])
    meta = _Meta(db, [w.id for w in work])
    roles = frame_roles(schema)
    names = list(dict.fromkeys(engines)) if engines else meta.engine_names()
    ref = _Side([], [])
    together = [ALL] if len(names) > 1 else []  # one engine alone is all of them
    mine: dict[str, _Side] = {name: _Side([], []) for name in [*names, *together]}
    for doc in work:
        text = documents.text(doc.id)
        theirs = doc.layers[reference.name]
        _add(ref, text, theirs.spans, theirs.relations, roles, {})
        ours = doc.layers[layers.SUGGESTIONS]
        for name, side in mine.items():
            spans = [s for s in ours.spans if meta.span_by(s, name)]
            links = [link for link in ours.relations if meta.link_by(link, name)]
            _add(side, text, spans, links, roles, meta.refers_to)
    results = []
    for name, side in mine.items():
        offered = {s.label for s in side.spans}
        reference_spans = [r for r in ref.spans if name == ALL or r.label in offered]
        scores = score_labels(side.spans, reference_spans, MIN_OVERLAP)
        results.append(
            EngineScores(
                name,
                scores,
                totals(scores.values()),
                score_speakers(side.frames, ref.frames, MIN_OVERLAP),
            )
        )
    return Evaluation(reference.name, len(work), tuple(results))


def _add(
    side: _Side,
    text: str,
    spans: Sequence[SpanItem],
    links: Sequence[LinkItem],
    roles: FrameRoles | None,
    refers: dict[int, str],
) -> None:
    scored = {
        s.id: ScoredSpan(s.start, s.end, s.label, text[s.start : s.end], refers.get(s.id, ""))
        for s in spans
    }
    side.spans.extend(scored.values())
    if roles is None or roles.speaker_relation is None:
        return
    speaker_of = {
        link.source_id: scored.get(link.target_id)
        for link in links
        if link.label == roles.speaker_relation
    }
    for s in spans:
        if s.label == roles.statement_label:
            side.frames.append((scored[s.id], speaker_of.get(s.id)))


class _Meta:
    """Which engines proposed each stored span and link, and whom a mention refers to."""

    def __init__(self, db: Database, document_ids: list[int]) -> None:
        self.spans: dict[int, tuple[str, ...]] = {}
        self.links: dict[tuple[str, int, int], tuple[str, ...]] = {}
        self.refers_to: dict[int, str] = {}
        with db.read() as s:
            rows = s.execute(
                select(SuggestionRow, Relation.label, Relation.source_id, Relation.target_id)
                .outerjoin(Relation, Relation.id == SuggestionRow.relation_id)
                .where(SuggestionRow.document_id.in_(document_ids))
            )
            for row, label, source, target in rows:
                if row.span_id is not None:
                    self.spans[row.span_id] = tuple(row.engines)
                    self.refers_to[row.span_id] = row.refers_to
                elif label is not None:
                    self.links[(label, source, target)] = tuple(row.engines)

    def engine_names(self) -> list[str]:
        return sorted({e for engines in self.spans.values() for e in engines})

    def span_by(self, span: SpanItem, engine: str) -> bool:
        return engine == ALL or engine in self.spans.get(span.id, ())

    def link_by(self, link: LinkItem, engine: str) -> bool:
        key = (link.label, link.source_id, link.target_id)
        return engine == ALL or engine in self.links.get(key, ())
