"""Storing one document's suggestions in the suggestions layer, and reading them back.

A run replaces the open suggestions of the engines it runs (those nobody has decided on yet)
and keeps every decided one: a person's "rejected" is not undone by running the engines again,
and a span accepted from the layer stays explicable. New spans and links go in through the
rule book's bulk path (``gold_writing``): what the schema refuses is left out and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, exists, insert, or_, select, type_coerce
from sqlalchemy.orm import Session

from annotator.core.domain import jsonio
from annotator.core.domain.adjudicating import AgreedSpan, LinkKey, SpanKey
from annotator.core.domain.collector import collector_paused
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.domain.suggesting.composer import Composition
from annotator.core.domain.suggesting.stored import OPEN, ComputeReport, StoredSuggestion
from annotator.core.services.annotations import AnnotationService, EditBatch
from annotator.core.services.documents import set_status_in
from annotator.core.services.gold_writing import DocumentPlan, GoldPlanner, Written, write_plans
from annotator.core.storage.models import Relation, Span, SuggestionDecision, SuggestionRow, utcnow

IMPORTED = "imported"  # the engine name of layer rows that came without engine data
IMPORTED_CONFIDENCE = 0.5


def _decided(row_id: Any) -> Any:
    return exists().where(SuggestionDecision.suggestion_id == row_id)


def store_document(
    batch: EditBatch,
    planner: GoldPlanner,
    layer: AnnotationService,
    document_id: int,
    composition: Composition,
    engines: Sequence[str],
    report: ComputeReport,
) -> None:
    """Replace the document's open suggestions of ``engines`` by ``composition``."""
    s = batch.session
    run = set(engines)
    owner = layer.annotator
    _adopt_orphans(s, document_id, owner.id)
    _retire_open(batch, document_id, run)
    spans = {
        (r.start, r.end, r.label): r
        for r in s.scalars(
            select(Span).where(Span.document_id == document_id, Span.annotator_id == owner.id)
        )
    }
    links = {
        (r.source_id, r.target_id, r.label): r
        for r in s.scalars(
            select(Relation).where(
                Relation.document_id == document_id, Relation.annotator_id == owner.id
            )
        )
    }
    meta = _meta_by_target(s, document_id)
    decided = set(
        s.scalars(
            select(SuggestionDecision.suggestion_id)
            .join(SuggestionRow, SuggestionRow.id == SuggestionDecision.suggestion_id)
            .where(SuggestionRow.document_id == document_id)
        )
    )
    new_spans = []
    for merged in composition.spans:
        have = spans.get(merged.place)
        if have is None:
            new_spans.append(AgreedSpan(merged.place, dict(merged.span.attributes), ()))
            continue
        _refresh(meta.get(("span", have.id)), decided, merged.engines, merged.span.confidence)
    ids: dict[SpanKey, int] = {key: row.id for key, row in spans.items()}
    new_links: list[LinkKey] = []
    for link in composition.links:
        source, target = ids.get(link.source), ids.get(link.target)
        have_link = links.get((source, target, link.label)) if source and target else None
        if have_link is None:
            new_links.append(link.place)
        else:
            _refresh(meta.get(("link", have_link.id)), decided, link.engines, link.confidence)
    plan = planner.plan(
        document_id,
        [(row.id, key) for key, row in spans.items()],
        [(r.label, r.source_id, r.target_id) for r in links.values()],
        new_spans,
        new_links,
    )
    report.refused += len(plan.refused)
    if plan.spans or plan.links:
        (written,) = write_plans(s, [plan], owner, layer.schema_ref, {document_id: ids})
        _add_meta(s, document_id, composition, plan, written)
    # "done" for the engines: a training export of the layer (default: done documents) has it.
    set_status_in(s, document_id, owner.id, "done")
    _count(report, composition, plan.refused)


def _adopt_orphans(s: Session, document_id: int, layer_id: int) -> None:
    """Rows of the layer without engine data (a native backup imported, or a database taken
    down below 0007 and up again) become open suggestions of the engine "imported": a run of
    other engines keeps them, and merges with them where it finds the same."""
    have_spans = select(SuggestionRow.span_id).where(SuggestionRow.span_id.is_not(None))
    have_links = select(SuggestionRow.relation_id).where(SuggestionRow.relation_id.is_not(None))
    spans = s.scalars(
        select(Span.id).where(
            Span.document_id == document_id,
            Span.annotator_id == layer_id,
            Span.id.not_in(have_spans),
        )
    ).all()
    links = s.scalars(
        select(Relation.id).where(
            Relation.document_id == document_id,
            Relation.annotator_id == layer_id,
            Relation.id.not_in(have_links),
        )
    ).all()
    rows = [
        {
            "document_id": document_id,
            "span_id": span_id,
            "relation_id": relation_id,
            "engines": [IMPORTED],
            "confidence": IMPORTED_CONFIDENCE,
            "evidence": "in the layer without engine data",
            "refers_to": "",
            "created_at": utcnow(),
        }
        for span_id, relation_id in [*((i, None) for i in spans), *((None, i) for i in links)]
    ]
    if rows:
        s.execute(insert(SuggestionRow), rows)


def _retire_open(batch: EditBatch, document_id: int, run: set[str]) -> None:
    """Open suggestions of the engines run lose those engines; with none left, they go."""
    s = batch.session
    rows = s.scalars(
        select(SuggestionRow).where(
            SuggestionRow.document_id == document_id, ~_decided(SuggestionRow.id)
        )
    ).all()
    held = _held_by_decided_links(s, document_id)
    gone_spans, gone_links = [], []
    for row in rows:
        left = [e for e in row.engines if e not in run]
        if left:
            row.engines = left
        elif row.span_id is not None and row.span_id not in held:
            gone_spans.append(row.span_id)
        elif row.relation_id is not None:
            gone_links.append(row.relation_id)
    s.flush()
    for relation_id in gone_links:
        if s.get(Relation, relation_id) is not None:
            batch.unlink(relation_id)
    for span_id in gone_spans:
        batch.delete_span(span_id)  # with its links (their rows go by cascade)
    s.flush()


def _held_by_decided_links(s: Session, document_id: int) -> set[int]:
    """Spans at either end of a decided link: kept, so that the decision keeps its link."""
    query = (
        select(Relation.source_id, Relation.target_id)
        .join(SuggestionRow, SuggestionRow.relation_id == Relation.id)
        .where(SuggestionRow.document_id == document_id, _decided(SuggestionRow.id))
    )
    return {ident for pair in s.execute(query) for ident in pair}


def _meta_by_target(s: Session, document_id: int) -> dict[tuple[str, int], SuggestionRow]:
    found: dict[tuple[str, int], SuggestionRow] = {}
    for row in s.scalars(select(SuggestionRow).where(SuggestionRow.document_id == document_id)):
        if row.span_id is not None:
            found[("span", row.span_id)] = row
        elif row.relation_id is not None:
            found[("link", row.relation_id)] = row
    return found


def _refresh(
    row: SuggestionRow | None, decided: set[int], engines: Sequence[str], confidence: float
) -> None:
    """An open suggestion found again: it gains the engines, and the higher confidence."""
    if row is None or row.id in decided:
        return
    row.engines = list(dict.fromkeys([*row.engines, *engines]))
    row.confidence = max(row.confidence, confidence)


def _add_meta(
    s: Session, document_id: int, composition: Composition, plan: DocumentPlan, written: Written
) -> None:
    by_place = {m.place: m for m in composition.spans}
    links = {m.place: m for m in composition.links}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for (key, _), span_id in zip(plan.spans, written.span_ids, strict=True):
        merged = by_place[key]
        rows.append(
            {
                "document_id": document_id,
                "span_id": span_id,
                "relation_id": None,
                "engines": list(merged.engines),
                "confidence": merged.span.confidence,
                "evidence": merged.span.evidence,
                "refers_to": merged.span.refers_to,
                "created_at": now,
            }
        )
    for link_key, relation_id in zip(plan.links, written.link_ids, strict=True):
        link = links[link_key]
        rows.append(
            {
                "document_id": document_id,
                "span_id": None,
                "relation_id": relation_id,
                "engines": list(link.engines),
                "confidence": link.confidence,
                "evidence": "",
                "refers_to": "",
                "created_at": now,
            }
        )
    if rows:
        s.execute(insert(SuggestionRow), rows)


def _count(report: ComputeReport, composition: Composition, refused: list[Any]) -> None:
    left_out = {key for _, key, _ in refused}
    for merged in composition.spans:
        if merged.place not in left_out:
            for engine in merged.engines:
                report.spans[engine] = report.spans.get(engine, 0) + 1
    for link in composition.links:
        if link.place not in left_out:
            for engine in link.engines:
                report.links[engine] = report.links.get(engine, 0) + 1


# -- reading --


def read_suggestions(
    s: Session,
    document_id: int,
    layer_id: int,
    annotator_id: int | None,
    around: SuggestionRow | None = None,
) -> list[StoredSuggestion]:
    """The document's suggestions in text order (spans, then links), with the decision of
    ``annotator_id`` (None: of anyone, the latest).

    ``around``: only that suggestion and what deciding it reads: for a span, the links that
    start or end at it and the spans at their other ends (its frame, and what rejecting it
    closes); for a link, its two spans. A decision on a long article's 17,000 suggestions
    read them all, twice, for each key.

    Plain rows through Core, JSON decoded by ``jsonio``, the cyclic collector paused: a long
    article has tens of thousands, and ORM objects made its reopening take seconds."""
    about = (
        SuggestionRow.id,
        type_coerce(SuggestionRow.engines, Text),
        SuggestionRow.confidence,
        SuggestionRow.evidence,
        SuggestionRow.refers_to,
    )
    span_query = (
        select(
            *about,
            Span.id,
            Span.annotator_id,
            Span.start,
            Span.end,
            Span.label,
            type_coerce(Span.attributes, Text),
        )
        .join(Span, Span.id == SuggestionRow.span_id)
        .where(SuggestionRow.document_id == document_id, Span.annotator_id == layer_id)
        .order_by(Span.start, Span.end, Span.id)
    )
    link_query = (
        select(
            *about,
            Relation.id,
            Relation.annotator_id,
            Relation.label,
            Relation.source_id,
            Relation.target_id,
            type_coerce(Relation.attributes, Text),
        )
        .join(Relation, Relation.id == SuggestionRow.relation_id)
        .where(SuggestionRow.document_id == document_id, Relation.annotator_id == layer_id)
        .order_by(Relation.id)
    )
    decision_query = (
        select(SuggestionDecision.suggestion_id, SuggestionDecision.decision)
        .join(SuggestionRow, SuggestionRow.id == SuggestionDecision.suggestion_id)
        .where(SuggestionRow.document_id == document_id)
        .order_by(SuggestionDecision.decided_at)
    )
    if annotator_id is not None:
        decision_query = decision_query.where(SuggestionDecision.annotator_id == annotator_id)
    connection = s.connection()
    with collector_paused():
        if around is None:
            links = connection.execute(link_query).all()
            spans = connection.execute(span_query).all()
        else:
            near = (
                or_(Relation.source_id == around.span_id, Relation.target_id == around.span_id)
                if around.span_id is not None
                else Relation.id == around.relation_id
            )
            links = connection.execute(link_query.where(near)).all()
            ends = {around.span_id} | {k[8] for k in links} | {k[9] for k in links}
            ends.discard(None)
            spans = connection.execute(span_query.where(Span.id.in_(ends))).all()
            ids = [r[0] for r in spans] + [k[0] for k in links]
            decision_query = decision_query.where(SuggestionDecision.suggestion_id.in_(ids))
        decisions = {ident: decision for ident, decision in connection.execute(decision_query)}
        found: list[StoredSuggestion] = []
        for r in spans:
            span = SpanRecord(r[5], document_id, r[6], r[7], r[8], r[9], _json(r[10], {}))
            found.append(_stored(document_id, r, span, None, decisions))
        for k in links:
            rel = RelationRecord(k[5], document_id, k[6], k[7], k[8], k[9], _json(k[10], {}))
            found.append(_stored(document_id, k, None, rel, decisions))
    return found


def _json(value: Any, empty: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (PostgreSQL's driver)."""
    if value is None or value == "":
        return empty
    return jsonio.loads(value) if isinstance(value, (str, bytes)) else value


def _stored(
    document_id: int,
    row: Any,
    span: SpanRecord | None,
    relation: RelationRecord | None,
    decisions: dict[int, str],
) -> StoredSuggestion:
    """``row`` starts with the suggestion's id, engines (JSON), confidence, evidence and
    what it refers to."""
    return StoredSuggestion(
        id=row[0],
        document_id=document_id,
        span=span,
        relation=relation,
        engines=tuple(_json(row[1], ())),
        confidence=row[2],
        evidence=row[3] or "",
        refers_to=row[4] or "",
        decision=decisions.get(row[0], OPEN),
    )
