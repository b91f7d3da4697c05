"""Curation: the rows of one document's differences, and accepting a version into gold.

Gold is edited through its own ``AnnotationService``, so every curation edit obeys the rule book
and is committed at once like any other edit; accepting is one transaction (a span with the
links that can come with it), and undoing it is deleting that span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from annotator.core.domain.adjudicating import Layer, span_key
from annotator.core.domain.agreement.items import LinkItem, SpanItem
from annotator.core.domain.curating import CurationRow, Version, curation_rows
from annotator.core.domain.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.core.domain.layers import GOLD, PERSON
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.services.annotations import AnnotationService
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
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
        document): one undo step in the window. Each brings its links to the spans gold holds
        by then, those accepted before it included.

        A span gold refuses (it holds that span already, or one it may not overlap) fails the
        whole call, unless ``skip_refused``: then it is left out and reported.
        """
        by_id: dict[str, dict[int, SpanItem]] = {}
        for version in versions:
            layer = work.layers.get(version.annotator)
            if layer is not None and version.annotator not in by_id:
                by_id[version.annotator] = {s.id: s for s in layer.spans}
            if version.span_id not in by_id.get(version.annotator, {}):
                raise NotFoundError(f"{version.annotator}'s span #{version.span_id} is gone")
        keys = {name: {i: span_key(s) for i, s in spans.items()} for name, spans in by_id.items()}
        links_of = {name: _links_by_span(work.layers[name].relations) for name in by_id}
        gold_now = {span_key(s): s.id for s in self.gold.spans(work.id)}
        accepted: list[Accepted] = []
        refused: list[tuple[Version, str]] = []
        with self.gold.batch() as batch:
            for version in versions:
                source = by_id[version.annotator][version.span_id]
                key = span_key(source)
                try:
                    if key in gold_now:
                        raise ValidationError("gold already holds this span")
                    with batch.savepoint():
                        made = batch.create_span(
                            work.id, source.start, source.end, source.label, dict(source.attributes)
                        )
                except AnnotatorError as exc:
                    if not skip_refused:
                        raise
                    refused.append((version, str(exc)))
                    continue
                gold_now[key] = made.id
                links = []
                mine = keys[version.annotator]
                for rel in links_of[version.annotator].get(source.id, ()):
                    src, tgt = mine.get(rel.source_id), mine.get(rel.target_id)
                    if src is None or tgt is None or src not in gold_now or tgt not in gold_now:
                        continue
                    try:
                        with batch.savepoint():
                            links.append(batch.link(gold_now[src], gold_now[tgt], rel.label))
                    except AnnotatorError:
                        continue  # the span without that link: gold's rules come first
                accepted.append(Accepted(made, tuple(links)))
        return Acceptance(tuple(accepted), tuple(refused))

    def next_to_curate(self, after_id: int | None = None) -> int | None:
        """The next document (after ``after_id``, wrapping round) that a person has marked
        done and gold has not finished (done or skipped): where a curator is needed next."""
        people = select(Annotator.id).where(Annotator.kind == PERSON)
        ready = select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id.in_(people), DocumentStatus.status == "done"
        )
        finished = select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id == self.gold.annotator.id,
            DocumentStatus.status.in_(("done", "skipped")),
        )
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
