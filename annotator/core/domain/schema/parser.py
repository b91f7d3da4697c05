"""Reading schema YAML into a ``Schema``: every problem at once, each with file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.domain.errors import Problem, SchemaError
from annotator.core.domain.schema.model import (
    COLOR_RE,
    MAX_NAME,
    MAX_SCHEMA_BYTES,
    NAME_RE,
    RESERVED_HOTKEYS,
    Attribute,
    AttributeType,
    AttributeValue,
    Label,
    RelationType,
    Schema,
    Snap,
    StatementsExport,
    entity_field,
)
from annotator.core.domain.schema.patterns import PatternReader
from annotator.core.domain.schema.reading import NodeReader, normalise_hotkey, plain, some_names
from annotator.core.domain.schema.steps import StepReader
from annotator.core.domain.schema.yaml_loader import Located, YamlProblem, load_located

__all__ = ["load_schema", "normalise_hotkey", "parse_schema"]


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file; raise ``SchemaError`` naming every problem."""
    path = Path(path)
    name = str(path)
    try:
        # Read one byte past the limit, never the whole of a huge file given by mistake.
        with path.open("rb") as handle:
            raw = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as exc:
        raise SchemaError([Problem(name, None, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_SCHEMA_BYTES:
        raise SchemaError([Problem(name, None, "", "larger than 1 MB; not a label schema")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(
            [Problem(name, None, "", f"not UTF-8 (bad byte at offset {exc.start})")]
        ) from None
    return parse_schema(text, name)


def parse_schema(text: str, filename: str = "<schema>") -> Schema:
    """Validate schema text; raise ``SchemaError`` naming every problem found."""
    if len(text) > MAX_SCHEMA_BYTES:
        # The YAML parser is pure Python (~0.3 MB/s): bound its time as load_schema does.
        raise SchemaError([Problem(filename, None, "", "larger than 1 MB; not a label schema")])
    try:
        root = load_located(text, filename)
    except YamlProblem as exc:
        raise SchemaError([exc.problem]) from None
    parser = _Parser(filename)
    schema = parser.schema(root, text)
    if parser.problems or schema is None:
        problems = sorted(parser.problems, key=lambda p: p.line or 0)
        raise SchemaError(problems, f"{filename}: invalid label schema")
    return schema


_TOP_KEYS = {
    "name",
    "version",
    "description",
    "guidelines",
    "snap",
    "labels",
    "relations",
    "exports",
    "migrations",
    "suggestions",
}
_LABEL_KEYS = {
    "name",
    "color",
    "hotkey",
    "description",
    "overlap",
    "snap",
    "attributes",
    "needs_link",
    "patterns",
    "entity",
    "cross_paragraph",
}
_ATTR_KEYS = {"name", "type", "required", "default", "description", "values", "hotkey"}
_VALUE_KEYS = {"name", "description", "hotkey"}
_REL_KEYS = {"name", "from", "to", "hotkey", "max", "description", "required", "attributes"}
_STATEMENT_KEYS = {"label", "fields", "context_sentences"}
# Each mention of a statements field: its link's values sit beside these keys.
_MENTION_KEYS = {"id", "text", "start", "end", "label", "attributes", "entity"}
_RESERVED_STATEMENT_FIELDS = {
    "id",
    "document_id",
    "document_title",
    "annotator",
    "text",
    "start",
    "end",
    "label",
    "context",
    "context_start",
    "attributes",
    "schema",
}


class _Parser(NodeReader):
    """The parts of a schema: labels, attributes, values, relations, hotkeys, exports."""

    # -- the parts of a schema --

    def schema(self, root: Located, text: str) -> Schema | None:
        top = self.mapping(root, "", _TOP_KEYS)
        if top is None:
            return None
        name = self.name(top, "", root.line)
        version = self.get(top, "version", "", str, root.line, required=True)
        if version is not None and len(version) > MAX_NAME:
            self.problem(top["version"].line, "version", f"is longer than {MAX_NAME} characters")
            version = None
        self.types_seen: dict[str, tuple[AttributeType, str, int]] = {}
        labels = [
            lab
            for lab in (self.label(n, i) for i, n in enumerate(self.items(top, "labels", "")))
            if lab is not None
        ]
        if "labels" in top and not labels and not self.problems:
            self.problem(top["labels"].line, "labels", "needs at least one label")
        elif "labels" not in top:
            self.problem(root.line, "labels", "is required")
        self.unique([(lab.name, line) for lab, line in labels], "label", "labels")
        label_objs = tuple(lab for lab, _ in labels)
        # Built once: a set per relation made big schemas quadratic.
        known = frozenset(lab.name for lab in label_objs)
        relations = [
            r
            for r in (
                self.relation(n, i, known) for i, n in enumerate(self.items(top, "relations", ""))
            )
            if r is not None
        ]
        self.unique([(r.name, line) for r, line in relations], "relation", "relations")
        rel_objs = tuple(r for r, _ in relations)
        self.check_hotkeys(labels, relations)
        statements = self.exports(top, label_objs, rel_objs)
        migrations = StepReader(self, label_objs, rel_objs).read(top)
        suggestions = PatternReader(self).settings(top)
        if name is None or version is None:
            return None
        return Schema(
            name=name,
            version=version,
            labels=label_objs,
            relations=rel_objs,
            description=self.get(top, "description", "", str, root.line, ""),
            guidelines=self.get(top, "guidelines", "", str, root.line, ""),
            snap=self.snap(top, "", root.line) or Snap.WORD,
            statements=statements,
            migrations=migrations,
            suggestions=suggestions,
            source_text=text,
        )

    def label(self, node: Located, index: int) -> tuple[Label, int] | None:
        where = f"labels[{index}]"
        m = self.mapping(node, where, _LABEL_KEYS)
        if m is None:
            return None
        name = self.name(m, where, node.line)
        where = f"labels.{name}" if name else where
        color = self.get(m, "color", where, str, node.line, required=True)
        if color is not None and not COLOR_RE.match(color):
            self.problem(
                m["color"].line,
                f"{where}.color",
                f"{color!r} is not a colour (use #rrggbb or #rgb)",
            )
            color = None
        attrs = self.attributes(m, where)
        label = Label(
            name=name or "",
            color=color or "#cccccc",
            hotkey=self.hotkey(m, where, node.line),
            description=self.get(m, "description", where, str, node.line, ""),
            overlap=self.get(m, "overlap", where, bool, node.line, True),
            needs_link=self.get(m, "needs_link", where, bool, node.line, False),
            entity=self.get(m, "entity", where, bool, node.line, False),
            cross_paragraph=self.get(m, "cross_paragraph", where, bool, node.line, None),
            snap=self.snap(m, where, node.line),
            attributes=attrs,
            patterns=PatternReader(self).patterns(m, where, attrs),
        )
        return (label, m["name"].line if "name" in m else node.line) if name else None

    def attributes(self, m: dict[str, Located], where: str) -> tuple[Attribute, ...]:
        """The ``attributes`` of a label or a relation: both are read, and checked, alike."""
        attrs = [
            a
            for a in (
                self.attribute(n, i, where)
                for i, n in enumerate(self.items(m, "attributes", where))
            )
            if a is not None
        ]
        self.unique([(a.name, line) for a, line in attrs], "attribute", f"{where}.attributes")
        for a, line in {a.name: (a, line) for a, line in reversed(attrs)}.values():
            self.one_type(a, line, f"{where}.{a.name}")  # a duplicate is reported above
        return tuple(a for a, _ in attrs)

    def one_type(self, attr: Attribute, line: int, where: str) -> None:
        """One type per attribute name across labels and relations: exports give each name one
        column."""
        first = self.types_seen.setdefault(attr.name, (attr.type, where, line))
        if first[0] != attr.type:
            self.problem(
                line,
                f"{where}.type",
                f"attribute {attr.name!r} is {attr.type.value} here but {first[0].value} at "
                f"{first[1]} (line {first[2]}); an attribute name has one type everywhere",
            )

    def attribute(self, node: Located, index: int, owner: str) -> tuple[Attribute, int] | None:
        where = f"{owner}.attributes[{index}]"
        m = self.mapping(node, where, _ATTR_KEYS)
        if m is None:
            return None
        name = self.name(m, where, node.line)
        where = f"{owner}.{name}" if name else where
        type_text = self.get(m, "type", where, str, node.line, required=True)
        try:
            kind = AttributeType(type_text) if type_text is not None else None
        except ValueError:
            self.problem(
                m["type"].line,
                f"{where}.type",
                f"{type_text!r} must be one of choice, multi, text, bool",
            )
            kind = None
        values: list[tuple[AttributeValue, int]] = []
        for i, vnode in enumerate(self.items(m, "values", where)):
            value = self.value(vnode, i, where)
            if value is not None:
                values.append(value)
        self.unique([(v.name, line) for v, line in values], "value", f"{where}.values")
        value_names = {v.name for v, _ in values}
        if kind in (AttributeType.CHOICE, AttributeType.MULTI) and not values:
            self.problem(
                m.get("values", node).line,
                f"{where}.values",
                f"a {kind.value} attribute needs a list of values",
            )
        if kind in (AttributeType.TEXT, AttributeType.BOOL) and values:
            self.problem(
                m["values"].line, f"{where}.values", f"a {kind.value} attribute takes no values"
            )
        default = m["default"].value if "default" in m else None
        if default is not None and kind is not None:
            ok = {
                AttributeType.CHOICE: lambda d: isinstance(d, str) and d in value_names,
                AttributeType.MULTI: lambda d: (
                    isinstance(d, list)
                    and all(isinstance(x, Located) and x.value in value_names for x in d)
                ),
                AttributeType.TEXT: lambda d: isinstance(d, str),
                AttributeType.BOOL: lambda d: isinstance(d, bool),
            }[kind](default)
            if not ok:
                allowed = ", ".join(sorted(value_names)) if value_names else kind.value
                self.problem(
                    m["default"].line,
                    f"{where}.default",
                    f"{plain(default)!r} is not an allowed value ({allowed})",
                )
                default = None
            elif kind is AttributeType.MULTI:
                default = tuple(x.value for x in default)
        hotkey = self.hotkey(m, where, node.line)
        if hotkey is not None and kind in (AttributeType.CHOICE, AttributeType.MULTI):
            self.problem(
                m["hotkey"].line,
                f"{where}.hotkey",
                f"a {kind.value} attribute has no key of its own: give its values keys",
            )
            hotkey = None
        if name is None or kind is None:
            return None
        attr = Attribute(
            name=name,
            type=kind,
            required=self.get(m, "required", where, bool, node.line, False),
            default=default,
            description=self.get(m, "description", where, str, node.line, ""),
            values=tuple(v for v, _ in values),
            hotkey=hotkey,
        )
        return attr, m["name"].line

    def value(self, node: Located, index: int, owner: str) -> tuple[AttributeValue, int] | None:
        where = f"{owner}.values[{index}]"
        if isinstance(node.value, bool):
            self.problem(
                node.line, where, 'YAML reads this value as true/false; put it in quotes ("yes")'
            )
            return None
        if isinstance(node.value, str | int) and not isinstance(node.value, bool):
            # Short form: a bare value name.
            name = str(node.value)
            if not NAME_RE.match(name):
                self.problem(node.line, where, f"{name!r} is not a valid value name")
                return None
            return AttributeValue(name=name), node.line
        m = self.mapping(node, where, _VALUE_KEYS)
        if m is None:
            return None
        value_name = self.name(m, where, node.line)
        if value_name is None:
            return None
        name = value_name
        where = f"{owner}.{name}"
        return AttributeValue(
            name=name,
            description=self.get(m, "description", where, str, node.line, ""),
            hotkey=self.hotkey(m, where, node.line),
        ), m["name"].line

    def relation(
        self, node: Located, index: int, known: frozenset[str]
    ) -> tuple[RelationType, int] | None:
        where = f"relations[{index}]"
        m = self.mapping(node, where, _REL_KEYS)
        if m is None:
            return None
        name = self.name(m, where, node.line)
        where = f"relations.{name}" if name else where
        ends = []
        for key in ("from", "to"):
            value = self.get(m, key, where, str, node.line, required=True)
            if value is not None and value not in known:
                self.problem(
                    m[key].line,
                    f"{where}.{key}",
                    f"label {value!r} does not exist (labels: {some_names(known)})",
                )
                value = None
            ends.append(value)
        attributes = self.attributes(m, where)
        maximum = self.get(m, "max", where, int, node.line)
        if maximum is not None and maximum < 1:
            self.problem(
                m["max"].line, f"{where}.max", "must be 1 or more (leave out for no limit)"
            )
            maximum = None
        if name is None or None in ends:
            return None
        return RelationType(
            name=name,
            source=ends[0],
            target=ends[1],
            hotkey=self.hotkey(m, where, node.line),
            max=maximum,
            description=self.get(m, "description", where, str, node.line, ""),
            required=self.get(m, "required", where, bool, node.line, False),
            attributes=attributes,
        ), m["name"].line

    def check_hotkeys(
        self, labels: list[tuple[Label, int]], relations: list[tuple[RelationType, int]]
    ) -> None:
        """Label and relation keys are global; value keys act on the selected span's label, or
        on the selected link's relation."""
        global_keys: dict[str, str] = {}

        def claim(table: dict[str, str], key: str | None, owner: str, path: str) -> None:
            if key is None:
                return
            line = self.hotkey_lines.get(f"{path}.hotkey")
            if key in table:
                self.problem(line, f"{path}.hotkey", f"hotkey {key!r} clashes with {table[key]}")
            else:
                table[key] = f"{owner} (line {line})"

        for key in RESERVED_HOTKEYS:
            global_keys[key] = "a key of the window itself"
        for lab, _ in labels:
            claim(global_keys, lab.hotkey, f"label {lab.name}", f"labels.{lab.name}")
        for rel, _ in relations:
            claim(global_keys, rel.hotkey, f"relation {rel.name}", f"relations.{rel.name}")
        for lab, _ in labels:
            local = dict(global_keys)
            for attr in lab.attributes:
                path = f"labels.{lab.name}.{attr.name}"
                claim(local, attr.hotkey, f"attribute {lab.name}.{attr.name}", path)
                for value in attr.values:
                    name = f"{lab.name}.{attr.name}.{value.name}"
                    claim(local, value.hotkey, f"value {name}", f"labels.{name}")
        for rel, _ in relations:
            local = dict(global_keys)
            for attr in rel.attributes:
                for value in attr.values:
                    name = f"{rel.name}.{attr.name}.{value.name}"
                    claim(local, value.hotkey, f"value {name}", f"relations.{name}")

    def exports(
        self,
        top: dict[str, Located],
        labels: tuple[Label, ...],
        relations: tuple[RelationType, ...],
    ) -> StatementsExport | None:
        if "exports" not in top:
            return None
        m = self.mapping(top["exports"], "exports", {"statements"})
        if m is None or "statements" not in m:
            return None
        node = m["statements"]
        where = "exports.statements"
        s = self.mapping(node, where, _STATEMENT_KEYS)
        if s is None:
            return None
        label_name = self.get(s, "label", where, str, node.line, required=True)
        label = next((lab for lab in labels if lab.name == label_name), None)
        if label_name is not None and label is None:
            self.problem(s["label"].line, f"{where}.label", f"label {label_name!r} does not exist")
        fields: list[tuple[str, str]] = []
        if "fields" in s:
            if not isinstance(s["fields"].value, dict):
                self.problem(
                    s["fields"].line,
                    f"{where}.fields",
                    "must map output field names to relation names",
                )
            given = s["fields"].value if isinstance(s["fields"].value, dict) else {}
            for out_name, rel_node in given.items():
                rel = next((r for r in relations if r.name == rel_node.value), None)
                path = f"{where}.fields.{out_name}"
                if not isinstance(rel_node.value, str):
                    self.problem(rel_node.line, path, "must be the name of a relation")
                elif rel is None:
                    self.problem(rel_node.line, path, f"relation {rel_node.value!r} does not exist")
                elif label is not None and rel.source != label.name:
                    self.problem(
                        rel_node.line, path, f"relation {rel.name!r} does not start at {label.name}"
                    )
                elif mention_keys := sorted(_MENTION_KEYS & {a.name for a in rel.attributes}):
                    self.problem(
                        rel_node.line,
                        path,
                        f"relation {rel.name!r} has attribute {mention_keys[0]!r}, which is a key "
                        "of every mention in the statements export; rename the attribute",
                    )
                elif out_name in _RESERVED_STATEMENT_FIELDS or (
                    label is not None and label.attribute(out_name) is not None
                ):
                    self.problem(
                        rel_node.line,
                        path,
                        f"field name {out_name!r} clashes with a built-in field or an "
                        "attribute of the statement label",
                    )
                elif (clash := _entity_clash(out_name, rel, labels, label, given)) is not None:
                    self.problem(rel_node.line, path, clash)
                else:
                    fields.append((out_name, rel.name))
        if label is not None:
            for attr in label.attributes:
                if attr.name in _RESERVED_STATEMENT_FIELDS:
                    self.problem(
                        s["label"].line,
                        f"{where}.label",
                        f"attribute {attr.name!r} clashes with a built-in field",
                    )
        context = self.get(s, "context_sentences", where, int, node.line, 1)
        if context is not None and context < 0:
            self.problem(
                s["context_sentences"].line, f"{where}.context_sentences", "must be 0 or more"
            )
            context = 1
        if label is None:
            return None
        return StatementsExport(label=label.name, fields=tuple(fields), context_sentences=context)


def _entity_clash(
    out_name: str,
    rel: RelationType,
    labels: tuple[Label, ...],
    statement: Label | None,
    fields: dict[str, Any],
) -> str | None:
    """Why the field carrying a statement field's entities cannot be written, or None."""
    target = next((lab for lab in labels if lab.name == rel.target), None)
    extra = entity_field(out_name, rel, target)
    if extra is None:
        return None
    if (
        extra in _RESERVED_STATEMENT_FIELDS
        or extra in fields
        or (statement is not None and statement.attribute(extra) is not None)
    ):
        return (
            f"the field {extra!r} that carries its entities (label {rel.target} has "
            "entity: true) clashes with a field or an attribute of the statement label"
        )
    return None
