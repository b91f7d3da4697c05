"""Curation: the rows of one document's differences, and accepting a version into gold.

Gold is edited through its own ``AnnotationService``, so every curation edit obeys the rule book
and is committed at once like any other edit; accepting is one transaction (a span with the
links that can come with it), and undoing it is deleting that span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from annotator.core.domain.adjudicating import AgreedSpan, Layer, LinkKey, SpanKey, span_key
from annotator.core.domain.agreement.items import LinkItem, SpanItem
from annotator.core.domain.curating import CurationRow, Version, curation_rows
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.domain.layers import GOLD, PERSON
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.documents import finished_by
from annotator.core.services.gold_writing import DocumentPlan, GoldPlanner, Written, write_plans
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import Annotator, Document, DocumentStatus


@dataclass(frozen=True)
class Accepted:
    """What accepting a version made in gold."""

    span: SpanRecord
    relations: tuple[RelationRecord, ...]


@dataclass(frozen=True)
class Acceptance:
    """What ``accept_many`` made in gold, and the versions gold refused (when skipping)."""

    accepted: tuple[Accepted, ...]
    refused: tuple[tuple[Version, str], ...] = ()


class CurationService:
    def __init__(self, db: Database, gold: AnnotationService) -> None:
        self._db = db
        self.gold = gold

    def work(self, document_key: str, annotators: Sequence[str] | None = None) -> DocumentWork:
        """Every person's work on one document (those with a status or spans), and gold's."""
        people = choose_layers(self._db, annotators)
        found = read_work(
            self._db,
            people,
            statuses=None,
            documents=[document_key],
            extra_layers=[self.gold.annotator],
        )
        if not found:
            raise NotFoundError(f"no document {document_key!r}")
        work = found[0]
        for name in list(work.layers):
            layer = work.layers[name]
            if name != GOLD and layer.status == "new" and not layer.spans:
                del work.layers[name]
        return work

    def rows(self, work: DocumentWork, gold: Layer | None = None) -> list[CurationRow]:
        """The rows of ``work``; ``gold``: gold's spans and links as a caller holds them now
        (the window, after an edit), instead of those read with ``work``."""
        layers = {
            name: Layer(w.spans, w.relations) for name, w in work.layers.items() if name != GOLD
        }
        if gold is None:
            held = work.layers[GOLD]
            gold = Layer(held.spans, held.relations)
        return curation_rows(layers, gold)

    def accept(self, work: DocumentWork, version: Version) -> Accepted:
        """Copy one annotator's version of a span into gold, with that annotator's links from
        or to spans gold already holds (by identity). A link gold's rules refuse (a relation
        that allows one link, which gold has already) is left out; the span still goes in."""
        return self.accept_many(work, [version]).accepted[0]

    def accept_many(
        self, work: DocumentWork, versions: Sequence[Version], *, skip_refused: bool = False
    ) -> Acceptance:
        """Copy several versions into gold in one transaction (e.g. every agreed span of a
        document): one undo step in the window. Each brings its annotator's links to spans
        gold holds or this call accepts.

        A span gold refuses (it holds that span already, or one it may not overlap) fails the
        whole call, unless ``skip_refused``: then it is left out and reported. A link gold's
        rules refuse (a relation that allows one link, which gold has already) is left out.
        The checks are the rule book's, made in memory (``gold_writing.GoldPlanner``), and the
        rows go in with a few multi-row INSERTs: thousands of spans take a fraction of a second.
        """
        by_id: dict[str, dict[int, SpanItem]] = {}
        for version in versions:
            layer = work.layers.get(version.annotator)
            if layer is not None and version.annotator not in by_id:
                by_id[version.annotator] = {s.id: s for s in layer.spans}
            if version.span_id not in by_id.get(version.annotator, {}):
                raise NotFoundError(f"{version.annotator}'s span #{version.span_id} is gone")
        gold_spans = self.gold.spans(work.id)
        gold_links = self.gold.relations(work.id)
        gold_now = {span_key(s): s.id for s in gold_spans}
        refused: list[tuple[Version, str]] = []
        chosen: dict[SpanKey, Version] = {}
        for version in versions:
            key = span_key(by_id[version.annotator][version.span_id])
            if key in gold_now or key in chosen:
                refused.append((version, "gold already holds this span"))
            else:
                chosen[key] = version
        agreed = [
            AgreedSpan(key, dict(by_id[v.annotator][v.span_id].attributes), (v.annotator,))
            for key, v in chosen.items()
        ]
        present = gold_now.keys() | chosen.keys()
        links: dict[LinkKey, dict[str, Any]] = {}  # with the chosen layer's values
        for name in {v.annotator for v in chosen.values()}:
            keys = {i: span_key(s) for i, s in by_id[name].items()}
            mine = {k for k, v in chosen.items() if v.annotator == name}
            for rel in work.layers[name].relations:
                src, tgt = keys.get(rel.source_id), keys.get(rel.target_id)
                if src is None or tgt is None or src not in present or tgt not in present:
                    continue
                if src in mine or tgt in mine:
                    links[(src, tgt, rel.label)] = dict(rel.attributes)
        plan = GoldPlanner(self.gold.schema).plan(
            work.id,
            [(s.id, span_key(s)) for s in gold_spans],
            [(r.label, r.source_id, r.target_id) for r in gold_links],
            agreed,
            list(links),
            links,
        )
        for what, refused_key, reason in plan.refused:
            if what == "span":
                refused.append((chosen[refused_key], reason))  # type: ignore[index]
        if refused and not skip_refused:
            raise ValidationError(refused[0][1])
        if not plan.spans:
            return Acceptance((), tuple(refused))
        with guarded_write(self._db) as session:
            (written,) = write_plans(
                session, [plan], self.gold.annotator, self.gold.schema_ref, {work.id: gold_now}
            )
        return Acceptance(self._accepted(work.id, plan, written, gold_now), tuple(refused))

    def _accepted(
        self, document_id: int, plan: DocumentPlan, written: Written, before: dict[SpanKey, int]
    ) -> tuple[Accepted, ...]:
        """Records of what was written: each link with the later of its spans."""
        gold = self.gold.annotator.id
        made = {key: ident for (key, _), ident in zip(plan.spans, written.span_ids, strict=True)}
        ids = {**before, **made}
        order = {key: n for n, (key, _) in enumerate(plan.spans)}
        links: dict[SpanKey, list[RelationRecord]] = defaultdict(list)
        for link, ident in zip(plan.links, written.link_ids, strict=True):
            src, tgt, label = link
            owner = max((k for k in (src, tgt) if k in order), key=order.__getitem__)
            values = plan.link_values.get(link, {})
            links[owner].append(
                RelationRecord(ident, document_id, gold, label, ids[src], ids[tgt], values)
            )
        return tuple(
            Accepted(
                SpanRecord(made[key], document_id, gold, key[0], key[1], key[2], values),
                tuple(links.get(key, ())),
            )
            for key, values in plan.spans
        )

    def next_to_curate(self, after_id: int | None = None) -> int | None:
        """The next document (after ``after_id``, wrapping round) that a person has marked
        done and gold has not finished (done or skipped): where a curator is needed next."""
        people = select(Annotator.id).where(Annotator.kind == PERSON)
        ready = select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id.in_(people), DocumentStatus.status == "done"
        )
        finished = finished_by(self.gold.annotator.id)
        waiting = (
            select(Document.id)
            .where(Document.id.in_(ready), Document.id.not_in(finished))
            .order_by(Document.id)
            .limit(1)
        )
        with self._db.read() as s:
            if after_id is not None:
                later = s.scalar(waiting.where(Document.id > after_id))
                if later is not None:
                    return int(later)
            first = s.scalar(waiting)
        return None if first is None else int(first)


def _links_by_span(relations: Sequence[LinkItem]) -> dict[int, list[LinkItem]]:
    """Each span's links, from or to it (a link to itself once)."""
    found: dict[int, list[LinkItem]] = defaultdict(list)
    for rel in relations:
        found[rel.source_id].append(rel)
        if rel.target_id != rel.source_id:
            found[rel.target_id].append(rel)
    return found
