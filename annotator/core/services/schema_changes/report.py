"""What a schema change does to the data, counted per layer, in words a team lead reads.

The same report is printed by ``annotator schema diff`` and ``schema use``, shown by the window
before it switches, and kept (as JSON) in the schema history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotator.core.domain.rules import Outside
from annotator.core.domain.schema import MigrationStep, Schema
from annotator.core.domain.schema.diff import Change, ChangeKind
from annotator.core.domain.wording import counted

EXAMPLES = 3
DOCUMENTS_SHOWN = 10


@dataclass
class Count:
    """How many, in all and per layer (by the name the report shows)."""

    total: int = 0
    layers: Counter[str] = field(default_factory=Counter)

    def add(self, layer: str, n: int) -> None:
        self.total += n
        self.layers[layer] += n

    def text(self, unit: str) -> str:
        parts = ", ".join(f"{name} {n}" for name, n in sorted(self.layers.items()) if n)
        return f"{self.total} {unit}" + (f" ({parts})" if parts else "")

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "layers": dict(sorted(self.layers.items()))}


def layer_name(name: str, kind: str) -> str:
    """A person by name; gold and suggestions as the layers they are."""
    return name if kind == "person" else f"{kind} layer"


@dataclass
class ChangeReport:
    """A schema change, from ``old`` (None: no schema was active) to ``new``."""

    old: Schema | None
    new: Schema
    changes: list[tuple[Change, Count]] = field(default_factory=list)
    steps: list[tuple[MigrationStep, dict[str, Count]]] = field(default_factory=list)
    conflicts: list[tuple[Outside, Count, list[str]]] = field(default_factory=list)
    review: list[tuple[str, str, Count, list[str]]] = field(default_factory=list)
    restored: list[tuple[str, Count]] = field(default_factory=list)
    kept: list[tuple[str, Count]] = field(default_factory=list)
    history_id: int | None = None

    def _on_link(self, what: Outside) -> bool:
        """Whether ``what`` is a link's value: its owner is a relation of the new schema."""
        owner = what.names[0] if what.kind in ("attribute", "value") else ""
        return self.new.relation(owner) is not None and self.new.label(owner) is None

    @property
    def conflicted(self) -> bool:
        return bool(self.conflicts)

    @property
    def needs_review(self) -> list[str]:
        """Keys of the done documents a person should look at again, each once."""
        return sorted({key for _, _, _, docs in self.review for key in docs})

    @property
    def title(self) -> str:
        old = "(none)" if self.old is None else f"{self.old.name} {self.old.version}"
        return f"schema {old} -> {self.new.name} {self.new.version}"

    def lines(self) -> list[str]:
        """The report as a terminal or a dialog shows it."""
        out = [self.title]
        if self.changes:
            out.append("changes for the data:")
            for change, count in self.changes:
                touch = _touch(change, count)
                out.append(f"  {change.text}: {touch}" if touch else f"  {change.text}")
        else:
            out.append("no change for the data (labels, attributes, values, relations alike)")
        done = [(step, counts) for step, counts in self.steps if counts]
        if done:
            out.append("what the schema's migrations do:")
            for step, counts in done:
                said = ", ".join(
                    counts[unit].text(unit)
                    for unit in ("spans", "values", "links")
                    if unit in counts
                )
                out.append(f"  {step.text}: {said}")
        if self.restored:
            out.append("back from the archive:")
            out += [f"  {count.text(what)}" for what, count in self.restored]
        if self.kept:
            out.append("staying in the archive:")
            out += [f"  {count.text(what)}" for what, count in self.kept]
        if self.conflicts:
            out.append("left outside the schema (say in its migrations what becomes of them):")
            for outside, count, examples in self.conflicts:
                out.append(
                    f"  {outside.text}: {count.text(outside.unit)}; e.g. {'; '.join(examples)}"
                )
            out.append("for example, add to the schema:")
            out.append("  migrations:")
            hints = (_hint(w, self._on_link(w)) for w, _, _ in self.conflicts)
            out += [f"    {hint}" for hint in dict.fromkeys(hints)]
        for what, unit, count, documents in self.review:
            line = f"needs review: {what}: {count.text(unit)}"
            if documents:
                shown = ", ".join(documents[:DOCUMENTS_SHOWN])
                more = len(documents) - DOCUMENTS_SHOWN
                line += f"; {counted(len(documents), 'done document')}: {shown}"
                line += f" and {more} more" if more > 0 else ""
            out.append(line)
        return out

    def as_json(self) -> dict[str, Any]:
        """What the schema history keeps of a change that was applied."""
        return {
            "from": None if self.old is None else f"{self.old.name} {self.old.version}",
            "to": f"{self.new.name} {self.new.version}",
            "changes": [
                {"change": c.text, "unit": c.unit, "touches": _touch(c, n), **n.as_json()}
                for c, n in self.changes
            ],
            "steps": [
                {"step": s.text, **{unit: n.as_json() for unit, n in counts.items()}}
                for s, counts in self.steps
            ],
            "restored": [{"what": what, **n.as_json()} for what, n in self.restored],
            "kept_archived": [{"what": what, **n.as_json()} for what, n in self.kept],
            "review": [
                {"what": what, "unit": unit, **n.as_json(), "done_documents": docs}
                for what, unit, n, docs in self.review
            ],
        }


def _touch(change: Change, count: Count) -> str:
    kind = change.kind
    if kind in (ChangeKind.ATTRIBUTE_ADDED, ChangeKind.ATTRIBUTE_REQUIRED):
        if change.detail != "required" and kind is ChangeKind.ATTRIBUTE_ADDED:
            return ""
        return f"{count.text(change.unit)} lack a value"
    if kind in (ChangeKind.LABEL_ADDED, ChangeKind.RELATION_ADDED, ChangeKind.VALUE_ADDED):
        return f"{count.text(change.unit)} come back from the archive" if count.total else ""
    if kind is ChangeKind.LABEL_OVERLAP:
        return f"{count.text('spans')} overlap another"
    if kind is ChangeKind.RELATION_MAX:
        return f"{count.text('links')} over the limit"
    return count.text(change.unit)


def _hint(what: Outside, on_link: bool = False) -> str:
    """A step that settles ``what``; a link's values are renamed or mapped, never archived."""
    n = what.names
    match what.kind:
        case "label":
            return f"- archive_label: {n[0]}        # or rename_label: {{from: {n[0]}, to: LABEL}}"
        case "attribute" if on_link:
            return f"- rename_attribute: {{relation: {n[0]}, from: {n[1]}, to: ATTRIBUTE}}"
        case "attribute":
            return f"- archive_attribute: {n[0]}.{n[1]}"
        case "value":
            return f"- map_removed_value: {{attribute: {n[0]}.{n[1]}, from: {n[2]}, to: VALUE}}" + (
                "" if on_link else "   # or archive_value"
            )
        case "relation":
            return (
                f"- archive_relation: {n[0]}        # or rename_relation: {{from: {n[0]}, to: R}}"
            )
        case "type":
            return f"# {n[0]}.{n[1]}: no step converts values; give the new attribute another name"
        case _:
            return f"# {n[0]}: keep its ends, or give the new relation another name"
