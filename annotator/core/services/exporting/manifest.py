"""``manifest.json``: what a dataset holds, so a team lead can tell without opening the files.

Counts are of the annotations the export selected (per split: documents, records, spans per
label, values per attribute, links per type, annotators); what a format could not hold is listed
under ``problems``. Token-tag formats (CoNLL) also say per split what the file itself holds
(``held``: spans written per label, spans left out per label and reason, and every tag that
occurs in each column), since a tag column cannot hold every selected span.

It is also how an export knows its own earlier output, and how a reader knows that data and
manifest belong together (the manifest's ``integrity`` key says the same in words):

- ``generator`` is ``"annotator"`` and ``export_id`` is unique to each export: an export
  replaces only a target whose manifest carries both.
- ``files[part]`` gives each data file's ``bytes`` and ``sha256`` as published; a data file
  that does not match them does not belong to this manifest (``belongs_together``).
- ``contents`` (folder exports) counts every file and folder in the export folder except
  ``manifest.json``, with their bytes and a digest of their paths and sizes
  (``folder_contents``): a folder that no longer matches holds something the export did not
  write, and is never replaced.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from annotator import __version__
from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.formats.writers.documents import ExportDocument, RawDocument, parse_json_object
from annotator.core.formats.writers.fixed import label_lists
from annotator.core.formats.writers.problems import ProblemSummary

GENERATOR = "annotator"
INTEGRITY = (
    "files.*.bytes and files.*.sha256 are those of each data file as published: a file that "
    "does not match them does not belong with this manifest. contents (folder exports): the "
    "number of files and folders in the export folder besides manifest.json, their bytes, and "
    "the sum modulo 2**256 of sha256(path + NUL + size) (size '-' for a folder, '/' paths). "
    "card (folder exports): the bytes and sha256 of the README.md the export wrote; a later "
    "export never replaces a README.md that does not match them."
)
# A manifest larger than this is not read when deciding whether a target is an earlier export.
_MAX_MANIFEST_BYTES = 1 << 30

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
        self.held: dict[str, Any] | None = None  # what the file holds, where it differs
        self._raw: Counter[tuple[str, str]] = Counter()
        self._slots: dict[tuple[str, str], tuple[Counter[str], bool]] = {}

    def add_raw(self, doc: RawDocument, annotators: set[str] | None = None) -> None:
        """Count a document as rows, without parsing attributes span by span.

        ``annotators``: those the document counts for (default: its spans' and statuses').
        """
        self._document(doc.key)
        self.spans += len(doc.spans)
        self.relations += len(doc.relations)
        raw = self._raw
        raw.update((r[5], r[6]) for r in doc.spans)
        if len(raw) > _FOLD_AT:
            self._fold()
        self.relation_labels.update(r[3] for r in doc.relations)
        if annotators is None:
            names = doc.names
            annotators = {names[r[2]] for r in doc.spans} | doc.status.keys()
        self.annotators.update(annotators)

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
        slots = self._slots
        for name, value in attributes.items():
            slot = slots.get((label, name))
            if slot is None:
                slot = slots[label, name] = self._slot(label, name)
            counter, free_text = slot
            if free_text:
                counter["(text given)"] += n
            elif type(value) is str:  # the common case, first
                counter[value] += n
            elif isinstance(value, list):
                for v in value:
                    counter[str(v)] += n
            elif isinstance(value, bool):
                counter["true" if value else "false"] += n
            else:
                counter[str(value)] += n

    def _slot(self, label: str, name: str) -> tuple[Counter[str], bool]:
        """Where a label's attribute is counted, and whether it is free text (looked up once)."""
        schema = self._schema
        lab = schema.label(label) if schema is not None else None
        attr = lab.attribute(name) if lab is not None else None
        counter = self.attributes.setdefault(f"{label}.{name}", Counter())
        return counter, attr is not None and attr.type is AttributeType.TEXT

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
            **({"held": self.held} if self.held is not None else {}),
        }


def build_manifest(
    *,
    fmt: str,
    schema: Schema | None,
    database: str,
    filters: dict[str, Any],
    layers: list[dict[str, str]],
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
        "generator": GENERATOR,
        "export_id": uuid.uuid4().hex,
        "format": fmt,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": {"name": "annotator", "version": __version__},
        "schema": None if schema is None else schema_section(schema),
        # Every value of each choice attribute, so a ClassLabel is the same for every split.
        "label_lists": {} if schema is None else label_lists(schema),
        "database": database,
        "filters": filters,
        # Which layers were read: people's own work, the adjudicated gold, or suggestions.
        "layers": layers,
        "split": split,
        "options": options,
        **extra,
        "annotators": annotators,
        "totals": {
            key: sum(c[key] for c in counted.values())
            for key in ("documents", "records", "spans", "relations")
        },
        "files": files,
        "integrity": INTEGRITY,
        "splits": counted,
        "problems": {kind: summary.as_dict() for kind, summary in problems.items()},
    }


def schema_section(schema: Schema) -> dict[str, Any]:
    """The schema's identity, and its labels and links with their attributes' kinds (each
    choice attribute's values are in ``label_lists``)."""
    return {
        "name": schema.name,
        "version": schema.version,
        "sha256": schema.sha256,
        "description": schema.description,
        "labels": [
            {"name": lab.name, "attributes": {a.name: a.type.value for a in lab.attributes}}
            for lab in schema.labels
        ],
        "relations": [
            {
                "name": rel.name,
                "from": rel.source,
                "to": rel.target,
                "attributes": {a.name: a.type.value for a in rel.attributes},
            }
            for rel in schema.relations
        ],
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


def contents_without(contents: Any, name: str, size: Any) -> dict[str, Any] | None:
    """``folder_contents`` as it was without the top-level file ``name`` of ``size`` bytes
    (the digest is a sum, so one entry can be taken out); None if either is not as written."""
    try:
        line = f"{name}\0{int(size)}".encode("utf-8", "surrogateescape")
        digest = int(contents["sha256"], 16) - int.from_bytes(hashlib.sha256(line).digest(), "big")
        return {
            "entries": int(contents["entries"]) - 1,
            "bytes": int(contents["bytes"]) - int(size),
            "sha256": f"{digest % (1 << 256):064x}",
        }
    except (TypeError, KeyError, ValueError):
        return None


def folder_contents(root: Path) -> dict[str, Any]:
    """Count, bytes and an order-free digest of every path and size under ``root``.

    Left out: ``manifest.json`` and hidden names at the top (the staging folder's scratch files,
    removed before publishing). A symbolic link or other special file is counted with the size
    ``link``, so it never matches what an export writes. Memory stays flat: the digest is a sum.
    """
    count = size_total = digest = 0
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and (entry.name == "manifest.json" or entry.name.startswith(".")):
                    continue
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), path + "/"))
                    size = "-"
                elif entry.is_file(follow_symlinks=False):
                    nbytes = entry.stat(follow_symlinks=False).st_size
                    size_total += nbytes
                    size = str(nbytes)
                else:
                    size = "link"
                line = f"{path}\0{size}".encode("utf-8", "surrogateescape")
                digest += int.from_bytes(hashlib.sha256(line).digest(), "big")
                count += 1
    return {"entries": count, "bytes": size_total, "sha256": f"{digest % (1 << 256):064x}"}


def read_own_manifest(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The manifest at ``path`` if an export of this tool wrote it; else None and why not."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None, "does not exist"
    if path.is_symlink() or not path.is_file():
        return None, "is not a plain file"
    if info.st_size > _MAX_MANIFEST_BYTES:
        return None, "is too large to be an export manifest"
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        return None, "is not JSON"
    if (
        not isinstance(manifest, dict)
        or manifest.get("generator") != GENERATOR
        or not isinstance(manifest.get("export_id"), str)
        or not isinstance(manifest.get("files"), dict)
    ):
        tool = manifest.get("tool") if isinstance(manifest, dict) else None
        if isinstance(tool, dict) and tool.get("name") == GENERATOR:
            return None, "is from an annotator too old to mark its exports; replace it by hand"
        return None, "was not written by an annotator export (no generator and export_id)"
    return manifest, ""


def file_entry(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The one data file a file export's manifest describes, if it describes exactly one."""
    files = list(manifest["files"].values())
    if len(files) != 1 or not isinstance(files[0], dict):
        return None
    entry = files[0]
    ok = (
        isinstance(entry.get("path"), str)
        and isinstance(entry.get("bytes"), int)
        and isinstance(entry.get("sha256"), str)
    )
    return entry if ok else None


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def belongs_together(data: Path, manifest: Path) -> bool:
    """Whether ``data`` is the file the (file export's) ``manifest`` describes, byte for byte.

    What a reader checks before trusting a pair: between an export's two renames, and after
    anyone edits either file, the answer is False.
    """
    own, _ = read_own_manifest(manifest)
    entry = file_entry(own) if own is not None else None
    if entry is None or entry["path"] != data.name:
        return False
    try:
        if not data.is_file() or data.stat().st_size != entry["bytes"]:
            return False
        return sha256_of(data) == entry["sha256"]
    except OSError:
        return False
