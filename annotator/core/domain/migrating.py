"""One document's annotations under a new schema: what its steps change, archive and restore,
what would be left outside it, and what needs a person's review.

Pure: the schema change service reads each document's stored rows (live and archived), calls
``plan_document``, sums the counts over documents and layers, and writes what the plan says
only when nothing is left outside. Every check is the rule book's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.domain import rules
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.schema import MigrationStep, Schema, StepKind
from annotator.core.domain.schema.diff import (
    Change,
    counted_on_links,
    counted_on_spans,
    link_touches,
    span_touches,
)
from annotator.core.domain.schema.mapping import MappedSpan, StepMap

_LABEL_STEPS = frozenset({StepKind.RENAME_LABEL, StepKind.ARCHIVE_LABEL})


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """A span row, live or archived (an archived span keeps the id it had)."""

    id: int
    annotator_id: int
    start: int
    end: int
    label: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A link row, live or archived; its ends are span ids, live or archived."""

    id: int
    annotator_id: int
    label: str
    source_id: int
    target_id: int
    attributes: dict[str, Any] = field(default_factory=dict)  # the link's own values


@dataclass(frozen=True, slots=True)
class StoredValue:
    """An archived value of a span (the span live or archived)."""

    id: int
    span_id: int
    annotator_id: int
    attribute: str
    value: Any


Key = tuple[Any, ...]
"""What a count is of: ("change", index), ("step", step, unit), ("conflict", Outside),
("restored", "spans", label),
("restored", "links", relation), ("restored", "values", label, attribute), ("kept", reason),
("review", "missing", label, attribute), ("review", "link-missing", relation, attribute),
("review", "overlap", label), ("review", "max", rel)."""


@dataclass
class DocumentPlan:
    """What the new schema makes of one document's annotations (ids are row ids)."""

    updates: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    archive_spans: list[tuple[int, str]] = field(default_factory=list)  # span id, reason
    archive_links: list[tuple[int, str]] = field(default_factory=list)
    relabel_links: list[tuple[int, str]] = field(default_factory=list)  # link id, relation
    link_values: dict[int, dict[str, Any]] = field(default_factory=dict)  # link id, its values
    archive_values: list[tuple[int, str, Any, str]] = field(default_factory=list)
    restore_spans: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    restore_links: list[tuple[int, str]] = field(default_factory=list)
    restore_values: list[int] = field(default_factory=list)  # archived value ids
    counts: Counter[tuple[Key, int]] = field(default_factory=Counter)  # (key, annotator)
    examples: dict[Key, list[tuple[int, str]]] = field(default_factory=dict)
    # ^ (annotator, "start-end" or "start-end -> start-end") of the first few of each

    def count(
        self,
        key: Key,
        annotator: int,
        n: int = 1,
        span: StoredSpan | None = None,
        target: StoredSpan | None = None,
    ) -> None:
        if n <= 0:
            return
        self.counts[key, annotator] += n
        if span is not None:
            shown = self.examples.setdefault(key, [])
            if len(shown) < 3:
                where = f"{span.start}-{span.end}"
                if target is not None:
                    where += f" -> {target.start}-{target.end}"
                shown.append((annotator, where))

    @property
    def conflicted(self) -> bool:
        return any(key[0] == "conflict" for key, _ in self.counts)


class Planner:
    """Plans documents one at a time for a move to ``schema`` (its steps included), counting
    against ``changes`` (the diff from the schema the data was last made under)."""

    def __init__(self, schema: Schema, changes: Sequence[Change]) -> None:
        self.schema = schema
        self.steps = StepMap(schema.migrations)
        self.span_changes: dict[str, list[tuple[int, Change]]] = {}
        self.link_changes: dict[str, list[tuple[int, Change]]] = {}
        for i, change in enumerate(changes):
            if counted_on_spans(change):
                self.span_changes.setdefault(change.old[0], []).append((i, change))
            elif counted_on_links(change):
                self.link_changes.setdefault(change.old[0], []).append((i, change))

    def plan(
        self,
        spans: Sequence[StoredSpan],
        links: Sequence[StoredLink],
        archived_spans: Sequence[StoredSpan] = (),
        archived_links: Sequence[StoredLink] = (),
        archived_values: Sequence[StoredValue] = (),
    ) -> DocumentPlan:
        plan = DocumentPlan()
        live: dict[int, tuple[StoredSpan, str, dict[str, Any]]] = {}  # id -> span, label, values
        gone: dict[int, MigrationStep] = {}  # span id -> the step that archives it
        for span in spans:
            self._live_span(plan, span, live, gone)
        edges: set[tuple[int, int, str]] = set()  # (source, target, relation) kept or restored
        for link in links:
            self._live_link(plan, link, live, gone, edges)
        self._restore(plan, live, edges, archived_spans, archived_links, archived_values)
        self._review(plan, live, edges)
        return plan

    # -- what is stored now --

    def _live_span(
        self,
        plan: DocumentPlan,
        span: StoredSpan,
        live: dict[int, Any],
        gone: dict[int, MigrationStep],
    ) -> None:
        for i, change in self.span_changes.get(span.label, ()):
            plan.count(
                ("change", i), span.annotator_id, span_touches(change, span.label, span.attributes)
            )
        mapped = self.steps.span(span.label, span.attributes)
        for step, n in mapped.touched.items():
            unit = "spans" if step.kind in _LABEL_STEPS else "values"
            plan.count(("step", step, unit), span.annotator_id, n)
        if mapped.archived_by is not None:
            plan.archive_spans.append((span.id, mapped.archived_by.text))
            gone[span.id] = mapped.archived_by
            return
        self._take_values(plan, span, mapped)
        outside = rules.span_outside(self.schema, mapped.label, mapped.attributes)
        for what in outside:
            plan.count(("conflict", what), span.annotator_id, span=span)
        attributes = mapped.attributes
        if not outside and mapped.changed:
            attributes = rules.check_attributes(
                self.schema, mapped.label, mapped.attributes, apply_defaults=False
            )
            plan.updates[span.id] = (mapped.label, attributes)
        live[span.id] = (span, mapped.label, attributes)

    def _take_values(self, plan: DocumentPlan, span: StoredSpan, mapped: MappedSpan) -> None:
        for name, value, step in mapped.archived_values:
            plan.archive_values.append((span.id, name, value, step.text))

    def _live_link(
        self,
        plan: DocumentPlan,
        link: StoredLink,
        live: dict[int, Any],
        gone: dict[int, MigrationStep],
        edges: set[tuple[int, int, str]],
    ) -> None:
        for i, change in self.link_changes.get(link.label, ()):
            n = link_touches(change, link.label, link.attributes)
            plan.count(("change", i), link.annotator_id, n)
        with_span = gone.get(link.source_id) or gone.get(link.target_id)
        name, step = self.steps.relation(link.label)
        if with_span is not None:
            plan.archive_links.append((link.id, f"with its span ({with_span.text})"))
            plan.count(("step", with_span, "links"), link.annotator_id)
            return
        if name is None:
            assert step is not None
            plan.archive_links.append((link.id, step.text))
            plan.count(("step", step, "links"), link.annotator_id)
            return
        if link.source_id not in live or link.target_id not in live:
            return  # a link to a span of another layer or document: not this plan's to judge
        source, target = live[link.source_id][1], live[link.target_id][1]
        ends = live[link.source_id][0], live[link.target_id][0]
        outside = rules.link_outside(self.schema, name, source, target)
        if outside is not None:
            plan.count(("conflict", outside), link.annotator_id, 1, *ends)
        else:
            if step is not None:
                plan.relabel_links.append((link.id, name))
                plan.count(("step", step, "links"), link.annotator_id)
            self._link_values(plan, link, name, ends)
        edges.add((link.source_id, link.target_id, name))

    def _link_values(
        self,
        plan: DocumentPlan,
        link: StoredLink,
        name: str,
        ends: tuple[StoredSpan, StoredSpan],
        restoring: bool = False,
    ) -> bool:
        """A kept link's values under the steps: counted, checked by the rule book, updated;
        a required one unset is for review. False when a value is left outside the schema (a
        conflict for a live link; an archived one then stays in the archive)."""
        mapped = self.steps.link(name, link.attributes)
        outside = rules.link_values_outside(self.schema, name, mapped.attributes)
        if outside and restoring:
            return False
        for step, n in mapped.touched.items():
            plan.count(("step", step, "values"), link.annotator_id, n)
        for what in outside:
            plan.count(("conflict", what), link.annotator_id, 1, *ends)
        if outside:
            return False
        if mapped.changed:
            plan.link_values[link.id] = rules.check_relation_attributes(
                self.schema, name, mapped.attributes, apply_defaults=False
            )
        for attr in rules.missing_relation_required(self.schema, name, mapped.attributes):
            plan.count(("review", "link-missing", name, attr), link.annotator_id, span=ends[0])
        return True

    # -- what was archived --

    def _restore(
        self,
        plan: DocumentPlan,
        live: dict[int, tuple[StoredSpan, str, dict[str, Any]]],
        edges: set[tuple[int, int, str]],
        spans: Sequence[StoredSpan],
        links: Sequence[StoredLink],
        values: Sequence[StoredValue],
    ) -> None:
        for span in spans:
            mapped = self.steps.span(span.label, span.attributes)
            if mapped.archived_by is not None or rules.span_outside(
                self.schema, mapped.label, mapped.attributes
            ):
                continue
            if not self._fits_beside(span, mapped.label, live):
                plan.count(("kept", "overlap", mapped.label), span.annotator_id, span=span)
                continue
            attributes = rules.check_attributes(
                self.schema, mapped.label, mapped.attributes, apply_defaults=False
            )
            plan.restore_spans.append((span.id, mapped.label, attributes))
            self._take_values(plan, span, mapped)
            plan.count(("restored", "spans", mapped.label), span.annotator_id)
            live[span.id] = (span, mapped.label, attributes)
        for link in links:
            self._restore_link(plan, link, live, edges)
        for value in values:
            self._restore_value(plan, value, live)

    def _fits_beside(self, span: StoredSpan, label: str, live: dict[int, Any]) -> bool:
        lab = self.schema.label(label)
        others = [
            (f"#{s.id}", s.start, s.end)
            for s, other_label, _ in live.values()
            if other_label == label and s.annotator_id == span.annotator_id
        ]
        try:
            rules.check_overlap(label, lab is None or lab.overlap, span.start, span.end, others)
        except ValidationError:
            return False
        return True

    def _restore_link(
        self,
        plan: DocumentPlan,
        link: StoredLink,
        live: dict[int, tuple[StoredSpan, str, dict[str, Any]]],
        edges: set[tuple[int, int, str]],
    ) -> None:
        name, _ = self.steps.relation(link.label)
        if name is None or link.source_id not in live or link.target_id not in live:
            return
        source, target = live[link.source_id][1], live[link.target_id][1]
        if rules.link_outside(self.schema, name, source, target) is not None:
            return
        if (link.source_id, link.target_id, name) in edges:
            return
        rel = self.schema.relation(name)
        assert rel is not None
        held = sum(1 for s, _, r in edges if s == link.source_id and r == name)
        if rel.max is not None and held >= rel.max:
            plan.count(("kept", "max", name), link.annotator_id, span=live[link.source_id][0])
            return
        ends = live[link.source_id][0], live[link.target_id][0]
        if not self._link_values(plan, link, name, ends, restoring=True):
            return  # a value the schema lacks: the link stays archived, its values with it
        plan.restore_links.append((link.id, name))
        plan.count(("restored", "links", name), link.annotator_id)
        edges.add((link.source_id, link.target_id, name))

    def _restore_value(
        self,
        plan: DocumentPlan,
        value: StoredValue,
        live: dict[int, tuple[StoredSpan, str, dict[str, Any]]],
    ) -> None:
        if value.span_id not in live:
            return
        span, label, attributes = live[value.span_id]
        mapped = self.steps.span(label, {value.attribute: value.value})
        if mapped.archived_values or len(mapped.attributes) != 1:
            return
        ((name, given),) = mapped.attributes.items()
        current = attributes.get(name)
        if isinstance(given, list) and isinstance(current, list):
            given = [*current, *given]
        elif current is not None:
            return
        try:
            stored = rules.check_attribute(self.schema, label, name, given)
        except ValidationError:
            return
        attributes = {**attributes, name: stored}
        live[value.span_id] = (span, label, attributes)
        plan.updates[span.id] = (label, attributes)
        plan.restore_values.append(value.id)
        plan.count(("restored", "values", label, name), value.annotator_id)

    # -- what needs a person --

    def _review(
        self,
        plan: DocumentPlan,
        live: dict[int, tuple[StoredSpan, str, dict[str, Any]]],
        edges: set[tuple[int, int, str]],
    ) -> None:
        groups: dict[tuple[int, str], list[StoredSpan]] = {}
        for span, label, attributes in live.values():
            for name in rules.missing_required(self.schema, label, attributes):
                plan.count(("review", "missing", label, name), span.annotator_id, span=span)
            lab = self.schema.label(label)
            if lab is not None and not lab.overlap:
                groups.setdefault((span.annotator_id, label), []).append(span)
        for (annotator, label), group in groups.items():
            for span in overlapping(group):
                plan.count(("review", "overlap", label), annotator, span=span)
        per_source = Counter((source, name) for source, _, name in edges)
        for (source, name), held in per_source.items():
            rel = self.schema.relation(name)
            if rel is not None and rel.max is not None and held > rel.max:
                span = live[source][0]
                plan.count(("review", "max", name), span.annotator_id, held - rel.max, span)


def overlapping(spans: Sequence[StoredSpan]) -> list[StoredSpan]:
    """The spans that overlap another of the group (one annotator's spans of one label)."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    found: dict[int, StoredSpan] = {}
    reach: StoredSpan | None = None
    for span in ordered:
        if reach is not None and span.start < reach.end:
            found[span.id] = span
            found[reach.id] = reach
        if reach is None or span.end > reach.end:
            reach = span
    return list(found.values())
