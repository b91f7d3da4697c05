"""What writers receive: one document with its annotations, as plain records or as raw rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.core.domain import jsonio
from annotator.core.domain.entities import EntityRecord


@dataclass(slots=True)  # one per span of every document: slots make it a third quicker
class ExportSpan:
    id: int
    annotator: str
    start: int
    end: int
    label: str
    attributes: dict[str, Any]


@dataclass
class ExportRelation:
    id: int
    annotator: str
    label: str
    source_id: int
    target_id: int
    attributes: dict[str, Any] = field(default_factory=dict)  # the link's own values


@dataclass
class ExportDocument:
    id: int
    key: str
    title: str
    text: str
    source: str | None
    url: str | None
    published: str | None
    meta: dict[str, Any]
    content_hash: str
    status: dict[str, str] = field(default_factory=dict)
    spans: list[ExportSpan] = field(default_factory=list)
    relations: list[ExportRelation] = field(default_factory=list)
    entities: dict[int, EntityRecord] = field(default_factory=dict)  # span id -> its entity


@dataclass(slots=True)
class ArchivedRows:
    """What a document holds besides its live annotations: what schema changes archived (or
    what an export allowed to go out although its schema lacks it), each row with the schema
    it was made under and why it is set apart.

    ``spans``: (id, annotator_id, start, end, label, attributes_json, schema_name,
    schema_version, reason); ``links``: (id, annotator_id, label, source_id, target_id,
    schema_name, schema_version, reason, attributes_json), their ends live or archived span
    ids; ``values``:
    (span_id, annotator_id, attribute, value_json, schema_name, schema_version, reason).
    """

    spans: list[Sequence[Any]] = field(default_factory=list)
    links: list[Sequence[Any]] = field(default_factory=list)
    values: list[Sequence[Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.spans or self.links or self.values)


@dataclass(slots=True)
class RawDocument:
    """A document as rows, JSON columns still text.

    ``spans`` rows are (document_id, id, annotator_id, start, end, label, attributes_json) in
    annotator-name, start, end, label, id order; ``relations`` rows are (document_id, id,
    annotator_id, label, source_id, target_id, attributes_json) in id order; ``names`` maps
    annotator ids to names.
    """

    id: int
    key: str
    title: str
    text: str
    source: str | None
    url: str | None
    published: str | None
    meta_json: str | None
    content_hash: str
    status: dict[str, str]
    spans: list[Sequence[Any]]
    relations: list[Sequence[Any]]
    names: dict[int, str]
    archived: ArchivedRows | None = None
    entities: dict[int, EntityRecord] = field(default_factory=dict)  # span id -> its entity


def parse_json_object(text: str | None) -> dict[str, Any]:
    """A JSON column's object (``{}`` for NULL or JSON null)."""
    if not text or text == "null":
        return {}
    value = jsonio.loads(text)
    return value if isinstance(value, dict) else {}


def to_document(raw: RawDocument) -> ExportDocument:
    """The rows as records. Spans with the same attributes JSON share one parsed dict (a
    document repeats a few attribute sets across its spans): readers only, nothing mutates it.
    """
    names = raw.names
    parsed = {text: parse_json_object(text) for text in {r[6] for r in raw.spans}}
    return ExportDocument(
        raw.id,
        raw.key,
        raw.title,
        raw.text,
        raw.source,
        raw.url,
        raw.published,
        parse_json_object(raw.meta_json),
        raw.content_hash,
        raw.status,
        [ExportSpan(r[1], names[r[2]], r[3], r[4], r[5], parsed[r[6]]) for r in raw.spans],
        [
            ExportRelation(r[1], names[r[2]], r[3], r[4], r[5], parse_json_object(r[6]))
            for r in raw.relations
        ],
        raw.entities,
    )


class ByteSink(Protocol):
    """Where a writer puts its bytes; the exporting service decides what file that is."""

    def write(self, data: bytes) -> None: ...
