"""The rule book: what every writer must obey, one copy of each rule.

The editor, the importer, undo and restore, and every writer still to come (adjudication,
suggestions, schema migration) call these functions; exports check their output with them too.
A rule that lived in two places drifted apart (the store stripped annotator names, the importer
did not), so a rule is changed here or nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.domain.errors import (
    OffsetError,
    OverlapError,
    RelationError,
    UnknownLabelError,
    ValidationError,
)
from annotator.core.domain.schema import AttributeType, Label, RelationType, Schema
from annotator.core.domain.text import is_boundary
from annotator.core.domain.wording import counted

STATUSES = ("new", "in_progress", "done", "skipped")
"""A document's progress for one annotator; "new" is never stored, it is the absence of a row."""

NAME_LIMIT = 200  # annotators.name
_SURROGATE = re.compile("[\ud800-\udfff]")


# -- names and statuses --


def annotator_name(name: object) -> str:
    """The name an annotator is stored under: surrounding white space never makes a second one."""
    if not isinstance(name, str):
        raise ValidationError(f"annotator {name!r} must be a name (text)")
    cleaned = name.strip()
    if not cleaned or "\x00" in cleaned or len(cleaned) > NAME_LIMIT:
        raise ValidationError(
            f"annotator name {name[:60]!r} must be 1 to {NAME_LIMIT} characters, without NUL"
        )
    if not cleaned.isascii() and _SURROGATE.search(cleaned):
        raise ValidationError(f"annotator name {name[:60]!r} contains a lone UTF-16 surrogate")
    return cleaned


TITLE_LIMIT = 500  # what a document's title may hold: a headline, never an article
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def document_title(title: object) -> str:
    """A document's title as stored: one line, trimmed, runs of white space made one space.

    Only the title: a document's text never changes, since every span's offsets depend on it.
    """
    if not isinstance(title, str):
        raise ValidationError(f"title {title!r} must be text")
    cleaned = " ".join(_CONTROL.sub(" ", title).split())
    if not cleaned:
        raise ValidationError("a title cannot be empty")
    if len(cleaned) > TITLE_LIMIT:
        raise ValidationError(f"a title is at most {TITLE_LIMIT} characters ({len(cleaned)} given)")
    if not cleaned.isascii() and _SURROGATE.search(cleaned):
        raise ValidationError("the title contains a lone UTF-16 surrogate")
    return cleaned


def check_status(status: object) -> str:
    """A status a writer may store ("new" is stored as no row, but is accepted here)."""
    if status not in STATUSES:
        raise ValidationError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    return str(status)


# -- where a span may start and end --


def span_fits(text: str, start: Any, end: Any) -> bool:
    """The fast form of ``check_offsets``, for the many spans of an import or an export.

    Below U+0300 nothing combines, so most edges need no Unicode lookup: a text is never
    scanned whole (a per-text scan cost a quarter of an import). False means: call
    ``check_offsets`` for the message.
    """
    return (
        type(start) is int
        and type(end) is int
        and 0 <= start < end <= len(text)
        and (text[start] < "\u0300" or is_boundary(text, start))
        and (end == len(text) or text[end] < "\u0300" or is_boundary(text, end))
    )


def check_offsets(text: str, start: int, end: int) -> None:
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise OffsetError(f"offsets must be whole numbers, got start={start!r} end={end!r}")
    if start < 0 or end > len(text):
        raise OffsetError(
            f"span {start}-{end} lies outside the text (length {len(text)} characters)"
        )
    if start >= end:
        raise OffsetError(f"span {start}-{end} is empty or reversed (start must be before end)")
    for index in (start, end):
        if not is_boundary(text, index):
            raise OffsetError(
                f"offset {index} falls inside a combined character "
                f"(before U+{ord(text[index]):04X})"
            )


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")  # a blank line; one line break only wraps


def check_paragraphs(schema: Schema, text: str, label: str, start: int, end: int) -> None:
    """A span of a label the schema keeps inside one paragraph (``cross_paragraph``) may not
    run over a paragraph break, a blank line: a statement that silently took in the next
    paragraph was issue 13's defect 5. A single line break (a hard-wrapped line) is no break.
    """
    if text.find("\n", start, end) < 0:  # most spans: no line break at all
        return
    inner = text[start:end]
    first = start + len(inner) - len(inner.lstrip())  # a break at an edge joins nothing
    last = end - (len(inner) - len(inner.rstrip()))
    found = _PARAGRAPH_BREAK.search(text, first, last) if first < last else None
    if found is None or schema.may_cross_paragraph(label):
        return
    brk = found.start()
    before = " ".join(text[max(start, brk - 30) : brk].split())
    after = " ".join(text[found.end() : min(end, found.end() + 30)].split())
    raise OffsetError(
        f"a {label} span may not cross a paragraph break: {start}-{end} runs over the blank "
        f"line at {brk} (“…{before}” | “{after}…”); mark it within one paragraph"
    )


def check_label(schema: Schema, label: str) -> None:
    label_of(schema, label)


def label_of(schema: Schema, label: str) -> Label:
    """The schema's label, or an error naming the label and the schema (a span may keep a
    label that the active schema dropped: it is data, but no new edit may use it)."""
    lab = schema.label(label)
    if lab is None:
        known = ", ".join(lab.name for lab in schema.labels)
        raise UnknownLabelError(f"label {label!r} is not in schema {schema.name} (labels: {known})")
    return lab


def relation_of(schema: Schema, relation: str) -> RelationType:
    """The schema's relation, or an error naming it and the relations the schema has."""
    rel = schema.relation(relation)
    if rel is None:
        known = ", ".join(r.name for r in schema.relations) or "none"
        raise UnknownLabelError(f"relation {relation!r} is not in schema {schema.name} ({known})")
    return rel


def check_attribute(schema: Schema, label: str, name: str, value: Any) -> Any:
    """Return the value as stored, or raise naming the attribute and what is allowed."""
    lab = label_of(schema, label)  # a span kept from an earlier schema: refused, named
    return _check_value(lab, "label", name, value)


def check_relation_attribute(schema: Schema, relation: str, name: str, value: Any) -> Any:
    """A link's value as stored: the same rule as a span's, against the relation's attributes."""
    return _check_value(relation_of(schema, relation), "relation", name, value)


def _check_value(owner: Label | RelationType, kind: str, name: str, value: Any) -> Any:
    """One value of a label's or a relation's attribute: both hold attributes the same way."""
    where = owner.name
    attr = owner.attribute(name)
    if attr is None:
        known = ", ".join(a.name for a in owner.attributes) or "none"
        raise UnknownLabelError(f"{kind} {where} has no attribute {name!r} (attributes: {known})")
    allowed = attr.value_names
    if attr.type is AttributeType.CHOICE:
        if value not in allowed:
            raise UnknownLabelError(
                f"{where}.{name}: {value!r} is not an allowed value ({', '.join(allowed)})"
            )
        return value
    if attr.type is AttributeType.MULTI:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise UnknownLabelError(f"{where}.{name}: expects a list of values, got {value!r}")
        bad = [v for v in value if v not in allowed]
        if bad:
            raise UnknownLabelError(f"{where}.{name}: {bad!r} not allowed ({', '.join(allowed)})")
        # Stored in schema order, without repeats, so equal choices compare equal.
        return [v for v in allowed if v in value]
    if attr.type is AttributeType.BOOL:
        if not isinstance(value, bool):
            raise UnknownLabelError(f"{where}.{name}: expects true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise UnknownLabelError(f"{where}.{name}: expects text, got {value!r}")
    return value


def check_attributes(
    schema: Schema, label: str, attributes: dict[str, Any] | None, *, apply_defaults: bool
) -> dict[str, Any]:
    """Validate a whole attribute dict; add the schema's defaults for a new span."""
    return _check_all(label_of(schema, label), "label", attributes, apply_defaults)


def check_relation_attributes(
    schema: Schema, relation: str, attributes: dict[str, Any] | None, *, apply_defaults: bool
) -> dict[str, Any]:
    """``check_attributes`` for a link's values; the schema's defaults for a new link."""
    return _check_all(relation_of(schema, relation), "relation", attributes, apply_defaults)


def _check_all(
    owner: Label | RelationType,
    kind: str,
    attributes: dict[str, Any] | None,
    apply_defaults: bool,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        if value is None:
            continue
        result[name] = _check_value(owner, kind, name, value)
    if apply_defaults:
        for attr in owner.attributes:
            if attr.name not in result and attr.default is not None:
                # as if chosen: a multi default in schema order, as a list, like any choice
                result[attr.name] = _check_value(owner, kind, attr.name, attr.default)
    return result


def check_relation_labels(
    schema: Schema, relation: str, source_label: str, target_label: str
) -> None:
    rel = relation_of(schema, relation)
    if (rel.source, rel.target) != (source_label, target_label):
        raise RelationError(
            f"{relation} links {rel.source} -> {rel.target}, not {source_label} -> {target_label}"
        )


def missing_required(schema: Schema, label: str, attributes: dict[str, Any]) -> list[str]:
    return _unset(schema.label(label), attributes)


def missing_relation_required(
    schema: Schema, relation: str, attributes: dict[str, Any]
) -> list[str]:
    """The required attributes of a link's relation that it does not hold yet."""
    return _unset(schema.relation(relation), attributes)


def _unset(owner: Label | RelationType | None, attributes: dict[str, Any]) -> list[str]:
    if owner is None:
        return []
    return [
        a.name for a in owner.attributes if a.required and attributes.get(a.name) in (None, "", [])
    ]


def missing_links(
    schema: Schema,
    spans: Iterable[tuple[Any, str]],
    links: Iterable[tuple[str, Any, Any]],
) -> list[tuple[Any, str, str]]:
    """(span, label, what is missing) for each span that lacks a link the schema requires:
    a required relation from its label (a statement with no ``said_by``), or any link at all
    for a label marked ``needs_link`` (a weapon linked to nothing). ``spans`` are (id, label),
    ``links`` (relation, source id, target id)."""
    linked: set[Any] = set()
    has: set[tuple[Any, str]] = set()
    for relation, source, target in links:
        linked.update((source, target))
        has.add((source, relation))
    required: dict[str, list[str]] = {}
    for rel in schema.relations:
        if rel.required:
            required.setdefault(rel.source, []).append(rel.name)
    missing = []
    for ident, label in spans:
        for relation in required.get(label, ()):
            if (ident, relation) not in has:
                missing.append((ident, label, f"{relation} link"))
        lab = schema.label(label)
        if lab is not None and lab.needs_link and ident not in linked:
            missing.append((ident, label, "a link"))
    return missing


# -- what a schema lacks of stored annotations (a schema change, an export) --


@dataclass(frozen=True)
class Outside:
    """One thing a schema lacks of a stored annotation, keyed so that many can be counted.

    ``kind`` is label, attribute, value, type, relation or ends; ``names`` what it names
    (label, attribute, value; relation, source, target); ``unit`` what is counted (spans,
    values, links).
    """

    kind: str
    names: tuple[str, ...]
    unit: str

    @property
    def text(self) -> str:
        return _OUTSIDE_TEXTS[self.kind].format(*self.names)


_OUTSIDE_TEXTS = {
    "label": "label {0} is not in the schema",
    "attribute": "attribute {0}.{1} is not in the schema",
    "value": "value {0}.{1} {2!r} is not in the schema",
    "type": "{0}.{1} holds values that are not {2}",
    "relation": "relation {0} is not in the schema",
    "ends": "relation {0} does not link {1} -> {2} in the schema",
}


def span_outside(schema: Schema, label: str, attributes: dict[str, Any]) -> list[Outside]:
    """What ``schema`` lacks of a stored span: its label, an attribute, a value. A required
    value that is missing is not here: the span is incomplete, not outside (``missing_required``).
    """
    lab = schema.label(label)
    if lab is None:
        return [Outside("label", (label,), "spans")]
    return _values_outside(lab, "label", attributes)


def link_values_outside(schema: Schema, relation: str, attributes: dict[str, Any]) -> list[Outside]:
    """What ``schema`` lacks of a stored link's values (its relation is ``link_outside``'s)."""
    rel = schema.relation(relation)
    return [] if rel is None else _values_outside(rel, "relation", attributes)


def _values_outside(
    owner: Label | RelationType, kind: str, attributes: dict[str, Any]
) -> list[Outside]:
    found: list[Outside] = []
    name_of = owner.name
    for name, value in attributes.items():
        if value is None:
            continue
        attr = owner.attribute(name)
        if attr is None:
            found.append(Outside("attribute", (name_of, name), "values"))
            continue
        try:
            _check_value(owner, kind, name, value)
        except ValidationError:
            given = value if isinstance(value, list) else [value]
            choice = attr.type in (AttributeType.CHOICE, AttributeType.MULTI)
            if choice and isinstance(value, list) == (attr.type is AttributeType.MULTI):
                bad = [v for v in given if v not in attr.value_names]
                if bad and all(isinstance(v, str) for v in bad):
                    found.extend(Outside("value", (name_of, name, v), "values") for v in bad)
                    continue
            found.append(Outside("type", (name_of, name, attr.type.value), "values"))
    return found


def link_outside(
    schema: Schema, relation: str, source_label: str, target_label: str
) -> Outside | None:
    """What ``schema`` lacks of a stored link: its relation, or this pair of labels."""
    rel = schema.relation(relation)
    if rel is None:
        return Outside("relation", (relation,), "links")
    if (rel.source, rel.target) != (source_label, target_label):
        return Outside("ends", (relation, source_label, target_label), "links")
    return None


# -- overlap --


def check_overlap(
    label: str,
    overlap_allowed: bool,
    start: int,
    end: int,
    others: Iterable[tuple[Any, int, int]],
) -> None:
    """A new span of one annotator and label against that annotator's others of the label,
    given as (id, start, end) of those that touch it: no duplicate ever, no overlap unless the
    label allows it."""
    clashes = [(ident, s, e) for ident, s, e in others if s < end and e > start]
    for ident, s, e in clashes:
        if (s, e) == (start, end):
            raise OverlapError(f"a {label} span at {start}-{end} already exists ({ident})")
    if clashes and not overlap_allowed:
        ident, s, e = clashes[0]
        raise OverlapError(
            f"{label} spans may not overlap: {start}-{end} overlaps {ident} ({s}-{e})"
        )


def first_overlap(
    overlap_allowed: bool, spans: list[tuple[int, int, Any]]
) -> tuple[str, tuple[int, int, Any], tuple[int, int, Any]] | None:
    """The same rule as ``check_overlap`` over many spans at once (an import): sorted once, so
    a document with many spans is not checked pair by pair. ``spans`` are (start, end, ref);
    returns ("duplicate" or "overlap", later, earlier) for the first clash, or None."""
    spans.sort(key=lambda s: (s[0], s[1]))
    reach: tuple[int, int, Any] | None = None  # the span reaching furthest so far
    previous: tuple[int, int, Any] | None = None
    for span in spans:
        start, end, _ = span
        if previous is not None and previous[:2] == (start, end):
            return "duplicate", span, previous
        if not overlap_allowed and reach is not None and start < reach[1]:
            return "overlap", span, reach
        if reach is None or end > reach[1]:
            reach = span
        previous = span
    return None


# -- links --


def check_link(
    schema: Schema,
    relation: str,
    source: tuple[Any, str],
    target: tuple[Any, str],
    existing_targets: Sequence[Any],
) -> None:
    """A new link ``relation`` from ``source`` to ``target``, each (id, label) with ids as the
    caller names spans (e.g. "#12"), given the targets the source already has under that
    relation: the schema allows the pair of labels, no span links to itself, no link is made
    twice, and the relation's ``max`` holds."""
    check_relation_labels(schema, relation, source[1], target[1])
    if source[0] == target[0]:
        raise RelationError("a span cannot be linked to itself")
    if target[0] in existing_targets:
        raise RelationError(f"span {source[0]} is already linked to {target[0]} by {relation}")
    rel_type = schema.relation(relation)
    assert rel_type is not None  # check_relation_labels refused unknown relations
    if rel_type.max is not None and len(existing_targets) >= rel_type.max:
        raise RelationError(
            f"{relation} allows {counted(rel_type.max, 'link')} from one {rel_type.source}; "
            "remove the existing link first"
        )


def with_value(
    attrs: dict[str, Any] | None,
    name: str,
    value: Any,
    check: Callable[[str, Any], Any],
    known: Callable[[str], Any],
) -> dict[str, Any]:
    """A span's or a link's values after setting one (``check`` the rule for it); ``None``
    clears it, and clearing a name the schema does not know is still refused, by name."""
    found = dict(attrs or {})
    if value is None:
        if known(name) is None:
            check(name, value)  # raises, naming the attribute and what there is
        found.pop(name, None)
    else:
        found[name] = check(name, value)
    return found
