"""Curation: the rows of one document's differences, and accepting a version into gold.

Gold is edited through its own ``AnnotationService``, so every curation edit obeys the rule book
and is committed at once like any other edit; accepting is one transaction (a span with the
links that can come with it), and undoing it is deleting that span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.domain.adjudicating import Layer, span_key
from annotator.core.domain.curating import CurationRow, Version, curation_rows
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.domain.layers import GOLD
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
from annotator.core.storage.db import Database


@dataclass(frozen=True)
class Accepted:
    """What accepting a version made in gold."""

    span: SpanRecord
    relations: tuple[RelationRecord, ...]


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

    def rows(self, work: DocumentWork) -> list[CurationRow]:
        layers = {
            name: Layer(w.spans, w.relations) for name, w in work.layers.items() if name != GOLD
        }
        gold = work.layers[GOLD]
        return curation_rows(layers, Layer(gold.spans, gold.relations))

    def accept(self, work: DocumentWork, version: Version) -> Accepted:
        """Copy one annotator's version of a span into gold, with that annotator's links from
        or to spans gold already holds (by identity)."""
        layer = work.layers.get(version.annotator)
        source = next((s for s in layer.spans if s.id == version.span_id), None) if layer else None
        if layer is None or source is None:
            raise NotFoundError(f"{version.annotator}'s span #{version.span_id} is gone")
        gold_now = {span_key(s): s.id for s in self.gold.spans(work.id)}
        if span_key(source) in gold_now:
            raise ValidationError("gold already holds this span")
        keys = {s.id: span_key(s) for s in layer.spans}
        with self.gold.batch() as batch:
            made = batch.create_span(
                work.id, source.start, source.end, source.label, dict(source.attributes)
            )
            links = []
            for rel in layer.relations:
                if rel.source_id == source.id and keys.get(rel.target_id) in gold_now:
                    links.append(batch.link(made.id, gold_now[keys[rel.target_id]], rel.label))
                elif rel.target_id == source.id and keys.get(rel.source_id) in gold_now:
                    links.append(batch.link(gold_now[keys[rel.source_id]], made.id, rel.label))
        return Accepted(made, tuple(links))
