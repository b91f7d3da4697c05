"""Live annotations the export's schema lacks: an export is always consistent with the schema
its manifest names.

By default they are counted (with the first examples) and the export is refused naming them:
a schema change left them behind (a database changed by an older version, or an import made
under another schema), and ``annotator schema use`` with migrations settles them. With
``--allow-outside-schema`` they go out and the manifest records it: as they are in every
format but native, whose file must stay importable under the schema it names, so it sets them
apart in each record's ``archived`` section (with the schema they were made under), from
where they import as archived data and nothing is lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, func, select

from annotator.core.domain import jsonio
from annotator.core.domain.errors import ExportError
from annotator.core.domain.rules import Outside, link_outside, link_values_outside, span_outside
from annotator.core.domain.schema import AttributeValue, Label, RelationType, Schema
from annotator.core.formats.writers.documents import ArchivedRows, RawDocument, parse_json_object
from annotator.core.storage.models import (
    ArchivedRelation,
    ArchivedSpan,
    ArchivedValue,
    Relation,
    Span,
    StoredSchema,
)

EXAMPLES = 3


class OutsideRows:
    """Finds, counts and (native, allowed) sets apart what ``schema`` lacks, document by
    document."""

    def __init__(self, schema: Schema, *, allowed: bool, set_apart: bool) -> None:
        self.schema = schema
        self.allowed = allowed
        self.set_apart = set_apart and allowed
        self.counts: Counter[Outside] = Counter()
        self.examples: dict[Outside, list[str]] = {}
        self._spans: dict[tuple[str, str], list[Outside]] = {}  # (label, attributes) -> found
        self._links: dict[tuple[str, str, str], Outside | None] = {}
        self._values: dict[tuple[str, str], list[Outside]] = {}  # (relation, attributes)
        self._ends: dict[str, tuple[str, str]] = {}  # a relation the schema lacks: its ends

    def check(self, conn: Connection, raw: RawDocument) -> None:
        """Count what ``raw`` holds outside the schema; set it apart if so asked."""
        labels: dict[int, str] = {}
        where: dict[int, str] = {}
        gone: dict[int, str] = {}  # span ids set apart whole -> why
        values: list[tuple[int, str, str]] = []  # (span id, attribute, why)
        for r in raw.spans:
            labels[r[1]] = r[5]
            where[r[1]] = f"{r[3]}-{r[4]}"
            for what in self._span(r[5], r[6]):
                self._count(what, raw, where[r[1]], raw.names[r[2]])
                if what.kind == "label":
                    gone[r[1]] = what.text
                else:
                    values.append((r[1], what.names[1], what.text))
        moved: dict[int, str] = {}
        for r in raw.relations:
            link = self._link(r[3], labels.get(r[4], ""), labels.get(r[5], ""))
            if link is not None:
                ends = f"{where.get(r[4], '?')} -> {where.get(r[5], '?')}"
                self._count(link, raw, ends, raw.names[r[2]])
                self._ends.setdefault(r[3], (labels.get(r[4], ""), labels.get(r[5], "")))
                moved[r[1]] = link.text
            elif r[4] in gone or r[5] in gone:
                moved[r[1]] = "with its span"
            else:
                # A link's value the schema lacks: the archive holds no loose link values,
                # so such a link is set apart whole, its values with it.
                for what in self._link_values(r[3], r[6]):
                    ends = f"{where.get(r[4], '?')} -> {where.get(r[5], '?')}"
                    self._count(what, raw, ends, raw.names[r[2]])
                    moved.setdefault(r[1], what.text)
        if self.set_apart and (gone or values or moved):
            self._set_apart(conn, raw, gone, values, moved)

    def refusal(self) -> ExportError | None:
        """The error that names what the schema lacks, unless the export allows it."""
        if not self.counts or self.allowed:
            return None
        lines = [
            f"schema {self.schema.name} {self.schema.version} lacks annotations this export "
            "would hold; nothing was written:"
        ]
        lines += [
            f"  {what.text}: {n} {what.unit}; e.g. {'; '.join(self.examples[what])}"
            for what, n in self.counts.most_common()
        ]
        lines.append(
            "settle them with `annotator schema use` and a schema whose migrations say what "
            "becomes of them (see `annotator schema diff`), or export them anyway with "
            "--allow-outside-schema (the manifest records it)"
        )
        return ExportError("\n".join(lines))

    def manifest(self) -> dict[str, Any]:
        """What the manifest says of an export that allowed annotations outside its schema."""
        return {
            "allowed": True,
            "held": "in each record's archived section, with the schema each was made under"
            if self.set_apart
            else "as they are, although the schema named here lacks them",
            "found": {
                what.text: {"unit": what.unit, "count": n} for what, n in self.counts.items()
            },
        }

    def widened(self) -> Schema:
        """The schema with what an allowed export holds outside it (labels, values, relations),
        for the files that describe the data beside it (brat's annotation.conf)."""
        if not self.allowed or not self.counts:
            return self.schema
        labels = list(self.schema.labels)
        names = {lab.name for lab in labels}
        relations = list(self.schema.relations)
        for what in self.counts:
            if what.kind == "label" and what.names[0] not in names:
                names.add(what.names[0])
                labels.append(Label(what.names[0], "#999999", description="outside the schema"))
            elif what.kind == "value":
                labels = [_with_value(lab, *what.names) for lab in labels]
            elif what.kind == "relation" and what.names[0] in self._ends:
                source, target = self._ends[what.names[0]]
                if source in names and target in names:
                    relations.append(RelationType(what.names[0], source, target))
        return replace(self.schema, labels=tuple(labels), relations=tuple(relations))

    # -- the rule book, once per distinct label and values --

    def _span(self, label: str, attributes: str | None) -> list[Outside]:
        key = (label, attributes or "")
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = span_outside(
                self.schema, label, parse_json_object(attributes)
            )
        return found

    def _link(self, relation: str, source: str, target: str) -> Outside | None:
        key = (relation, source, target)
        if key not in self._links:
            self._links[key] = link_outside(self.schema, relation, source, target)
        return self._links[key]

    def _link_values(self, relation: str, attributes: str | None) -> list[Outside]:
        key = (relation, attributes or "")
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = link_values_outside(
                self.schema, relation, parse_json_object(attributes)
            )
        return found

    def _count(self, what: Outside, raw: RawDocument, where: str, who: str) -> None:
        self.counts[what] += 1
        shown = self.examples.setdefault(what, [])
        if len(shown) < EXAMPLES:
            shown.append(f"{raw.key} {where} ({who})")

    # -- native: set apart, with the schema each was made under --

    def _set_apart(
        self,
        conn: Connection,
        raw: RawDocument,
        gone: dict[int, str],
        values: list[tuple[int, str, str]],
        moved: dict[int, str],
    ) -> None:
        made = _made_under(conn, Span, {i for i, *_ in values} | set(gone))
        made_links = _made_under(conn, Relation, set(moved))
        archived = raw.archived if raw.archived is not None else ArchivedRows()
        why = f"outside schema {self.schema.name} {self.schema.version}: "
        kept_spans = []
        for r in raw.spans:
            if r[1] in gone:
                archived.spans.append((*r[1:7], *made[r[1]], why + gone[r[1]]))
                continue
            taken = {name: reason for span, name, reason in values if span == r[1]}
            if taken:
                attributes = parse_json_object(r[6])
                for name, reason in taken.items():
                    value = attributes.pop(name)
                    archived.values.append(
                        (r[1], r[2], name, _json(value), *made[r[1]], why + reason)
                    )
                r = (*r[:6], _json(attributes))
            kept_spans.append(r)
        kept_links = []
        for r in raw.relations:
            if r[1] in moved:
                archived.links.append((*r[1:6], *made_links[r[1]], why + moved[r[1]], r[6]))
            else:
                kept_links.append(r)
        raw.spans, raw.relations, raw.archived = kept_spans, kept_links, archived


def _made_under(
    conn: Connection, model: type[Span] | type[Relation], ids: set[int]
) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = conn.execute(
        select(model.id, StoredSchema.name, StoredSchema.version)
        .join(StoredSchema, StoredSchema.id == model.schema_id)
        .where(model.id.in_(sorted(ids)))
    )
    return {ident: (name, version) for ident, name, version in rows}


def _json(value: Any) -> str:
    return jsonio.dumps_text(value)


def archived_counts(conn: Connection, layers: set[int]) -> dict[str, int]:
    """How many archived spans, links and values these layers have (an export that does not
    hold the archive says so in its manifest)."""
    found = {}
    for name, model in (
        ("spans", ArchivedSpan),
        ("relations", ArchivedRelation),
        ("values", ArchivedValue),
    ):
        query = select(func.count()).where(model.annotator_id.in_(sorted(layers)))
        n = conn.execute(query).scalar() or 0
        if n:
            found[name] = n
    return found


def _with_value(label: Label, name: str, attribute: str, value: str) -> Label:
    if label.name != name:
        return label
    attrs = tuple(
        replace(a, values=(*a.values, AttributeValue(value)))
        if a.name == attribute and value not in a.value_names
        else a
        for a in label.attributes
    )
    return replace(label, attributes=attrs)
