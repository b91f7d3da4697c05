"""A native record's archived spans, links and values, checked before anything is written.

They are not in the import's schema (that is why they are archived), so only what the rule
book asks of any stored span is checked: its place in the text, its annotator, and that every
link and value refers to a span of the same record and annotator. They are written to the
archive (``writing``), from where a schema that brings them back restores them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.core.domain import jsonio, rules
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.schema.model import MAX_NAME
from annotator.core.formats.readers import ParsedDocument
from annotator.core.formats.readers.archived import ParsedArchive, Provenance

Ref = tuple[bool, int]
"""A span a link or value refers to: (archived?, its index among the part's spans)."""


@dataclass(slots=True)
class ArchivedPart:
    """One annotator's archived rows on one document."""

    spans: list[tuple[int, int, str, dict[str, Any], Provenance]] = field(default_factory=list)
    # label, source, target, provenance, the link's values
    links: list[tuple[str, Ref, Ref, Provenance, dict[str, Any]]] = field(default_factory=list)
    values: list[tuple[Ref, str, Any, Provenance]] = field(default_factory=list)


def check_archived(
    doc: ParsedDocument,
    archive: ParsedArchive,
    live: dict[str, tuple[str, int]],
    part_of: Callable[[str], ArchivedPart],
    name_of: Callable[[Any], str],
) -> None:
    """Check ``archive`` and add its rows to each annotator's part; ``live`` maps the record's
    live span ids to (annotator, index)."""
    text = doc.text
    refs: dict[str, tuple[str, Ref]] = {ref: (who, (False, i)) for ref, (who, i) in live.items()}
    for i, (span, made) in enumerate(archive.spans):
        where = f"archived.spans[{i}]"
        try:
            if not rules.span_fits(text, span.start, span.end):
                rules.check_offsets(text, span.start, span.end)
            if not isinstance(span.label, str) or not 0 < len(span.label) <= MAX_NAME:
                raise ValidationError(f"label {span.label!r} must be a name")
            if span.text is not None and span.text != text[span.start : span.end]:
                raise ValidationError(
                    f"its text {span.text!r} does not match the document's text at "
                    f"{span.start}-{span.end}"
                )
            _storable(span.attributes)
            if not span.annotator:
                raise ValidationError("no annotator given")
            owner = name_of(span.annotator)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        if span.ref in refs:
            raise ValidationError(f"{where}: span id {span.ref!r} given twice")
        part = part_of(owner)
        refs[str(span.ref)] = (owner, (True, len(part.spans)))
        part.spans.append((span.start, span.end, span.label, span.attributes, made))
    for i, (rel, made) in enumerate(archive.relations):
        where = f"archived.relations[{i}]"
        (owner, source), (other, target) = (
            _ref(refs, rel.source, where),
            _ref(refs, rel.target, where),
        )
        if owner != other:
            raise ValidationError(f"{where}: links spans of two different annotators")
        if not isinstance(rel.label, str) or not 0 < len(rel.label) <= MAX_NAME:
            raise ValidationError(f"{where}: relation {rel.label!r} must be a name")
        try:
            _storable(rel.attributes)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        part_of(owner).links.append((rel.label, source, target, made, rel.attributes))
    for i, value in enumerate(archive.values):
        where = f"archived.values[{i}]"
        owner, span_ref = _ref(refs, value.span, where)
        if len(value.attribute) > MAX_NAME:
            raise ValidationError(f"{where}: attribute name longer than {MAX_NAME} characters")
        try:
            _storable(value.value)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        part_of(owner).values.append((span_ref, value.attribute, value.value, value.made))


def _ref(refs: dict[str, tuple[str, Ref]], ref: str, where: str) -> tuple[str, Ref]:
    if ref not in refs:
        raise ValidationError(f"{where}: refers to span {ref!r}, which is not in this record")
    return refs[ref]


def _storable(value: Any) -> None:
    try:
        jsonio.dumps(value)
    except (orjson.JSONEncodeError, TypeError, RecursionError) as exc:
        raise ValidationError(f"cannot be stored as JSON ({exc})") from None
