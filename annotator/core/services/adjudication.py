"""Adjudication into the gold layer: the automatic step.

Per document, what enough annotators agree on (``domain/adjudicating.py``) is checked against
gold by the rule book and written with every other document's in one transaction
(``gold_writing.py``), so a gold layer is always one the editor could have made and a failed
run leaves gold as it was. Running it again adds nothing twice: what gold already holds is
never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotator.core.domain.adjudicating import Layer, Undecided, decide, span_key
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.faults import fault_point
from annotator.core.domain.layers import GOLD
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.gold_writing import DocumentPlan, GoldPlanner, write_plans
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
from annotator.core.services.writing import guarded_write
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
    planner = GoldPlanner(gold.schema)
    plans: list[DocumentPlan] = []
    gold_ids = {}
    for n, doc in enumerate(work):
        names = tuple(name for name in doc.layers if name != GOLD)
        if len(names) >= min_agree:
            outcome, plan = _plan(planner, doc, names, min_agree)
            report.documents.append(outcome)
            plans.append(plan)
            gold_ids[doc.id] = {span_key(s): s.id for s in doc.layers[GOLD].spans}
        if progress is not None:
            progress(n + 1, len(work))
    if any(p.spans or p.links for p in plans):
        with guarded_write(db) as session:
            write_plans(session, plans, gold.annotator, gold.schema_ref, gold_ids)
            fault_point("adjudicate-before-commit")
    return report


def _plan(
    planner: GoldPlanner, doc: DocumentWork, names: tuple[str, ...], min_agree: int
) -> tuple[DocumentOutcome, DocumentPlan]:
    layers = {n: Layer(doc.layers[n].spans, doc.layers[n].relations) for n in names}
    current = doc.layers[GOLD]
    decision = decide(layers, Layer(current.spans, current.relations), min_agree)
    by_id = {s.id: s for s in current.spans}
    plan = planner.plan(
        doc.id,
        [(s.id, span_key(s)) for s in current.spans],
        [(r.label, r.source_id, r.target_id) for r in current.relations if r.source_id in by_id],
        decision.spans,
        decision.links,
        decision.link_values,
    )
    outcome = DocumentOutcome(doc.key, names, len(plan.spans), len(plan.links))
    outcome.undecided = list(decision.undecided)
    supporters: dict[object, tuple[str, ...]] = {a.key: a.supporters for a in decision.spans}
    for what, key, reason in plan.refused:
        held = supporters.get(key, ())
        outcome.undecided.append(Undecided(what, key, held, f"gold refused it: {reason}"))
    return outcome, plan
