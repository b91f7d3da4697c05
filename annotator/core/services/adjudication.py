"""Adjudication into the gold layer: the automatic step, document by document.

Each document's agreed spans and links go into gold in one transaction, through the same rule
book as every other edit, so a gold layer is always one the editor could have made. Running it
again adds nothing twice: what gold already holds is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotator.core.domain.adjudicating import Decision, Layer, Undecided, decide, span_key
from annotator.core.domain.errors import AnnotatorError, ValidationError
from annotator.core.domain.layers import GOLD
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
from annotator.core.storage.db import Database


@dataclass
class DocumentOutcome:
    key: str
    annotators: tuple[str, ...]
    spans_added: int = 0
    links_added: int = 0
    undecided: list[Undecided] = field(default_factory=list)


@dataclass
class AdjudicationReport:
    min_agree: int
    annotators: tuple[str, ...]
    documents: list[DocumentOutcome] = field(default_factory=list)

    @property
    def spans_added(self) -> int:
        return sum(d.spans_added for d in self.documents)

    @property
    def links_added(self) -> int:
        return sum(d.links_added for d in self.documents)

    @property
    def undecided(self) -> int:
        return sum(len(d.undecided) for d in self.documents)


def auto_adjudicate(
    db: Database,
    gold: AnnotationService,
    *,
    min_agree: int = 2,
    annotators: Sequence[str] | None = None,
    statuses: Sequence[str] | None = ("done",),
    documents: Sequence[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> AdjudicationReport:
    """Copy into gold what at least ``min_agree`` of the annotators agree on, per document."""
    if min_agree < 1:
        raise ValidationError("--min-agree must be at least 1")
    people = choose_layers(db, annotators)
    if len(people) < min_agree:
        raise ValidationError(
            f"--min-agree {min_agree} needs at least {min_agree} annotators; {len(people)} chosen"
        )
    work = read_work(
        db, people, statuses=statuses, documents=documents, extra_layers=[gold.annotator]
    )
    report = AdjudicationReport(min_agree, tuple(p.name for p in people))
    for n, doc in enumerate(work):
        names = tuple(n for n in doc.layers if n != GOLD)
        if len(names) >= min_agree:
            report.documents.append(_adjudicate(gold, doc, names, min_agree))
        if progress is not None:
            progress(n + 1, len(work))
    return report


def _adjudicate(
    gold: AnnotationService, doc: DocumentWork, names: tuple[str, ...], min_agree: int
) -> DocumentOutcome:
    layers = {n: Layer(doc.layers[n].spans, doc.layers[n].relations) for n in names}
    current = doc.layers[GOLD]
    decision: Decision = decide(layers, Layer(current.spans, current.relations), min_agree)
    outcome = DocumentOutcome(doc.key, names, undecided=list(decision.undecided))
    if not decision.spans and not decision.links:
        return outcome
    ids = {span_key(s): s.id for s in current.spans}
    with gold.batch() as batch:
        for agreed in decision.spans:
            start, end, label = agreed.key
            try:
                with batch.savepoint():
                    made = batch.create_span(doc.id, start, end, label, agreed.attributes)
            except AnnotatorError as refused:  # e.g. gold holds an overlapping span
                outcome.undecided.append(
                    Undecided("span", agreed.key, agreed.supporters, f"gold refused it: {refused}")
                )
                continue
            ids[agreed.key] = made.id
            outcome.spans_added += 1
        for source, target, relation in decision.links:
            if source not in ids or target not in ids:
                continue
            try:
                with batch.savepoint():
                    batch.link(ids[source], ids[target], relation)
            except AnnotatorError as refused:
                outcome.undecided.append(
                    Undecided("link", (source, target, relation), (), f"gold refused it: {refused}")
                )
                continue
            outcome.links_added += 1
    return outcome
