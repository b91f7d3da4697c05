"""Machine suggestions as a stored layer: computed by the engines, decided on by people.

Suggested spans and links are ordinary rows of the "suggestions" annotator, beside which
``suggestions`` rows keep what the engines said (engines, confidence, evidence) and
``suggestion_decisions`` each person's decision. Nothing here writes a person's layer but
``accept_frame`` and ``accept_span``, through that person's rule book, in one transaction
each, with ``undo_accept`` as their inverse.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from annotator.core.domain import layers
from annotator.core.domain.collector import collector_paused
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.domain.suggesting.composer import compose
from annotator.core.domain.suggesting.frames import Cancelled, Engine, frame_roles
from annotator.core.domain.suggesting.registry import (
    DEFAULT_ENGINES,
    available_engines,
    make_engine,
)
from annotator.core.domain.suggesting.stored import (
    ACCEPTED,
    EDITED,
    OPEN,
    REJECTED,
    AcceptResult,
    ComputeReport,
    Decision,
    Frame,
    StoredSuggestion,
    frames_after,
    open_frames,
)
from annotator.core.services.annotations import AnnotationService, EditBatch
from annotator.core.services.documents import DocumentService
from annotator.core.services.gold_writing import GoldPlanner
from annotator.core.services.suggestion_store import read_suggestions, store_document
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Relation,
    Span,
    SuggestionDecision,
    SuggestionRow,
    utcnow,
)

if TYPE_CHECKING:  # evaluating reads the team's layers: imported when asked for
    from annotator.core.services.suggestion_eval import Evaluation


MODEL_ENGINE = "model"  # trained on the team's done documents (services/suggest_model)

LayerOf = Callable[[str], AnnotationService]


class SuggestionService:
    """Compute, read and decide on suggestions under one schema."""

    def __init__(
        self,
        db: Database,
        documents: DocumentService,
        schema: Schema,
        layer_of: LayerOf,
        model_dir: Path | None = None,
    ) -> None:
        self._db = db
        self._documents = documents
        self.schema = schema
        self._layer_of = layer_of
        self.model_dir = model_dir  # where the trained model engine's model is kept

    @cached_property
    def layer(self) -> AnnotationService:
        """The suggestions layer (made on first use: evaluating alone writes nothing)."""
        return self._layer_of(layers.SUGGESTIONS)

    # -- computing --

    def compute(
        self,
        document_ids: Sequence[int] | None = None,
        engines: Sequence[str] | None = None,
        cancelled: Cancelled | None = None,
        progress: Progress | None = None,
    ) -> ComputeReport:
        """Run the engines (by name; None: every one this installation has) on the documents
        (None: all) and store what they suggest, one transaction per document. A document's
        open suggestions of these engines are replaced; decided ones stay. Cancelling (or
        ``progress`` returning False) stops between documents: those done stay stored."""
        runners = self._runners(engines)
        names = [r.name for r in runners]
        ids = list(document_ids) if document_ids is not None else self._documents.ids(None)
        roles = frame_roles(self.schema)
        planner = GoldPlanner(self.schema)
        report = ComputeReport(engines=tuple(names))
        for done, document_id in enumerate(ids):
            if (cancelled is not None and cancelled()) or (
                progress is not None and progress(done, len(ids)) is False
            ):
                report.cancelled = True
                break
            text = self._documents.text(document_id)
            runs = [r.suggest(text, cancelled=cancelled) for r in runners]
            if cancelled is not None and cancelled():
                report.cancelled = True  # this document's runs may be cut short: not stored
                break
            with self.layer.batch() as batch:
                store_document(
                    batch, planner, self.layer, document_id, compose(runs, roles), names, report
                )
            report.documents += 1
        else:
            if progress is not None:
                progress(len(ids), len(ids))
        return report

    def _runners(self, engines: Sequence[str] | None) -> list[Engine]:
        """The engines asked for, or every one this installation can run: the rule engines,
        and the model engine once a model has been trained (``annotator suggest --train``)."""
        from annotator.core.services.suggest_model import ModelEngine, ModelUnavailable

        if not engines:
            found = available_engines(self.schema, DEFAULT_ENGINES)
            if self.model_dir is not None and ModelEngine.available(self.model_dir):
                found.append(ModelEngine(self.model_dir))
            return found
        runners: list[Engine] = []
        for name in dict.fromkeys(engines):
            if name != MODEL_ENGINE:
                runners.append(make_engine(name, self.schema))
            elif self.model_dir is None or not ModelEngine.available(self.model_dir):
                raise ModelUnavailable(
                    "no trained model for this database (train one: annotator suggest --train)"
                )
            else:
                runners.append(ModelEngine(self.model_dir))
        return runners

    # -- reading --

    def computed(self, document_id: int) -> bool:
        """Whether any engine has stored suggestions for the document (one row looked up, not
        all of them read: the window asks at every opening)."""
        with self._db.read() as s:
            query = select(SuggestionRow.id).where(SuggestionRow.document_id == document_id)
            return s.scalar(query.limit(1)) is not None

    def suggestions(self, document_id: int, annotator: str | None = None) -> list[StoredSuggestion]:
        """Every suggestion on a document, spans in text order then links, with the decision
        of ``annotator`` (None: the latest anyone made)."""
        person = None
        if annotator is not None:  # someone not in the database yet has decided nothing
            person = self._annotator_id(annotator) or -1
        with self._db.read() as s:
            return read_suggestions(s, document_id, self.layer.annotator.id, person)

    def open_frames(self, document_id: int, annotator: str | None = None) -> list[Frame]:
        """The open suggestions as frames in text order (``stored.open_frames``): each open
        statement with its open links and their spans, and each open span no open statement
        links to, alone. ``annotator``: open for that person (None: decided by nobody)."""
        return self._frames(self.suggestions(document_id, annotator))

    def frames_after(
        self, frames: Sequence[Frame], closed: Collection[int], decision: str
    ) -> list[Frame]:
        """The open frames once ``closed`` are decided, from ``frames`` (the open frames as
        read before the decision), without reading (``stored.frames_after``)."""
        with collector_paused():
            return frames_after(frames, closed, decision, self._statement_label())

    def _frames(self, found: list[StoredSuggestion]) -> list[Frame]:
        with collector_paused():  # tens of thousands of small acyclic records
            return open_frames(found, self._statement_label())

    def _statement_label(self) -> str | None:
        """The label whose spans head frames (STATEMENT), if the schema has frames."""
        roles = frame_roles(self.schema)
        return roles.statement_label if roles is not None else None

    def decisions(self) -> list[Decision]:
        """Every decision anyone made, oldest first (what evaluation of the engines reads)."""
        query = (
            select(SuggestionDecision, SuggestionRow, Annotator.name, Span.label, Relation.label)
            .join(SuggestionRow, SuggestionRow.id == SuggestionDecision.suggestion_id)
            .join(Annotator, Annotator.id == SuggestionDecision.annotator_id)
            .outerjoin(Span, Span.id == SuggestionRow.span_id)
            .outerjoin(Relation, Relation.id == SuggestionRow.relation_id)
            .order_by(SuggestionDecision.decided_at, SuggestionDecision.suggestion_id)
        )
        with self._db.read() as s:
            return [
                Decision(
                    suggestion_id=row.id,
                    document_id=row.document_id,
                    kind="span" if row.span_id is not None else "link",
                    label=span_label or link_label or "",
                    engines=tuple(row.engines),
                    confidence=row.confidence,
                    annotator=name,
                    decision=d.decision,
                    decided_at=d.decided_at,
                    result_id=d.result_id,
                )
                for d, row, name, span_label, link_label in s.execute(query)
            ]

    def evaluate(self, against_layer: str, engines: Sequence[str] | None = None) -> Evaluation:
        """Precision, recall and F1 per engine and label, and speaker accuracy, of the stored
        suggestions against a person's or gold's layer, on the documents it marked done."""
        from annotator.core.services.suggestion_eval import evaluate

        return evaluate(self._db, self._documents, self.schema, against_layer, engines)

    # -- deciding --

    def accept_frame(
        self, annotator: str, statement_suggestion_id: int, *, skip_refused: bool = False
    ) -> AcceptResult:
        """Copy an open statement, its open links with their spans and the values they imply
        into ``annotator``'s layer, in one transaction, and mark them accepted.

        A span the person already has (same edges and label) is used, not duplicated. What
        the rule book refuses (a weapon overlapping one of theirs) fails the whole call and
        nothing is written, unless ``skip_refused``: then that link and its span are left out
        and reported in ``refused``."""
        person = self._person(annotator)
        head, near = self._around(statement_suggestion_id, person.annotator.id, want_span=True)
        frame = next((f for f in self._frames(near) if f.head.id == head.id), Frame(head))
        return self._accept(person, frame, skip_refused)

    def accept_span(self, annotator: str, suggestion_id: int) -> AcceptResult:
        """Copy one open suggested span (without links) into ``annotator``'s layer."""
        person = self._person(annotator)
        head, _near = self._around(suggestion_id, person.annotator.id, want_span=True)
        return self._accept(person, Frame(head), False)

    def _accept(self, person: AnnotationService, frame: Frame, skip: bool) -> AcceptResult:
        head = frame.head
        assert head.span is not None
        doc = head.document_id
        created: list[Any] = []
        made_links: list[Any] = []
        reused: list[int] = []
        accepted: list[int] = []
        refused: list[tuple[int, str]] = []
        with person.batch() as batch:
            s = batch.session
            theirs = select(Span.start, Span.end, Span.label, Span.id).where(
                Span.document_id == doc, Span.annotator_id == person.annotator.id
            )
            mine = {(start, end, label): ident for start, end, label, ident in s.execute(theirs)}

            def place(suggestion: StoredSuggestion) -> int:
                span = suggestion.span
                assert span is not None
                key = (span.start, span.end, span.label)
                if key in mine:
                    reused.append(mine[key])
                else:
                    record = batch.create_span(
                        doc, span.start, span.end, span.label, dict(span.attributes)
                    )
                    created.append(record)
                    mine[key] = record.id
                if suggestion.decision == OPEN and suggestion.id not in accepted:
                    _decide(batch, suggestion.id, person.annotator.id, ACCEPTED, mine[key])
                    accepted.append(suggestion.id)
                return mine[key]

            source = place(head)
            for link, target in frame.parts:
                marks = (len(created), len(made_links), len(reused), len(accepted), dict(mine))
                try:
                    with batch.savepoint():
                        target_id = place(target)
                        relation_id = _existing_link(s, source, target_id, link.label)
                        if relation_id is None:
                            made = batch.link(source, target_id, link.label)
                            made_links.append(made)
                            relation_id = made.id
                        _decide(batch, link.id, person.annotator.id, ACCEPTED, relation_id)
                        accepted.append(link.id)
                except ValidationError as exc:
                    if not skip:
                        raise
                    refused.append((link.id, str(exc)))
                    # The savepoint took back what this part made: so do the lists.
                    del created[marks[0] :], made_links[marks[1] :]
                    del reused[marks[2] :], accepted[marks[3] :]
                    mine.clear()
                    mine.update(marks[4])
        return AcceptResult(
            annotator=person.annotator.name,
            document_id=doc,
            spans=tuple(created),
            relations=tuple(made_links),
            reused=tuple(dict.fromkeys(reused)),
            accepted=tuple(accepted),
            refused=tuple(refused),
        )

    def undo_accept(self, result: AcceptResult) -> None:
        """The inverse of an accept, in one transaction: the links and spans it created are
        deleted and its decisions are open again (spans it reused stay as they are)."""
        person = self._person(result.annotator)
        with person.batch() as batch:
            for rel in result.relations:
                if batch.session.get(Relation, rel.id) is not None:
                    batch.unlink(rel.id)
            for span in result.spans:
                batch.delete_span(span.id)
            _reopen(batch, result.accepted, person.annotator.id)

    def reject(self, annotator: str, suggestion_id: int) -> tuple[int, ...]:
        """Mark a suggestion rejected by ``annotator``; a span's open links (a statement's
        frame) with it. Returns the suggestion ids rejected (``reopen`` undoes it)."""
        person = self._person(annotator)
        target, near = self._around(suggestion_id, person.annotator.id)
        ids = [target.id]
        if target.span is not None:
            for other in near:  # the links at its span
                rel = other.relation
                if (
                    rel is not None
                    and other.decision == OPEN
                    and target.span.id
                    in (
                        rel.source_id,
                        rel.target_id,
                    )
                ):
                    ids.append(other.id)
        with person.batch() as batch:
            for ident in ids:
                _decide(batch, ident, person.annotator.id, REJECTED, None)
        return tuple(ids)

    def reopen(self, annotator: str, suggestion_ids: Sequence[int]) -> None:
        """Undo of ``reject``: the suggestions are open again for ``annotator``."""
        person = self._person(annotator)
        with person.batch() as batch:
            _reopen(batch, suggestion_ids, person.annotator.id)

    def mark_edited(self, annotator: str, suggestion_id: int) -> None:
        """An accepted suggestion the person then changed in their layer (edges or values):
        evaluation counts it as a near miss, not a hit."""
        person = self._person(annotator)
        with person.batch() as batch:
            row = batch.session.get(SuggestionDecision, (suggestion_id, person.annotator.id))
            if row is None or row.decision not in (ACCEPTED, EDITED):
                raise ValidationError(f"suggestion #{suggestion_id} is not accepted by you")
            row.decision, row.decided_at = EDITED, utcnow()

    def span_edited(self, annotator: str, span_id: int) -> int | None:
        """The person changed the edges or label of a span they accepted from a suggestion:
        that decision becomes edited. Returns the suggestion's id, or None when the span came
        from no suggestion (most spans), in which case nothing is written."""
        person = self._person(annotator)
        query = (
            select(SuggestionDecision.suggestion_id)
            .join(SuggestionRow, SuggestionRow.id == SuggestionDecision.suggestion_id)
            .where(
                SuggestionDecision.annotator_id == person.annotator.id,
                SuggestionDecision.result_id == span_id,
                SuggestionDecision.decision == ACCEPTED,
                SuggestionRow.span_id.is_not(None),  # result ids of links are relation ids
            )
        )
        with self._db.read() as s:
            found = s.scalar(query)
        if found is not None:
            self.mark_edited(annotator, found)
        return found

    # -- helpers --

    def _person(self, annotator: str) -> AnnotationService:
        service = self._layer_of(annotator)
        if service.annotator.kind == layers.SUGGESTIONS:
            raise ValidationError("suggestions are accepted into a person's layer or gold")
        return service

    def _annotator_id(self, name: str) -> int | None:
        with self._db.read() as s:
            return s.scalar(select(Annotator.id).where(Annotator.name == name.strip()))

    def _around(
        self, suggestion_id: int, annotator_id: int, want_span: bool = False
    ) -> tuple[StoredSuggestion, list[StoredSuggestion]]:
        """An open suggestion to decide, and the suggestions deciding it reads (its frame; the
        links at its span), as ``annotator_id`` has decided them."""
        with self._db.read() as s:
            row = s.get(SuggestionRow, suggestion_id)
            if row is None:
                raise NotFoundError(f"suggestion #{suggestion_id} does not exist (any more)")
            found = read_suggestions(
                s, row.document_id, self.layer.annotator.id, annotator_id, around=row
            )
        suggestion = next(x for x in found if x.id == suggestion_id)
        if want_span and suggestion.span is None:
            raise ValidationError(f"suggestion #{suggestion_id} is a link, not a span")
        if suggestion.decision != OPEN:
            raise ValidationError(f"suggestion #{suggestion_id} is {suggestion.decision} already")
        return suggestion, found


def _decide(
    batch: EditBatch, suggestion_id: int, annotator_id: int, decision: str, result: int | None
) -> None:
    batch.session.add(
        SuggestionDecision(
            suggestion_id=suggestion_id,
            annotator_id=annotator_id,
            decision=decision,
            decided_at=utcnow(),
            result_id=result,
        )
    )
    batch.session.flush()


def _reopen(batch: EditBatch, suggestion_ids: Sequence[int], annotator_id: int) -> None:
    if suggestion_ids:
        batch.session.execute(
            delete(SuggestionDecision).where(
                SuggestionDecision.annotator_id == annotator_id,
                SuggestionDecision.suggestion_id.in_(list(suggestion_ids)),
            )
        )


def _existing_link(s: Any, source: int, target: int, label: str) -> int | None:
    return s.scalar(
        select(Relation.id).where(
            Relation.source_id == source, Relation.target_id == target, Relation.label == label
        )
    )
