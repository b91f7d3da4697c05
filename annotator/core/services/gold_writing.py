"""Many agreed spans and links into gold at once, by the same rules as the editor's edits.

The automatic step of adjudication may add a hundred thousand spans. Made one by one through
``AnnotationService`` (a query for each overlap check, a flush for each id) that took minutes;
here each document's additions are checked in memory against gold's spans and links with the
rule book's own functions (label, values, overlap, link pair and ``max``), then every row goes
in with a few multi-row INSERTs, in one transaction: all of it is saved, or none.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotator.core.domain import rules
from annotator.core.domain.adjudicating import AgreedSpan, LinkKey, SpanKey, values_key
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.records import AnnotatorRecord, SchemaRef
from annotator.core.domain.schema import Schema
from annotator.core.storage.models import DocumentStatus, Relation, Span, utcnow


@dataclass
class _LabelPlaces:
    """Where gold has spans of one label in one document, to check a new one against."""

    overlap: bool
    starts: list[int] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # sorted by start
    taken: set[tuple[int, int]] = field(default_factory=set)

    def clashes(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """Gold's spans that touch ``start``-``end`` as far as the overlap rule needs them."""
        if (start, end) in self.taken:
            return [(ref, s, e) for s, e, ref in self.spans if (s, e) == (start, end)]
        if self.overlap:
            return []
        i = bisect.bisect_left(self.starts, start)
        near = self.spans[max(0, i - 1) : i + 1]
        return [(ref, s, e) for s, e, ref in near if s < end and e > start]

    def add(self, start: int, end: int, ref: str) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.spans.insert(i, (start, end, ref))
        self.taken.add((start, end))


@dataclass
class DocumentPlan:
    """One document's additions to gold, checked; ``refused`` says what could not go in."""

    document_id: int
    spans: list[tuple[SpanKey, dict[str, Any]]] = field(default_factory=list)
    links: list[LinkKey] = field(default_factory=list)
    refused: list[tuple[str, SpanKey | LinkKey, str]] = field(default_factory=list)
    link_values: dict[LinkKey, dict[str, Any]] = field(default_factory=dict)  # checked


class GoldPlanner:
    """Checks a document's agreed spans and links against gold as it stands plus what the
    plan already adds, with the rule book."""

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        self._values: dict[tuple[str, bytes], dict[str, Any]] = {}

    def _checked_values(self, label: str, attributes: dict[str, Any]) -> dict[str, Any]:
        key = (label, values_key(attributes))
        found = self._values.get(key)
        if found is None:
            found = rules.check_attributes(self._schema, label, attributes, apply_defaults=True)
            self._values[key] = found
        return dict(found)

    def plan(
        self,
        document_id: int,
        gold_spans: list[tuple[int, SpanKey]],  # (id, key) of what gold holds
        gold_links: list[tuple[str, int, int]],  # (relation, source id, target id)
        spans: list[AgreedSpan],
        links: list[LinkKey],
        link_values: Mapping[LinkKey, dict[str, Any]] | None = None,
    ) -> DocumentPlan:
        """``link_values``: each link's own values (stance toward), checked like a span's."""
        plan = DocumentPlan(document_id)
        places: dict[str, _LabelPlaces] = {}
        label_by_ref: dict[str, str] = {}
        ref_of: dict[SpanKey, str] = {}
        for ident, key in sorted(gold_spans, key=lambda g: g[1]):
            ref = f"#{ident}"
            label = key[2]
            lab = self._schema.label(label)
            place = places.setdefault(label, _LabelPlaces(lab.overlap if lab else True))
            place.add(key[0], key[1], ref)
            label_by_ref[ref] = label
            ref_of[key] = ref
        for agreed in spans:
            start, end, label = agreed.key
            try:
                lab = rules.label_of(self._schema, label)
                values = self._checked_values(label, agreed.attributes)
                place = places.setdefault(label, _LabelPlaces(lab.overlap))
                rules.check_overlap(label, lab.overlap, start, end, place.clashes(start, end))
            except AnnotatorError as refused:
                plan.refused.append(("span", agreed.key, str(refused)))
                continue
            ref = f"new {start}-{end} {label}"
            place.add(start, end, ref)
            label_by_ref[ref] = label
            ref_of[agreed.key] = ref
            plan.spans.append((agreed.key, values))
        targets: dict[tuple[str, str], list[str]] = defaultdict(list)
        for relation, source_id, target_id in gold_links:
            targets[(f"#{source_id}", relation)].append(f"#{target_id}")
        for link in links:
            source_key, target_key, relation = link
            source, target = ref_of.get(source_key), ref_of.get(target_key)
            if source is None or target is None:
                plan.refused.append(("link", link, "one of its spans is not in gold"))
                continue
            try:
                rules.check_link(
                    self._schema,
                    relation,
                    (source, label_by_ref[source]),
                    (target, label_by_ref[target]),
                    targets[(source, relation)],
                )
                given = (link_values or {}).get(link, {})
                checked = rules.check_relation_attributes(
                    self._schema, relation, given, apply_defaults=True
                )
            except AnnotatorError as refused:
                plan.refused.append(("link", link, str(refused)))
                continue
            targets[(source, relation)].append(target)
            plan.links.append(link)
            plan.link_values[link] = checked
        return plan


@dataclass(frozen=True)
class Written:
    """The ids one plan's rows got: its spans' in plan order, its links' in plan order."""

    span_ids: list[int]
    link_ids: list[int]


def write_plans(
    session: Session,
    plans: list[DocumentPlan],
    gold: AnnotatorRecord,
    schema_ref: SchemaRef,
    gold_ids: dict[int, dict[SpanKey, int]],
    *,
    touch_status: bool = True,
) -> list[Written]:
    """Insert every plan's spans, then its links, then "in progress" for gold where it had no
    status yet. ``gold_ids``: per document, the ids of the spans gold held before.
    ``touch_status=False``: no status (the suggestions layer, which nobody works through)."""
    now = utcnow()
    rows = [
        {
            "document_id": plan.document_id,
            "annotator_id": gold.id,
            "schema_id": schema_ref.id,
            "start": key[0],
            "end": key[1],
            "label": key[2],
            "attributes": values,
            "created_at": now,
            "updated_at": now,
        }
        for plan in plans
        for key, values in plan.spans
    ]
    ids: list[int] = []
    for i in range(0, len(rows), 5000):
        result = session.execute(
            insert(Span).returning(Span.id, sort_by_parameter_order=True), rows[i : i + 5000]
        )
        ids.extend(result.scalars())
    made = iter(ids)
    links: list[dict[str, Any]] = []
    touched: list[int] = []
    written: list[Written] = []
    for plan in plans:
        known = dict(gold_ids.get(plan.document_id, {}))
        mine = [next(made) for _ in plan.spans]
        written.append(Written(mine, []))
        for (key, _), ident in zip(plan.spans, mine, strict=True):
            known[key] = ident
        links.extend(
            {
                "document_id": plan.document_id,
                "annotator_id": gold.id,
                "schema_id": schema_ref.id,
                "label": relation,
                "source_id": known[source],
                "target_id": known[target],
                "attributes": plan.link_values.get((source, target, relation), {}),
                "created_at": now,
            }
            for source, target, relation in plan.links
        )
        if plan.spans or plan.links:
            touched.append(plan.document_id)
    link_ids: list[int] = []
    for i in range(0, len(links), 5000):
        result = session.execute(
            insert(Relation).returning(Relation.id, sort_by_parameter_order=True),
            links[i : i + 5000],
        )
        link_ids.extend(result.scalars())
    made_links = iter(link_ids)
    for plan, done in zip(plans, written, strict=True):
        done.link_ids.extend(next(made_links) for _ in plan.links)
    if not touch_status:
        return written
    has_status = set(
        session.scalars(
            select(DocumentStatus.document_id).where(DocumentStatus.annotator_id == gold.id)
        )
    )
    statuses = [
        {"document_id": d, "annotator_id": gold.id, "status": "in_progress", "updated_at": now}
        for d in touched
        if d not in has_status
    ]
    if statuses:
        session.execute(insert(DocumentStatus), statuses)
    return written
