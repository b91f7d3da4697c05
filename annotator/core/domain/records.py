"""Plain, frozen records the services return. Callers never see ORM objects or sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from annotator.core.domain.entities import MentionLink


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    key: str
    title: str
    text: str
    source: str | None = None
    url: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""


@dataclass(frozen=True)
class DocumentRow:
    """One line of the document list: what an annotator needs to choose what to open."""

    id: int
    key: str
    title: str
    length: int
    status: str
    span_count: int


@dataclass(frozen=True)
class SpanRecord:
    id: int
    document_id: int
    annotator_id: int
    start: int
    end: int
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RelationRecord:
    id: int
    document_id: int
    annotator_id: int
    label: str
    source_id: int
    target_id: int
    attributes: dict[str, Any] = field(default_factory=dict)  # the link's own values


@dataclass(frozen=True)
class Stamp:
    """What a row keeps besides its data: the schema it was made under and when. Undo puts
    these back too, so that a restored span is the span that was deleted, not a new one made
    under today's schema."""

    schema_id: int
    created_at: datetime
    updated_at: datetime | None = None


@dataclass(frozen=True)
class DeletedSpan:
    """What deleting a span removed, so that undo can put all of it back."""

    span: SpanRecord
    relations: tuple[RelationRecord, ...]
    stamp: Stamp | None = None
    relation_stamps: tuple[Stamp, ...] = ()
    entity_link: MentionLink | None = None  # the entity the mention was linked to


@dataclass(frozen=True)
class AnnotatorRecord:
    """A layer of annotation: a person (``kind`` "person"), gold or suggestions."""

    id: int
    name: str
    kind: str = "person"

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


@dataclass(frozen=True)
class SchemaRef:
    """A schema as registered in a database: the row id annotations point at."""

    id: int
    name: str
    version: str
    sha256: str
