"""Every parsed document checked against the schema and its text, before anything is written.

No database connection here: a checked document holds its annotations per annotator *name*,
so that the write transaction (``writing``) only has to map names to ids and insert rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.core.domain import jsonio, rules
from annotator.core.domain.entity_file import EntityEntry
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.layers import check_layer_name
from annotator.core.domain.schema import Schema
from annotator.core.domain.text import content_hash
from annotator.core.formats.readers import ParsedDocument
from annotator.core.services.importing.archived import ArchivedPart, check_archived

SpanRow = tuple[int, int, str, dict[str, Any], Any]
"""(start, end, label, attributes, attributes as their column stores them)."""


@dataclass(slots=True)
class Part:
    """One annotator's work on one document: merged whole or not at all."""

    spans: list[SpanRow] = field(default_factory=list)
    # label, source, target, the link's values
    links: list[tuple[str, int, int, dict[str, Any]]] = field(default_factory=list)
    status: str | None = None
    archived: ArchivedPart | None = None  # what schema changes took out of use
    entities: list[tuple[int, EntityEntry]] = field(default_factory=list)  # span index, entity


@dataclass(slots=True)
class Checked:
    doc: ParsedDocument
    digest: str
    key: str
    parts: dict[str, Part]  # by stored annotator name

    @property
    def where(self) -> str:
        return f"{self.doc.origin}:{self.doc.line}" if self.doc.line else self.doc.origin


class Checker:
    """Validates documents one by one; raises ``ValidationError`` naming the record's field."""

    def __init__(
        self,
        schema: Schema | None,
        annotator: str | None,
        to_json: Callable[[Any], Any],
    ) -> None:
        self._schema = schema
        self._annotator = annotator
        self._to_json = to_json
        self._labels = {lab.name: lab for lab in schema.labels} if schema is not None else {}
        self._attr_cache: dict[Any, tuple[dict[str, Any], Any]] = {}
        self._names: dict[Any, str] = {}

    def check(self, doc: ParsedDocument) -> Checked:
        digest = content_hash(doc.text)
        key = doc.key or digest[:16]
        check_storable(doc, key)
        parts = self._check_annotations(doc)
        if doc.status:
            for name, value in doc.status.items():
                rules.check_status(value)
                parts.setdefault(self._name(name), Part()).status = str(value)
        else:
            # Pre-annotated work has begun: show it as in progress, as a first edit would.
            for part in parts.values():
                part.status = "in_progress"
        # The parsed spans are now rows of ``parts``; kept until the write, they would double
        # an import's memory (and the garbage collector's walks over it).
        doc.spans, doc.relations, doc.archived, doc.entities = [], [], None, []
        return Checked(doc, digest, key, parts)

    def _name(self, raw: Any) -> str:
        if type(raw) is not str or raw not in self._names:
            # "alice " is alice, as in the editor; "gold" is the gold layer, "Gold" nobody
            self._names[raw] = check_layer_name(rules.annotator_name(raw))
        return self._names[raw]

    def _check_annotations(self, doc: ParsedDocument) -> dict[str, Part]:
        """Every span and link checked against the schema and the text.

        This runs for every pre-annotated span of an import, so the common case is kept to dict
        lookups; anything unusual goes through ``rules`` for its exact message.
        """
        if not doc.spans and not doc.relations and doc.archived is None:
            return {}
        schema = self._schema
        if schema is None:
            raise ValidationError("spans given but no schema to check them against")
        text = doc.text
        labels = self._labels
        attr_cache = self._attr_cache
        to_json = self._to_json
        parts: dict[str, Part] = {}
        refs: dict[str, tuple[str, int]] = {}  # span id -> (annotator, index in its part)
        groups: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
        fits = rules.span_fits
        for i, span in enumerate(doc.spans):
            start, end, label = span.start, span.end, span.label
            try:
                if not fits(text, start, end):
                    rules.check_offsets(text, start, end)
                if type(label) is not str or label not in labels:
                    rules.check_label(schema, label)
                rules.check_paragraphs(schema, text, label, start, end)
                given = span.attributes
                try:
                    cache_key: Any = (label, tuple(given.items()))
                    attrs, stored = attr_cache[cache_key]
                except (KeyError, TypeError):  # new, or unhashable (a multi attribute's list)
                    attrs = rules.check_attributes(schema, label, given, apply_defaults=False)
                    stored = to_json(attrs)
                    # Only text values are remembered: True == 1, and a bool attribute takes
                    # only one of them; no text equals a value of another type.
                    if all(type(v) is str for v in given.values()):
                        attr_cache[cache_key] = attrs, stored
                if span.text is not None and span.text != text[start:end]:
                    raise ValidationError(
                        f"its text {span.text!r} does not match the document's text at "
                        f"{start}-{end}: {text[start:end]!r}"
                    )
                raw = span.annotator or self._annotator
                if not raw:
                    raise ValidationError("no annotator given (give --annotator)")
                name = self._name(raw)
            except ValidationError as exc:
                raise ValidationError(f"{_where(i, span.ref)}: {exc}") from None
            group = groups.get((name, label))
            if group is None:
                groups[(name, label)] = group = []
            group.append((start, end, i))
            part = parts.get(name)
            if part is None:
                parts[name] = part = Part()
            if span.ref is not None:
                if span.ref in refs:
                    raise ValidationError(
                        f"{_where(i, span.ref)}: span id {span.ref!r} given twice"
                    )
                refs[span.ref] = (name, len(part.spans))
            part.spans.append((start, end, label, attrs, stored))
        for (_, label), group in groups.items():
            if len(group) > 1:
                _check_group(doc, label, labels[label].overlap, group)
        self._check_links(doc, schema, parts, refs)
        for entry, mentions in doc.entities:
            for ref in mentions:
                if ref not in refs:
                    raise ValidationError(
                        f"registry: {entry.key} names span id {ref!r}, which is not in this "
                        "record's spans"
                    )
                owner, index = refs[ref]
                parts[owner].entities.append((index, entry))
        if doc.archived is not None:

            def part_of(owner: str) -> ArchivedPart:
                part = parts.setdefault(owner, Part())
                if part.archived is None:
                    part.archived = ArchivedPart()
                return part.archived

            check_archived(doc, doc.archived, refs, part_of, self._name)
        return parts

    @staticmethod
    def _check_links(
        doc: ParsedDocument,
        schema: Schema,
        parts: dict[str, Part],
        refs: dict[str, tuple[str, int]],
    ) -> None:
        linked: dict[tuple[str, int, str], list[str]] = {}
        for i, rel in enumerate(doc.relations):
            where = f"relations[{i}]"
            if rel.source not in refs or rel.target not in refs:
                raise ValidationError(
                    f"{where}: links span ids {rel.source!r} -> {rel.target!r}, "
                    "which are not both in this record's spans"
                )
            (owner, src), (other, dst) = refs[rel.source], refs[rel.target]
            if owner != other:
                raise ValidationError(f"{where}: links spans of two different annotators")
            part = parts[owner]
            existing = linked.setdefault((owner, src, rel.label), [])
            try:
                rules.check_link(
                    schema,
                    rel.label,
                    (str(rel.source), part.spans[src][2]),
                    (str(rel.target), part.spans[dst][2]),
                    existing,
                )
                values = rules.check_relation_attributes(
                    schema, rel.label, rel.attributes, apply_defaults=False
                )
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from None
            existing.append(str(rel.target))
            part.links.append((rel.label, src, dst, values))


def _where(index: int, ref: str | None) -> str:
    return f"spans[{index}]" + (f" ({ref})" if ref else "")


def _check_group(
    doc: ParsedDocument, label: str, overlap: bool, group: list[tuple[int, int, int]]
) -> None:
    """Duplicates, and overlaps where the label forbids them, among one annotator's spans of
    one label (the rule book's ``first_overlap``), named by their place in the record."""
    clash = rules.first_overlap(overlap, group)
    if clash is None:
        return
    kind, one, other = clash
    j, k = max(one[2], other[2]), min(one[2], other[2])
    later, earlier = doc.spans[j], doc.spans[k]
    if kind == "duplicate":
        raise ValidationError(
            f"{_where(j, later.ref)}: duplicate {label} span at {later.start}-{later.end}"
        )
    raise ValidationError(
        f"{_where(j, later.ref)}: {label} spans may not overlap "
        f"({later.start}-{later.end} and {earlier.start}-{earlier.end})"
    )


# PostgreSQL refuses NUL characters, lone surrogates and over-long VARCHARs where SQLite would
# store them; refusing them here, with the field named, makes both backends behave alike.
_FIELD_LIMITS = {"id": 200, "published": 40}  # documents.key, documents.published
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_storable(doc: ParsedDocument, key: str) -> None:
    if not doc.text.strip():  # the readers refuse these too; DocumentService.add did not
        raise ValidationError("the text is empty")
    fields = {
        "id": key,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
    }
    for name, value in fields.items():
        if value is None:
            continue
        if "\x00" in value:
            raise ValidationError(f"{name} contains a NUL character (\\u0000)")
        limit = _FIELD_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise ValidationError(f"{name} is {len(value)} characters long (at most {limit})")
        if not value.isascii() and _SURROGATE.search(value):
            raise ValidationError(f"{name} contains a lone UTF-16 surrogate")
    if doc.meta:
        # The column's serialiser (orjson) refuses what the reader accepted: 255+ levels deep,
        # integers over 64 bits, keys that are not text. Found here, it is this record's problem.
        try:
            jsonio.dumps(doc.meta)
        except (orjson.JSONEncodeError, TypeError, RecursionError) as exc:
            raise ValidationError(f"meta cannot be stored as JSON ({exc})") from None
