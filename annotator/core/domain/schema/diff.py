"""What changes between two schemas, for the data: labels, attributes, values and relations
added, removed or renamed, new required attributes, tighter limits.

Only what can touch annotations is listed (a colour, a hotkey or a description cannot). A name
that is gone is a removal unless the new schema's ``migrations`` say it was renamed, merged or
archived; each change carries that step. How many stored annotations a change touches is
counted by the schema change service, with ``span_touches`` and ``link_touches`` for the
changes stored data shows directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from annotator.core.domain.schema.mapping import StepMap
from annotator.core.domain.schema.model import (
    Attribute,
    Label,
    MigrationStep,
    RelationType,
    Schema,
    StepKind,
)
from annotator.core.domain.wording import counted


class ChangeKind(StrEnum):
    LABEL_ADDED = "label added"
    LABEL_REMOVED = "label removed"
    LABEL_RENAMED = "label renamed"
    LABEL_OVERLAP = "overlap forbidden"
    ATTRIBUTE_ADDED = "attribute added"
    ATTRIBUTE_REMOVED = "attribute removed"
    ATTRIBUTE_RENAMED = "attribute renamed"
    ATTRIBUTE_TYPE = "attribute type changed"
    ATTRIBUTE_REQUIRED = "attribute now required"
    VALUE_ADDED = "value added"
    VALUE_REMOVED = "value removed"
    VALUE_RENAMED = "value renamed"
    RELATION_ADDED = "relation added"
    RELATION_REMOVED = "relation removed"
    RELATION_RENAMED = "relation renamed"
    RELATION_ENDS = "relation ends changed"
    RELATION_MAX = "relation limit lowered"


UNITS = {
    ChangeKind.LABEL_ADDED: "spans",
    ChangeKind.LABEL_REMOVED: "spans",
    ChangeKind.LABEL_RENAMED: "spans",
    ChangeKind.LABEL_OVERLAP: "spans",
    ChangeKind.ATTRIBUTE_ADDED: "spans",
    ChangeKind.ATTRIBUTE_REMOVED: "values",
    ChangeKind.ATTRIBUTE_RENAMED: "values",
    ChangeKind.ATTRIBUTE_TYPE: "values",
    ChangeKind.ATTRIBUTE_REQUIRED: "spans",
    ChangeKind.VALUE_ADDED: "values",
    ChangeKind.VALUE_REMOVED: "values",
    ChangeKind.VALUE_RENAMED: "values",
    ChangeKind.RELATION_ADDED: "links",
    ChangeKind.RELATION_REMOVED: "links",
    ChangeKind.RELATION_RENAMED: "links",
    ChangeKind.RELATION_ENDS: "links",
    ChangeKind.RELATION_MAX: "links",
}
"""What each change counts: the spans, values or links it touches."""

_VERBS = {
    StepKind.RENAME_VALUE: "renamed to",
    StepKind.MERGE_VALUES: "merged into",
    StepKind.MAP_REMOVED_VALUE: "mapped to",
}


@dataclass(frozen=True)
class Change:
    """One change for the data. ``old`` is the path as stored annotations carry it (label,
    attribute, value; or relation, and a relation's attribute and value when ``on_link``),
    ``new`` as the new schema names it; () when there is none.
    ``detail``: a type, a limit, a pair of labels; for an added attribute, "required"."""

    kind: ChangeKind
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    detail: str = ""
    step: MigrationStep | None = None
    on_link: bool = False  # an attribute or value of a relation: its paths start with it

    @property
    def unit(self) -> str:
        unit = UNITS[self.kind]
        return "links" if self.on_link and unit == "spans" else unit

    @property
    def text(self) -> str:
        """The change in words, with the step that says what becomes of the data."""
        said = self._said()
        if self.step is not None and self.step.new is None:
            said += ", archived"
        return said + (f" ({self.step.text})" if self.step is not None else "")

    def _said(self) -> str:
        o, n, d = self.old, self.new, self.detail
        match self.kind:
            case ChangeKind.LABEL_ADDED:
                return f"label {n[0]} added"
            case ChangeKind.LABEL_REMOVED:
                return f"label {o[0]} removed"
            case ChangeKind.LABEL_RENAMED:
                return f"label {o[0]} renamed to {n[0]}"
            case ChangeKind.LABEL_OVERLAP:
                return f"label {n[0]}: spans may no longer overlap"
            case ChangeKind.ATTRIBUTE_ADDED:
                return f"attribute {n[0]}.{n[1]} added" + (f", {d}" if d else "")
            case ChangeKind.ATTRIBUTE_REMOVED:
                return f"attribute {o[0]}.{o[1]} removed"
            case ChangeKind.ATTRIBUTE_RENAMED:
                return f"attribute {o[0]}.{o[1]} renamed to {n[1]}"
            case ChangeKind.ATTRIBUTE_TYPE:
                return f"attribute {n[0]}.{n[1]}: {d}"
            case ChangeKind.ATTRIBUTE_REQUIRED:
                return f"attribute {n[0]}.{n[1]} is now required"
            case ChangeKind.VALUE_ADDED:
                return f"value {n[0]}.{n[1]} {n[2]!r} added"
            case ChangeKind.VALUE_REMOVED:
                return f"value {o[0]}.{o[1]} {o[2]!r} removed"
            case ChangeKind.VALUE_RENAMED:
                verb = _VERBS.get(self.step.kind, "renamed to") if self.step else "renamed to"
                return f"value {o[0]}.{o[1]} {o[2]!r} {verb} {n[2]!r}"
            case ChangeKind.RELATION_ADDED:
                return f"relation {n[0]} added"
            case ChangeKind.RELATION_REMOVED:
                return f"relation {o[0]} removed"
            case ChangeKind.RELATION_RENAMED:
                return f"relation {o[0]} renamed to {n[0]}"
            case ChangeKind.RELATION_ENDS:
                return f"relation {n[0]} now links {d}"
            case _:
                return f"relation {n[0]}: {d}"


def diff_schemas(old: Schema, new: Schema) -> tuple[Change, ...]:
    """The changes from ``old`` to ``new`` that can touch annotations, in schema order."""
    steps = StepMap(new.migrations)
    changes: list[Change] = []
    pairs: list[tuple[Label, Label]] = []
    targets: set[str] = set()
    for lab in old.labels:
        kept = new.label(lab.name)
        if kept is not None:
            pairs.append((lab, kept))
            targets.add(kept.name)
            continue
        name, step = steps.label(lab.name)
        renamed = new.label(name) if name is not None and step is not None else None
        if renamed is not None and old.label(renamed.name) is None:
            changes.append(Change(ChangeKind.LABEL_RENAMED, (lab.name,), (renamed.name,), "", step))
            pairs.append((lab, renamed))
            targets.add(renamed.name)
        else:
            changes.append(Change(ChangeKind.LABEL_REMOVED, (lab.name,), (), "", step))
    changes += [
        Change(ChangeKind.LABEL_ADDED, (), (lab.name,))
        for lab in new.labels
        if lab.name not in targets
    ]
    for before, after in pairs:
        if before.overlap and not after.overlap:
            changes.append(Change(ChangeKind.LABEL_OVERLAP, (before.name,), (after.name,)))
        changes += _attributes(before, after, _Steps(steps.attributes, steps.values, False))
    changes += _relations(old, new, steps)
    return tuple(changes)


@dataclass(frozen=True)
class _Steps:
    """The attribute and value steps of one kind of owner: labels, or relations."""

    attributes: dict[tuple[str, str], MigrationStep]
    values: dict[tuple[str, str, str], MigrationStep]
    on_link: bool


Owner = Label | RelationType


def _attributes(before: Owner, after: Owner, steps: _Steps) -> list[Change]:
    """A label's or a relation's attributes: the same changes, named by the owner."""
    changes: list[Change] = []
    targets: set[str] = set()
    on_link = steps.on_link
    for attr in before.attributes:
        path = (before.name, attr.name)
        kept = after.attribute(attr.name)
        step = steps.attributes.get((after.name, attr.name))
        if kept is None and step is not None and step.new is not None:
            kept = after.attribute(step.new)
            renamed = (after.name, step.new)
            changes.append(Change(ChangeKind.ATTRIBUTE_RENAMED, path, renamed, "", step, on_link))
        elif kept is None:
            changes.append(Change(ChangeKind.ATTRIBUTE_REMOVED, path, (), "", step, on_link))
            continue
        assert kept is not None
        targets.add(kept.name)
        changes += _one_attribute(before, after, attr, kept, steps)
    for attr in after.attributes:
        if attr.name not in targets:
            detail = "required" if attr.required else ""
            path = (after.name, attr.name)
            changes.append(Change(ChangeKind.ATTRIBUTE_ADDED, (), path, detail, None, on_link))
    return changes


def _one_attribute(
    before: Owner, after: Owner, attr: Attribute, kept: Attribute, steps: _Steps
) -> list[Change]:
    changes: list[Change] = []
    on_link = steps.on_link
    new_path = (after.name, kept.name)
    old_path = (before.name, attr.name)
    if attr.type != kept.type:
        detail = f"{attr.type.value} became {kept.type.value}"
        changes.append(Change(ChangeKind.ATTRIBUTE_TYPE, old_path, new_path, detail, None, on_link))
    if kept.required and not attr.required:
        changes.append(Change(ChangeKind.ATTRIBUTE_REQUIRED, old_path, new_path, "", None, on_link))
    values = set(kept.value_names)
    targets: set[str] = set()
    for value in attr.value_names:
        old = (*old_path, value)
        if value in values:
            targets.add(value)
            continue
        step = steps.values.get((after.name, kept.name, value))
        if step is not None and step.new is not None:
            targets.add(step.new)
            changes.append(
                Change(ChangeKind.VALUE_RENAMED, old, (*new_path, step.new), "", step, on_link)
            )
        else:
            changes.append(Change(ChangeKind.VALUE_REMOVED, old, (), "", step, on_link))
    changes += [
        Change(ChangeKind.VALUE_ADDED, (), (*new_path, v), "", None, on_link)
        for v in kept.value_names
        if v not in targets and v not in attr.value_names
    ]
    return changes


def _relations(old: Schema, new: Schema, steps: StepMap) -> list[Change]:
    changes: list[Change] = []
    targets: set[str] = set()
    for rel in old.relations:
        kept = new.relation(rel.name)
        name, step = steps.relation(rel.name)
        if kept is None and step is not None and name is not None:
            kept = new.relation(name)
            if kept is not None:
                changes.append(Change(ChangeKind.RELATION_RENAMED, (rel.name,), (name,), "", step))
        if kept is None:
            changes.append(Change(ChangeKind.RELATION_REMOVED, (rel.name,), (), "", step))
            continue
        targets.add(kept.name)
        changes += _one_relation(rel, kept, steps)
    changes += [
        Change(ChangeKind.RELATION_ADDED, (), (r.name,))
        for r in new.relations
        if r.name not in targets
    ]
    return changes


def _one_relation(rel: RelationType, kept: RelationType, steps: StepMap) -> list[Change]:
    changes: list[Change] = []
    ends = tuple(steps.label(end)[0] for end in (rel.source, rel.target))
    if ends != (kept.source, kept.target):
        detail = f"{kept.source} -> {kept.target} (was {rel.source} -> {rel.target})"
        changes.append(Change(ChangeKind.RELATION_ENDS, (rel.name,), (kept.name,), detail))
    if kept.max is not None and (rel.max is None or kept.max < rel.max):
        was = "no limit" if rel.max is None else f"at most {rel.max}"
        detail = f"at most {counted(kept.max, 'link')} from one {kept.source} (was {was})"
        changes.append(Change(ChangeKind.RELATION_MAX, (rel.name,), (kept.name,), detail))
    changes += _attributes(rel, kept, _Steps(steps.link_attributes, steps.link_values, True))
    return changes


# -- what stored data shows directly --

_SPAN_KINDS = frozenset(
    {
        ChangeKind.LABEL_REMOVED,
        ChangeKind.LABEL_RENAMED,
        ChangeKind.ATTRIBUTE_REMOVED,
        ChangeKind.ATTRIBUTE_RENAMED,
        ChangeKind.VALUE_REMOVED,
        ChangeKind.VALUE_RENAMED,
    }
)
_LINK_KINDS = frozenset({ChangeKind.RELATION_REMOVED, ChangeKind.RELATION_RENAMED})


def counted_on_spans(change: Change) -> bool:
    """Whether ``span_touches`` counts this change (else the service counts it otherwise)."""
    return change.kind in _SPAN_KINDS and not change.on_link


def counted_on_links(change: Change) -> bool:
    """Whether ``link_touches`` counts it: a relation, or a value a link holds."""
    return change.kind in _LINK_KINDS or (change.on_link and change.kind in _SPAN_KINDS)


def span_touches(change: Change, label: str, attributes: dict[str, Any]) -> int:
    """How many of this change's units (the span, or its values) a stored span holds."""
    if not change.old or label != change.old[0]:
        return 0
    if len(change.old) == 1:
        return 1
    value = attributes.get(change.old[1])
    if value is None:
        return 0
    if len(change.old) == 2:
        return 1
    wanted = change.old[2]
    return int(value == wanted or (isinstance(value, list) and wanted in value))


def link_touches(change: Change, relation: str, attributes: dict[str, Any] | None = None) -> int:
    """How many of this change's units a stored link holds: the link, or its values (a
    relation's attribute or value is counted as a span's is)."""
    if change.on_link:
        return span_touches(change, relation, attributes or {})
    return int(bool(change.old) and relation == change.old[0])
