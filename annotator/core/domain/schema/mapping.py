"""A schema's migration steps applied to one stored span or link: what it becomes.

Pure: the schema change service feeds it database rows and writes what it says. Steps are
applied by kind, labels first, then attributes, then values, since each step names the label
and attribute as the new schema spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotator.core.domain.schema.model import MigrationStep, StepKind

_ARCHIVES = frozenset(
    {
        StepKind.ARCHIVE_LABEL,
        StepKind.ARCHIVE_ATTRIBUTE,
        StepKind.ARCHIVE_VALUE,
        StepKind.ARCHIVE_RELATION,
    }
)


def archives(step: MigrationStep) -> bool:
    return step.kind in _ARCHIVES


@dataclass
class MappedSpan:
    """A span after the steps: its label and values, or the step that archives it whole.

    ``archived_values`` are (attribute, value, step) taken off a span that stays; ``touched``
    counts, per step, the units it changed (1 for the span, or the number of values).
    """

    label: str
    attributes: dict[str, Any]
    archived_by: MigrationStep | None = None
    archived_values: list[tuple[str, Any, MigrationStep]] = field(default_factory=list)
    touched: dict[MigrationStep, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.touched)

    def _touch(self, step: MigrationStep, units: int = 1) -> None:
        self.touched[step] = self.touched.get(step, 0) + units


class StepMap:
    """The steps of one schema, indexed by the old names they act on."""

    def __init__(self, steps: tuple[MigrationStep, ...]) -> None:
        self.steps = steps
        self.labels: dict[str, MigrationStep] = {}
        self.attributes: dict[tuple[str, str], MigrationStep] = {}
        self.values: dict[tuple[str, str, str], MigrationStep] = {}
        self.relations: dict[str, MigrationStep] = {}
        # A relation's attributes and values, apart: a label and a relation may share a name.
        self.link_attributes: dict[tuple[str, str], MigrationStep] = {}
        self.link_values: dict[tuple[str, str, str], MigrationStep] = {}
        for step in steps:
            for old in step.old:
                if step.on_relation:
                    assert step.label is not None
                    if step.attribute is None:
                        self.link_attributes[(step.label, old)] = step
                    else:
                        self.link_values[(step.label, step.attribute, old)] = step
                elif step.kind in (StepKind.RENAME_LABEL, StepKind.ARCHIVE_LABEL):
                    self.labels[old] = step
                elif step.kind in (StepKind.RENAME_ATTRIBUTE, StepKind.ARCHIVE_ATTRIBUTE):
                    assert step.label is not None
                    self.attributes[(step.label, old)] = step
                elif step.kind in (StepKind.RENAME_RELATION, StepKind.ARCHIVE_RELATION):
                    self.relations[old] = step
                else:
                    assert step.label is not None and step.attribute is not None
                    self.values[(step.label, step.attribute, old)] = step

    def label(self, name: str) -> tuple[str | None, MigrationStep | None]:
        """The label's new name (None: archived) and the step that says so, if any."""
        step = self.labels.get(name)
        if step is None:
            return name, None
        return step.new, step

    def relation(self, name: str) -> tuple[str | None, MigrationStep | None]:
        """The relation's new name (None: its links are archived) and the step, if any."""
        step = self.relations.get(name)
        if step is None:
            return name, None
        return step.new, step

    def span(self, label: str, attributes: dict[str, Any]) -> MappedSpan:
        """What the steps make of a span with this label and these values."""
        new_label, step = self.label(label)
        if step is not None and new_label is None:
            mapped = MappedSpan(label, dict(attributes), archived_by=step)
            mapped._touch(step)
            return mapped
        assert new_label is not None
        mapped = MappedSpan(new_label, {})
        if step is not None:
            mapped._touch(step)
        self._attributes(mapped, attributes, self.attributes, self.values)
        return mapped

    def link(self, relation: str, attributes: dict[str, Any]) -> MappedSpan:
        """What the steps make of a link's values; ``relation`` as the new schema names it.
        The result's ``label`` is the relation; the archive holds no link values, so
        ``archived_values`` stays empty (the schema refuses archive steps on relations)."""
        mapped = MappedSpan(relation, {})
        self._attributes(mapped, attributes, self.link_attributes, self.link_values)
        return mapped

    def _attributes(
        self,
        mapped: MappedSpan,
        attributes: dict[str, Any],
        attribute_steps: dict[tuple[str, str], MigrationStep],
        value_steps: dict[tuple[str, str, str], MigrationStep],
    ) -> None:
        """A span's or a link's values through the attribute and value steps of its owner."""
        owner = mapped.label
        for name, value in attributes.items():
            if value is None:
                continue
            attr_step = attribute_steps.get((owner, name))
            if attr_step is not None:
                mapped._touch(attr_step)
                if attr_step.new is None:
                    mapped.archived_values.append((name, value, attr_step))
                    continue
                name = attr_step.new
            kept = self._value(mapped, value_steps, owner, name, value)
            if kept is not None and kept != []:
                mapped.attributes[name] = kept

    def _value(
        self,
        mapped: MappedSpan,
        value_steps: dict[tuple[str, str, str], MigrationStep],
        label: str,
        name: str,
        value: Any,
    ) -> Any:
        if isinstance(value, str):
            step = value_steps.get((label, name, value))
            if step is None:
                return value
            mapped._touch(step)
            if step.new is None:
                mapped.archived_values.append((name, value, step))
                return None
            return step.new
        if not isinstance(value, list):
            return value
        kept: list[Any] = []
        for item in value:
            step = value_steps.get((label, name, item)) if isinstance(item, str) else None
            if step is not None:
                mapped._touch(step)
                if step.new is None:
                    mapped.archived_values.append((name, [item], step))
                    continue
                item = step.new
            if item not in kept:  # two values merged into one are held once
                kept.append(item)
        return kept
