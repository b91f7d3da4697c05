"""A schema's ``migrations`` section: what becomes of annotations made under earlier schemas.

Each step is one key (``rename_value: {...}``, ``archive_label: WEAPON``). Names on the left
(``from``, an archived name) are the old ones, which must be gone from this schema; names on the
right (``to``) and the label and attribute a step acts on are this schema's, which must exist.
So a step is checked against this file alone, with its line, like the rest of the schema; which
annotations it touches is found when the schema is used on a database (``schema diff``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.core.domain.schema.model import (
    NAME_RE,
    AttributeType,
    Label,
    MigrationStep,
    RelationType,
    StepKind,
)
from annotator.core.domain.schema.reading import NodeReader
from annotator.core.domain.schema.yaml_loader import Located

# OWNER: a label, or a relation whose links carry the attribute (aimed_at.stance_toward).
_SHAPES: dict[StepKind, str] = {
    StepKind.RENAME_LABEL: "{from: OLD, to: NEW}",
    StepKind.ARCHIVE_LABEL: "LABEL",
    StepKind.RENAME_ATTRIBUTE: "{label: LABEL, from: OLD, to: NEW} or {relation: RELATION, ...}",
    StepKind.ARCHIVE_ATTRIBUTE: "LABEL.ATTRIBUTE",
    StepKind.RENAME_VALUE: "{attribute: OWNER.ATTRIBUTE, from: OLD, to: NEW}",
    StepKind.MERGE_VALUES: "{attribute: OWNER.ATTRIBUTE, from: [A, B], to: C}",
    StepKind.MAP_REMOVED_VALUE: "{attribute: OWNER.ATTRIBUTE, from: OLD, to: VALUE}",
    StepKind.ARCHIVE_VALUE: "{attribute: LABEL.ATTRIBUTE, value: OLD}",
    StepKind.RENAME_RELATION: "{from: OLD, to: NEW}",
    StepKind.ARCHIVE_RELATION: "RELATION",
}


class StepReader:
    """Reads the ``migrations`` list of one schema, reporting through the schema's parser."""

    def __init__(
        self, reader: NodeReader, labels: tuple[Label, ...], relations: tuple[RelationType, ...]
    ) -> None:
        self.r = reader
        self.labels = {lab.name: lab for lab in labels}
        self.relations = {rel.name: rel for rel in relations}
        self._readers: dict[StepKind, Callable[[Located, str], MigrationStep | None]] = {
            StepKind.RENAME_LABEL: self._rename_label,
            StepKind.ARCHIVE_LABEL: self._archive_label,
            StepKind.RENAME_ATTRIBUTE: self._rename_attribute,
            StepKind.ARCHIVE_ATTRIBUTE: self._archive_attribute,
            StepKind.RENAME_VALUE: self._value_step,
            StepKind.MERGE_VALUES: self._value_step,
            StepKind.MAP_REMOVED_VALUE: self._value_step,
            StepKind.ARCHIVE_VALUE: self._archive_value,
            StepKind.RENAME_RELATION: self._rename_relation,
            StepKind.ARCHIVE_RELATION: self._archive_relation,
        }

    def read(self, top: dict[str, Located]) -> tuple[MigrationStep, ...]:
        steps: list[tuple[MigrationStep, str]] = []
        for i, node in enumerate(self.r.items(top, "migrations", "")):
            where = f"migrations[{i}]"
            if not isinstance(node.value, dict) or len(node.value) != 1:
                self.r.problem(
                    node.line,
                    where,
                    "must be one step such as 'archive_label: WEAPON' (steps: "
                    + ", ".join(k.value for k in StepKind)
                    + ")",
                )
                continue
            ((name, body),) = node.value.items()
            try:
                kind = StepKind(name)
            except ValueError:
                self.r.problem(
                    body.line,
                    f"{where}.{name}",
                    "unknown step (steps: " + ", ".join(k.value for k in StepKind) + ")",
                )
                continue
            self.kind = kind
            step = self._readers[kind](body, f"{where}.{name}")
            if step is not None:
                steps.append((step, f"{where}.{name}"))
        self._no_old_name_twice(steps)
        return tuple(step for step, _ in steps)

    # -- the shapes of a step --

    def _fields(self, body: Located, where: str, keys: set[str]) -> dict[str, Located] | None:
        if not isinstance(body.value, dict):
            self.r.problem(body.line, where, f"must be {_SHAPES[self.kind]}")
            return None
        m = self.r.mapping(body, where, keys)
        missing = sorted(keys - m.keys()) if m is not None else []
        for key in missing:
            self.r.problem(body.line, f"{where}.{key}", f"is required ({_SHAPES[self.kind]})")
        return None if m is None or missing else m

    def _name(self, node: Located, where: str) -> str | None:
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not NAME_RE.match(value):
            self.r.problem(node.line, where, f"{value!r} is not a name ({_SHAPES[self.kind]})")
            return None
        return value

    def _path(self, node: Located, where: str) -> tuple[Label | RelationType, str] | None:
        """``LABEL.ATTRIBUTE`` or ``RELATION.ATTRIBUTE``: the owner must be this schema's; the
        owner and the attribute's name are returned."""
        value = node.value
        if not isinstance(value, str) or value.count(".") != 1:
            self.r.problem(node.line, where, f"{value!r} must be LABEL.ATTRIBUTE")
            return None
        owner_name, attr = value.split(".")
        owner = self._owner(owner_name, node, where)
        return None if owner is None else (owner, attr)

    def _owner(self, name: Any, node: Located, where: str) -> Label | RelationType | None:
        """The label or relation an attribute step names (one name may not be both)."""
        label = self.labels.get(name) if isinstance(name, str) else None
        relation = self.relations.get(name) if isinstance(name, str) else None
        if label is not None and relation is not None:
            self.r.problem(
                node.line, where, f"{name!r} is both a label and a relation; rename one of them"
            )
            return None
        if label is None and relation is None:
            self.r.problem(node.line, where, f"label or relation {name!r} is not in this schema")
            return None
        return label or relation

    def _step(
        self,
        owner: Label | RelationType,
        old: tuple[str, ...],
        new: str | None,
        attr: str | None,
        line: int,
    ) -> MigrationStep:
        on_relation = isinstance(owner, RelationType)
        return MigrationStep(self.kind, old, new, owner.name, attr, line, on_relation)

    def _no_archive_on_relation(
        self, owner: Label | RelationType, node: Located, where: str
    ) -> bool:
        """The archive holds no loose link values: a relation's attribute or value is renamed,
        merged or mapped, never archived (data is never dropped)."""
        if isinstance(owner, RelationType):
            self.r.problem(
                node.line,
                where,
                f"values of relation {owner.name!r} cannot be archived; rename, merge or map "
                "them to a value of this schema",
            )
            return True
        return False

    # -- labels --

    def _rename_label(self, body: Located, where: str) -> MigrationStep | None:
        m = self._fields(body, where, {"from", "to"})
        if m is None:
            return None
        old, new = self._name(m["from"], f"{where}.from"), self._name(m["to"], f"{where}.to")
        if old is not None and old in self.labels:
            self._still_there(m["from"], f"{where}.from", f"label {old!r}")
            old = None
        if new is not None and new not in self.labels:
            self.r.problem(m["to"].line, f"{where}.to", f"label {new!r} is not in this schema")
            new = None
        if old is None or new is None:
            return None
        return MigrationStep(self.kind, (old,), new, line=body.line)

    def _archive_label(self, body: Located, where: str) -> MigrationStep | None:
        name = self._name(body, where)
        if name is not None and name in self.labels:
            self._still_there(body, where, f"label {name!r}")
            return None
        return None if name is None else MigrationStep(self.kind, (name,), line=body.line)

    # -- attributes --

    def _rename_attribute(self, body: Located, where: str) -> MigrationStep | None:
        given = body.value if isinstance(body.value, dict) else {}
        key = "relation" if "relation" in given else "label"
        m = self._fields(body, where, {key, "from", "to"})
        if m is None:
            return None
        owner: Label | RelationType | None
        if key == "relation":
            name = m[key].value
            owner = self.relations.get(name) if isinstance(name, str) else None
        else:
            owner = self.labels.get(m[key].value) if isinstance(m[key].value, str) else None
        if owner is None:
            self.r.problem(
                m[key].line, f"{where}.{key}", f"{key} {m[key].value!r} is not in this schema"
            )
            return None
        old, new = self._name(m["from"], f"{where}.from"), self._name(m["to"], f"{where}.to")
        if old is not None and owner.attribute(old) is not None:
            self._still_there(m["from"], f"{where}.from", f"attribute {owner.name}.{old}")
            old = None
        if new is not None and owner.attribute(new) is None:
            self.r.problem(
                m["to"].line, f"{where}.to", f"{owner.name} has no attribute {new!r} in this schema"
            )
            new = None
        if old is None or new is None:
            return None
        return self._step(owner, (old,), new, None, body.line)

    def _archive_attribute(self, body: Located, where: str) -> MigrationStep | None:
        found = self._path(body, where)
        if found is None:
            return None
        label, attr = found
        if self._no_archive_on_relation(label, body, where):
            return None
        if label.attribute(attr) is not None:
            self._still_there(body, where, f"attribute {label.name}.{attr}")
            return None
        return MigrationStep(self.kind, (attr,), label=label.name, line=body.line)

    # -- values --

    def _choice(
        self, node: Located, where: str
    ) -> tuple[Label | RelationType, str, tuple[str, ...]] | None:
        found = self._path(node, where)
        if found is None:
            return None
        owner, name = found
        attr = owner.attribute(name)
        if attr is None or attr.type not in (AttributeType.CHOICE, AttributeType.MULTI):
            self.r.problem(
                node.line, where, f"{owner.name}.{name} is not a choice or multi attribute here"
            )
            return None
        return owner, name, attr.value_names

    def _value_step(self, body: Located, where: str) -> MigrationStep | None:
        m = self._fields(body, where, {"attribute", "from", "to"})
        if m is None:
            return None
        found = self._choice(m["attribute"], f"{where}.attribute")
        if found is None:
            return None
        owner, attr, values = found
        label = owner.name
        new = self._name(m["to"], f"{where}.to")
        if new is not None and new not in values:
            self.r.problem(m["to"].line, f"{where}.to", f"{new!r} is not a value of {label}.{attr}")
            new = None
        sources = m["from"].value if self.kind is StepKind.MERGE_VALUES else [m["from"]]
        if self.kind is StepKind.MERGE_VALUES and (not isinstance(sources, list) or not sources):
            self.r.problem(m["from"].line, f"{where}.from", "must be a list of values to merge")
            return None
        old: list[str] = []
        sound = new is not None
        for node in sources:
            name = self._name(node, f"{where}.from")
            if name is not None and name == new and self.kind is StepKind.MERGE_VALUES:
                continue  # merging a value into itself: it stays
            if name is not None and name in values:
                self._still_there(node, f"{where}.from", f"value {label}.{attr}.{name}")
                name = None
            sound = sound and name is not None
            if name is not None:
                old.append(name)
        if not sound or not old:
            return None
        return self._step(owner, tuple(old), new, attr, body.line)

    def _archive_value(self, body: Located, where: str) -> MigrationStep | None:
        m = self._fields(body, where, {"attribute", "value"})
        if m is None:
            return None
        found = self._choice(m["attribute"], f"{where}.attribute")
        name = self._name(m["value"], f"{where}.value")
        if found is None or name is None:
            return None
        owner, attr, values = found
        if self._no_archive_on_relation(owner, m["attribute"], f"{where}.attribute"):
            return None
        if name in values:
            self._still_there(m["value"], f"{where}.value", f"value {owner.name}.{attr}.{name}")
            return None
        return MigrationStep(self.kind, (name,), None, owner.name, attr, body.line)

    # -- relations --

    def _rename_relation(self, body: Located, where: str) -> MigrationStep | None:
        m = self._fields(body, where, {"from", "to"})
        if m is None:
            return None
        old, new = self._name(m["from"], f"{where}.from"), self._name(m["to"], f"{where}.to")
        if old is not None and old in self.relations:
            self._still_there(m["from"], f"{where}.from", f"relation {old!r}")
            old = None
        if new is not None and new not in self.relations:
            self.r.problem(m["to"].line, f"{where}.to", f"relation {new!r} is not in this schema")
            new = None
        if old is None or new is None:
            return None
        return MigrationStep(self.kind, (old,), new, line=body.line)

    def _archive_relation(self, body: Located, where: str) -> MigrationStep | None:
        name = self._name(body, where)
        if name is not None and name in self.relations:
            self._still_there(body, where, f"relation {name!r}")
            return None
        return None if name is None else MigrationStep(self.kind, (name,), line=body.line)

    # -- across steps --

    def _still_there(self, node: Located, where: str, what: str) -> None:
        self.r.problem(
            node.line,
            where,
            f"{what} is still in this schema; a step names what is gone from it",
        )

    def _no_old_name_twice(self, steps: list[tuple[MigrationStep, str]]) -> None:
        """Each old name has one fate: renamed or merged or archived, never two of these."""
        seen: dict[tuple[str, ...], MigrationStep] = {}
        for step, where in steps:
            family = _FAMILY[step.kind]
            for old in step.old:
                key = (family, str(step.on_relation), step.label or "", step.attribute or "", old)
                first = seen.setdefault(key, step)
                if first is not step:
                    self.r.problem(
                        step.line,
                        where,
                        f"{old!r} already has a step on line {first.line} ({first.text})",
                    )


_FAMILY = {
    StepKind.RENAME_LABEL: "label",
    StepKind.ARCHIVE_LABEL: "label",
    StepKind.RENAME_ATTRIBUTE: "attribute",
    StepKind.ARCHIVE_ATTRIBUTE: "attribute",
    StepKind.RENAME_VALUE: "value",
    StepKind.MERGE_VALUES: "value",
    StepKind.MAP_REMOVED_VALUE: "value",
    StepKind.ARCHIVE_VALUE: "value",
    StepKind.RENAME_RELATION: "relation",
    StepKind.ARCHIVE_RELATION: "relation",
}
