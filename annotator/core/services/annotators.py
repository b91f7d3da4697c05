"""Annotators: the layers of work the database keeps apart (people, gold, suggestions)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from annotator.core.domain import layers, rules
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.records import AnnotatorRecord
from annotator.core.storage.db import Database
from annotator.core.storage.models import Annotator


def _record(row: Annotator) -> AnnotatorRecord:
    return AnnotatorRecord(row.id, row.name, row.kind)


class AnnotatorService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get_or_create(self, name: str) -> AnnotatorRecord:
        """A layer by name: a person's, or "gold" / "suggestions" for those layers."""
        name = layers.check_layer_name(rules.annotator_name(name))
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            if found is not None:
                return _record(found)
        try:
            with self._db.write() as s:
                row = Annotator(name=name, kind=layers.kind_of(name))
                s.add(row)
                s.flush()
                return _record(row)
        except SAIntegrityError:  # another desktop created it a moment ago
            return self.get_or_create(name)

    def person(self, name: str) -> AnnotatorRecord:
        """A person who annotates (created if new): refuses the layers' reserved names."""
        return self.get_or_create(layers.check_person_name(rules.annotator_name(name)))

    def gold(self) -> AnnotatorRecord:
        return self.get_or_create(layers.GOLD)

    def find(self, name: str) -> AnnotatorRecord | None:
        try:
            name = rules.annotator_name(name)
        except ValidationError:
            return None
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            return _record(found) if found else None

    def all(self, *, people_only: bool = False) -> list[AnnotatorRecord]:
        """Every layer, people by name first, then gold and suggestions (unless people only)."""
        query = select(Annotator).order_by(Annotator.name)
        if people_only:
            query = query.where(Annotator.kind == layers.PERSON)
        with self._db.read() as s:
            found = [_record(a) for a in s.scalars(query)]
        return sorted(found, key=lambda a: (not a.is_person, a.name))

    def people(self) -> list[AnnotatorRecord]:
        return self.all(people_only=True)
