"""Who has which document: the team lead's deal, each annotator's queue, and their progress.

Assignments only ever grow by a deal; taking one back is refused while its annotator has any
work on the document (a status or a span), so handing out work never hides or moves work done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from annotator.core.domain import layers, rules
from annotator.core.domain.assigning import DealSpec, deal, wanted_annotators
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.rules import STATUSES
from annotator.core.services.annotators import AnnotatorService
from annotator.core.services.documents import unfinished_queue
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Assignment,
    Document,
    DocumentStatus,
    Span,
    utcnow,
)


@dataclass(frozen=True)
class DealReport:
    """What a deal gave (or, dry, would give) each person, and what it could not place."""

    given: dict[str, list[str]]  # person -> document keys
    documents: int  # documents considered
    short: int  # documents that got fewer annotators than wanted (caps or too few people)
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(len(keys) for keys in self.given.values())


@dataclass(frozen=True)
class Progress:
    """One person's line of ``stats``: documents assigned, and how far they got."""

    name: str
    assigned: int
    new: int
    in_progress: int
    done: int
    skipped: int


@dataclass(frozen=True)
class AssignmentRow:
    """One line of the team lead's table: a document, who has it, and how far each got."""

    id: int
    key: str
    title: str
    assigned: frozenset[str]
    statuses: dict[str, str]  # person -> status, for the people with one on the document


class AssignmentService:
    def __init__(self, db: Database, annotators: AnnotatorService) -> None:
        self._db = db
        self._annotators = annotators

    # -- reading --

    def holders(self) -> dict[int, set[str]]:
        """Document id -> people who hold it: assigned, or with a status or spans on it."""
        held: dict[int, set[str]] = defaultdict(set)
        people = select(Annotator.id, Annotator.name).where(Annotator.kind == layers.PERSON)
        with self._db.read() as s:
            names = {i: n for i, n in s.execute(people)}
            for table in (Assignment, DocumentStatus):
                rows = select(table.document_id, table.annotator_id).distinct()
                for doc, who in s.execute(rows):
                    if who in names:
                        held[doc].add(names[who])
            spans = select(Span.document_id, Span.annotator_id).distinct()
            for doc, who in s.execute(spans):
                if who in names:
                    held[doc].add(names[who])
        return held

    def assigned(self) -> dict[int, set[str]]:
        """Document id -> people it is assigned to."""
        query = select(Assignment.document_id, Annotator.name).join(
            Annotator, Annotator.id == Assignment.annotator_id
        )
        found: dict[int, set[str]] = defaultdict(set)
        with self._db.read() as s:
            for doc, name in s.execute(query):
                found[doc].add(name)
        return found

    def queue(self, annotator_id: int) -> list[int]:
        """The documents assigned to an annotator that they have not finished, in list order."""
        with self._db.read() as s:
            return list(s.scalars(unfinished_queue(annotator_id)))

    def progress(self) -> list[Progress]:
        """Per person (and gold): assigned, and their documents in each status (over all
        documents)."""
        with self._db.read() as s:
            total = s.scalar(select(func.count()).select_from(Document)) or 0
            assigned = dict(
                s.execute(
                    select(Assignment.annotator_id, func.count()).group_by(Assignment.annotator_id)
                ).all()
            )
            counts: dict[int, dict[str, int]] = defaultdict(dict)
            rows = select(
                DocumentStatus.annotator_id, DocumentStatus.status, func.count()
            ).group_by(DocumentStatus.annotator_id, DocumentStatus.status)
            for who, status, n in s.execute(rows):
                counts[who][status] = n
        lines = []
        for person in self._annotators.all():
            if person.kind == layers.SUGGESTIONS:  # the engines' output is nobody's work
                continue
            mine = counts.get(person.id, {})
            started = sum(mine.get(st, 0) for st in STATUSES if st != "new")
            lines.append(
                Progress(
                    person.name,
                    assigned.get(person.id, 0),
                    total - started,
                    mine.get("in_progress", 0),
                    mine.get("done", 0),
                    mine.get("skipped", 0),
                )
            )
        return lines

    def grid(self, document_ids: Sequence[int]) -> list[AssignmentRow]:
        """The table rows of some documents (a page of it), in the order given."""
        if not document_ids:
            return []
        wanted = list(document_ids)
        assigned: dict[int, set[str]] = defaultdict(set)
        statuses: dict[int, dict[str, str]] = defaultdict(dict)
        with self._db.read() as s:
            docs = {
                i: (k, t)
                for i, k, t in s.execute(
                    select(Document.id, Document.key, Document.title).where(Document.id.in_(wanted))
                )
            }
            for doc, name in s.execute(
                select(Assignment.document_id, Annotator.name)
                .join(Annotator, Annotator.id == Assignment.annotator_id)
                .where(Assignment.document_id.in_(wanted))
            ):
                assigned[doc].add(name)
            for doc, name, status in s.execute(
                select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status)
                .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                .where(DocumentStatus.document_id.in_(wanted), Annotator.kind == layers.PERSON)
            ):
                statuses[doc][name] = status
        return [
            AssignmentRow(
                i, docs[i][0], docs[i][1], frozenset(assigned.get(i, ())), statuses.get(i, {})
            )
            for i in wanted
            if i in docs
        ]

    # -- writing --

    def deal(
        self,
        spec: DealSpec,
        *,
        documents: Sequence[str] | None = None,
        assigned_by: str | None = None,
        dry_run: bool = False,
    ) -> DealReport:
        """Deal documents (all, or the keys given) to ``spec.people`` in one transaction."""
        # Names as stored ("alice " is alice); a dry run creates no one, but checks every name.
        cleaned = tuple(layers.check_person_name(rules.annotator_name(p)) for p in spec.people)
        spec = replace(spec, people=cleaned)
        with self._db.read() as s:
            keys = {k: i for k, i in s.execute(select(Document.key, Document.id))}
        if documents is not None:
            unknown = [k for k in documents if k not in keys]
            if unknown:
                raise ValidationError(f"no document with key {', '.join(unknown[:5])}")
            keys = {k: keys[k] for k in documents}
        holders = self.holders()
        # Only the named people's holdings count: "2 of these 3" is about these 3.
        named = set(spec.people)
        held = {key: frozenset(holders.get(ident, set()) & named) for key, ident in keys.items()}
        given = deal(spec, list(keys), held)
        got: dict[str, int] = defaultdict(int)
        for person_keys in given.values():
            for key in person_keys:
                got[key] += 1
        wanted = wanted_annotators(spec, list(keys))
        short = sum(1 for k in keys if len(held[k]) + got[k] < wanted[k])
        if not dry_run:
            ids = {name: self._annotators.person(name).id for name in spec.people}
            now = utcnow()
            rows = [
                {
                    "document_id": keys[key],
                    "annotator_id": ids[name],
                    "assigned_by": assigned_by,
                    "seed": spec.seed,
                    "assigned_at": now,
                }
                for name, person_keys in given.items()
                for key in person_keys
            ]
            with guarded_write(self._db) as s:
                _insert(s, rows)
        return DealReport(given, len(keys), short, dry_run)

    def set_assigned(
        self, document_id: int, names: Sequence[str], *, by: str | None = None
    ) -> None:
        """Make exactly ``names`` the people a document is assigned to (the window's dialog).

        Refuses to take it from someone who has worked on it.
        """
        wanted = {self._annotators.person(n).id: n for n in names}
        with guarded_write(self._db) as s:
            current = set(
                s.scalars(
                    select(Assignment.annotator_id).where(Assignment.document_id == document_id)
                )
            )
            drop = current - set(wanted)
            _refuse_if_worked(s, document_id, drop)
            if drop:
                s.execute(
                    delete(Assignment).where(
                        Assignment.document_id == document_id,
                        Assignment.annotator_id.in_(drop),
                    )
                )
            _insert(
                s,
                [
                    {
                        "document_id": document_id,
                        "annotator_id": who,
                        "assigned_by": by,
                        "seed": None,
                        "assigned_at": utcnow(),
                    }
                    for who in set(wanted) - current
                ],
            )

    def unassign(self, name: str, documents: Sequence[str] | None = None) -> tuple[int, int]:
        """Take back a person's assignments without work on them: (taken back, kept)."""
        person = self._annotators.find(name)
        if person is None:
            raise ValidationError(f"no annotator called {name!r}")
        with guarded_write(self._db) as s:
            query = select(Assignment.document_id).where(Assignment.annotator_id == person.id)
            if documents is not None:
                query = query.join(Document, Document.id == Assignment.document_id).where(
                    Document.key.in_(list(documents))
                )
            mine = set(s.scalars(query))
            worked = _worked(s, person.id, mine)
            free = mine - worked
            if free:
                s.execute(
                    delete(Assignment).where(
                        Assignment.annotator_id == person.id,
                        Assignment.document_id.in_(free),
                    )
                )
        return len(free), len(worked)


def _worked(s: Session, annotator_id: int, documents: set[int]) -> set[int]:
    if not documents:
        return set()
    statuses = select(DocumentStatus.document_id).where(
        DocumentStatus.annotator_id == annotator_id,
        DocumentStatus.document_id.in_(documents),
        DocumentStatus.status != "new",
    )
    spans = select(Span.document_id).where(
        Span.annotator_id == annotator_id, Span.document_id.in_(documents)
    )
    return set(s.scalars(statuses)) | set(s.scalars(spans))


def _refuse_if_worked(s: Session, document_id: int, annotators: set[int]) -> None:
    for who in annotators:
        if _worked(s, who, {document_id}):
            name = s.scalar(select(Annotator.name).where(Annotator.id == who))
            raise ValidationError(
                f"{name} has already worked on this document; their assignment stays"
            )


def _insert(s: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    for i in range(0, len(rows), 5000):
        s.execute(insert(Assignment), list(rows[i : i + 5000]))
