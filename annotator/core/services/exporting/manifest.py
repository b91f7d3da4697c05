"""``manifest.json``: what a dataset holds, so a team lead can tell without opening the files.

Counts are of the annotations the export selected (per split: documents, records, spans per
label, values per attribute, links per type, annotators); what a format could not hold is listed
under ``problems``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from annotator import __version__
from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.formats.writers.documents import ExportDocument, RawDocument, parse_json_object
from annotator.core.formats.writers.problems import ProblemSummary

# Distinct (label, attributes) texts held before folding them into value counts; bounds memory
# when a free-text attribute makes almost every span's attributes unique.
_FOLD_AT = 5000


class PartCounts:
    """Running counts for one split (or the whole export)."""

    def __init__(self, schema: Schema | None, ids: BinaryIO | None = None) -> None:
        self._schema = schema
        self._ids = ids  # document keys go to a file, not a list, so memory stays flat
        self.documents = 0
        self.records = 0
        self.spans = 0
        self.relations = 0
        self.labels: Counter[str] = Counter()
        self.relation_labels: Counter[str] = Counter()
        self.attributes: dict[str, Counter[str]] = {}
        self.annotators: Counter[str] = Counter()
        self.strata: Counter[str] = Counter()
        self._raw: Counter[tuple[str, str]] = Counter()

    def add_raw(self, doc: RawDocument) -> None:
        """Count a document as rows, without parsing attributes span by span."""
        self._document(doc.key)
        self.spans += len(doc.spans)
        self.relations += len(doc.relations)
        raw = self._raw
        raw.update((r[5], r[6]) for r in doc.spans)
        if len(raw) > _FOLD_AT:
            self._fold()
        names = doc.names
        self.relation_labels.update(r[3] for r in doc.relations)
        self.annotators.update({names[r[2]] for r in doc.spans} | doc.status.keys())

    def _document(self, key: str) -> None:
        self.documents += 1
        if self._ids is not None:
            self._ids.write(orjson.dumps(key) + b"\n")

    def add_document(self, doc: ExportDocument, annotators: set[str] | None = None) -> None:
        self._document(doc.key)
        self.spans += len(doc.spans)
        self.relations += len(doc.relations)
        for sp in doc.spans:
            self.labels[sp.label] += 1
            self._count_attributes(sp.label, sp.attributes, 1)
        self.relation_labels.update(r.label for r in doc.relations)
        if annotators is None:
            annotators = {sp.annotator for sp in doc.spans} | doc.status.keys()
        self.annotators.update(annotators)

    def _fold(self) -> None:
        for (label, attrs), n in self._raw.items():
            self.labels[label] += n
            self._count_attributes(label, parse_json_object(attrs), n)
        self._raw.clear()

    def _count_attributes(self, label: str, attributes: dict[str, Any], n: int) -> None:
        schema = self._schema
        lab = schema.label(label) if schema is not None else None
        for name, value in attributes.items():
            attr = lab.attribute(name) if lab is not None else None
            counter = self.attributes.setdefault(f"{label}.{name}", Counter())
            if attr is not None and attr.type is AttributeType.TEXT:
                counter["(text given)"] += n
            elif isinstance(value, list):
                for v in value:
                    counter[str(v)] += n
            elif isinstance(value, bool):
                counter["true" if value else "false"] += n
            else:
                counter[str(value)] += n

    def as_dict(self) -> dict[str, Any]:
        self._fold()
        return {
            "documents": self.documents,
            "records": self.records,
            "spans": self.spans,
            "relations": self.relations,
            "labels": dict(sorted(self.labels.items())),
            "attributes": {k: dict(sorted(v.items())) for k, v in sorted(self.attributes.items())},
            "relation_labels": dict(sorted(self.relation_labels.items())),
            "annotators": dict(sorted(self.annotators.items())),
            **({"strata": dict(sorted(self.strata.items()))} if self.strata else {}),
        }


def build_manifest(
    *,
    fmt: str,
    schema: Schema | None,
    database: str,
    filters: dict[str, Any],
    split: dict[str, Any] | None,
    options: dict[str, Any],
    files: dict[str, dict[str, Any]],
    parts: dict[str, PartCounts],
    problems: dict[str, ProblemSummary],
    extra: dict[str, Any],
) -> dict[str, Any]:
    counted = {name: counts.as_dict() for name, counts in parts.items()}
    annotators = sorted({a for c in counted.values() for a in c["annotators"]})
    return {
        "format": fmt,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": {"name": "annotator", "version": __version__},
        "schema": None
        if schema is None
        else {"name": schema.name, "version": schema.version, "sha256": schema.sha256},
        "database": database,
        "filters": filters,
        "split": split,
        "options": options,
        **extra,
        "annotators": annotators,
        "totals": {
            key: sum(c[key] for c in counted.values())
            for key in ("documents", "records", "spans", "relations")
        },
        "files": files,
        "splits": counted,
        "problems": {kind: summary.as_dict() for kind, summary in problems.items()},
    }


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def write_manifest(
    out: Writable, manifest: dict[str, Any], lists: dict[str, dict[str, Path]]
) -> None:
    """Write the manifest, then long lists (``lists[key][split]``: a file of JSON lines)
    streamed into it, so that a million document ids never sit in memory at once."""
    head = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    assert head.endswith(b"}")
    out.write(head[:-1].rstrip())
    for key, parts in lists.items():
        out.write(b",\n  " + orjson.dumps(key) + b": {")
        for n, (part, path) in enumerate(parts.items()):
            out.write((b"," if n else b"") + b"\n    " + orjson.dumps(part) + b": [")
            first = True
            with open(path, "rb") as lines:
                for line in lines:
                    out.write((b"" if first else b",") + b"\n      " + line.rstrip(b"\n"))
                    first = False
            out.write(b"]" if first else b"\n    ]")
        out.write(b"\n  }")
    out.write(b"\n}\n")
