"""Annotators: the people whose work the database keeps apart."""

from __future__ import annotations

from sqlalchemy import (
    select,
)
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from annotator.core.domain import rules
from annotator.core.domain.errors import (
    ValidationError,
)
from annotator.core.domain.records import (
    AnnotatorRecord,
)
from annotator.core.storage.db import Database
from annotator.core.storage.models import Annotator


class AnnotatorService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get_or_create(self, name: str) -> AnnotatorRecord:
        name = rules.annotator_name(name)
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            if found is not None:
                return AnnotatorRecord(found.id, found.name)
        try:
            with self._db.write() as s:
                row = Annotator(name=name)
                s.add(row)
                s.flush()
                return AnnotatorRecord(row.id, row.name)
        except SAIntegrityError:  # another desktop created it a moment ago
            return self.get_or_create(name)

    def find(self, name: str) -> AnnotatorRecord | None:
        try:
            name = rules.annotator_name(name)
        except ValidationError:
            return None
        with self._db.read() as s:
            found = s.scalar(select(Annotator).where(Annotator.name == name))
            return AnnotatorRecord(found.id, found.name) if found else None

    def all(self) -> list[AnnotatorRecord]:
        with self._db.read() as s:
            return [
                AnnotatorRecord(a.id, a.name)
                for a in s.scalars(select(Annotator).order_by(Annotator.name))
            ]
