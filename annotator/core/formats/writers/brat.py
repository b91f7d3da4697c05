"""brat standoff: a ``.txt`` and ``.ann`` pair per document and annotator, under
``<split>/<annotator>/``, with ``annotation.conf`` and ``visual.conf`` made from the schema so
brat shows our labels, colours, attributes and links as they are.

- ``T`` lines: spans; one that runs over a tab or a line break of any kind (``\n``, ``\r``,
  U+2028, U+0085, ...) is written as fragments (``0 5;6 12``), as brat requires, covering the
  same characters less those; the ``.txt`` keeps the text exactly (offsets are code points);
- file names: a document key that is not plain lower-case ASCII, or is a name Windows reserves
  (``CON``, ``nul``, ``COM1``...), gets a hash of itself, so no two collide on any system;
- ``A`` lines: choice attributes as ``name T1 value``, yes/no ones as a binary ``name T1`` when
  yes, multiple-choice ones as one binary ``name_value`` per value chosen;
- ``#`` notes: free-text attributes (``AnnotatorNotes``), as ``name: text``;
- ``R`` lines: links, ``label Arg1:T1 Arg2:T2``. A link's own values (``stance_toward``) are
  not written: brat attaches attributes to entities and events only, never to relations
  (nlplab/brat#791, #1259), so the manifest names them as left out instead of writing lines
  brat would refuse (``relation_attributes_note``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.formats.writers.background_files import BackgroundFiles
from annotator.core.formats.writers.units import Prepared, Unit

_UNSAFE = re.compile(r"[^A-Za-z0-9._\-]+")


# Windows refuses these as a file's name, in any case and before any extension (``nul.txt``).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)]
)
_HASHED = re.compile(r"-[0-9a-f]{10}$", re.IGNORECASE)  # what file_stem appends


def _reserved(name: str) -> bool:
    return name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED


def file_stem(key: str) -> str:
    """A file name for a document key that no other key's name equals, even on a file system
    that ignores case (macOS, Windows), and that Windows accepts.

    A key is kept as it is only when it is plain lower-case ASCII, short, not a reserved name,
    and not shaped like a name made here; any other key gets a hash of itself, so two never
    collide (``Doc`` and ``doc`` become ``Doc-<hash>`` and ``doc``).
    """
    safe = _UNSAFE.sub("_", key).lstrip(".") or "_"
    if (
        safe == key
        and key == key.lower()
        and len(key) <= 120
        and not _reserved(key)
        and not _HASHED.search(key)
    ):
        return key
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    prefix = safe[:100]
    if _reserved(prefix):
        prefix = "_" + prefix
    return f"{prefix}-{digest}"


# What ends a line for brat (its server splits .ann files as Python's str.splitlines does) and
# the tab that separates a T line's fields: none may stand inside a fragment's text.
_BREAKS = re.compile("[\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]+")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span's pieces between tabs and line breaks of any kind (a T line holds neither).

    The pieces cover the same characters less those, so the offsets stay true to the .txt.
    """
    pieces = []
    pos = start
    for brk in _BREAKS.finditer(text, start, end):
        if brk.start() > pos:
            pieces.append((pos, brk.start()))
        pos = brk.end()
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _clean(value: str) -> str:
    return " ".join(value.split())


def _kind(schema: Schema | None, label_name: str, name: str) -> AttributeType | None:
    label = schema.label(label_name) if schema is not None else None
    attr = label.attribute(name) if label is not None else None
    return attr.type if attr is not None else None


def ann_text(unit: Unit, schema: Schema | None) -> str:
    text = unit.doc.text
    lines: list[str] = []
    refs: dict[int, str] = {}
    kinds: dict[tuple[str, str], AttributeType | None] = {}  # looked up once per record
    n_attr = n_note = 0
    for n, sp in enumerate(unit.spans, start=1):
        refs[sp.id] = ref = f"T{n}"
        if _BREAKS.search(text, sp.start, sp.end) is None:  # one piece (nearly every span)
            where, covered = f"{sp.start} {sp.end}", text[sp.start : sp.end]
        else:
            pieces = fragments(text, sp.start, sp.end) or [(sp.start, sp.end)]
            where = ";".join(f"{a} {b}" for a, b in pieces)
            covered = " ".join(text[a:b] for a, b in pieces)
        lines.append(f"{ref}\t{sp.label} {where}\t{covered}")
        for name, value in sp.attributes.items():
            key = (sp.label, name)
            if key not in kinds:
                kinds[key] = _kind(schema, sp.label, name)
            kind = kinds[key]
            if kind is AttributeType.TEXT or (
                kind is None and isinstance(value, str) and " " in value
            ):
                n_note += 1
                lines.append(f"#{n_note}\tAnnotatorNotes {ref}\t{name}: {_clean(str(value))}")
            elif isinstance(value, bool):
                if value:
                    n_attr += 1
                    lines.append(f"A{n_attr}\t{name} {ref}")
            elif isinstance(value, list):
                for v in value:
                    n_attr += 1
                    lines.append(f"A{n_attr}\t{name}_{v} {ref}")
            else:
                n_attr += 1
                lines.append(f"A{n_attr}\t{name} {ref} {value}")
    for n, rel in enumerate(unit.relations, start=1):
        lines.append(f"R{n}\t{rel.label} Arg1:{refs[rel.source_id]} Arg2:{refs[rel.target_id]}")
    return "".join(line + "\n" for line in lines)


def relation_attributes_note(schema: Schema) -> dict[str, Any]:
    """What the manifest says of the links' own values, which brat cannot hold."""
    held = [f"{r.name}.{a.name}" for r in schema.relations for a in r.attributes]
    if not held:
        return {}
    return {
        "relation_attributes_left_out": held,
        "relation_attributes_why": (
            "brat attaches attributes to entities and events only, not to relations; "
            "export native, statements, doccano-rel or prodigy to keep them"
        ),
    }


def annotation_conf(schema: Schema) -> str:
    attributes: dict[str, tuple[list[str], list[str]]] = {}  # name -> (labels, values)
    for label in schema.labels:
        for attr in label.attributes:
            if attr.type is AttributeType.TEXT:
                continue
            if attr.type is AttributeType.MULTI:
                for v in attr.value_names:
                    attributes.setdefault(f"{attr.name}_{v}", ([], []))[0].append(label.name)
                continue
            labels, values = attributes.setdefault(attr.name, ([], []))
            labels.append(label.name)
            if attr.type is AttributeType.CHOICE:
                values.extend(v for v in attr.value_names if v not in values)
    lines = ["[entities]", *(label.name for label in schema.labels), "", "[relations]"]
    lines += [f"{r.name}\tArg1:{r.source}, Arg2:{r.target}" for r in schema.relations]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", ""]
    lines.append("[attributes]")
    for name, (labels, values) in attributes.items():
        spec = f"{name}\tArg:{'|'.join(labels)}"
        lines.append(spec + (f", Value:{'|'.join(values)}" if values else ""))
    return "\n".join(lines) + "\n"


def visual_conf(schema: Schema) -> str:
    lines = ["[labels]", "", "[drawing]"]
    lines += [f"{label.name}\tbgColor:{label.color}" for label in schema.labels]
    return "\n".join(lines) + "\n"


class BratWriter:
    """Writes one split's pairs into ``folder`` (inside the staging folder).

    The files are written on a worker thread (``BackgroundFiles``): creating them is most of
    the export, and there it overlaps making the next documents' ``.ann`` text.
    """

    def __init__(self, folder: Path, schema: Schema | None) -> None:
        self._folder = folder
        self._schema = schema
        folder.mkdir(parents=True, exist_ok=True)
        self._made: dict[str | None, str] = {}  # annotator -> its folder's name, once made
        self._files = BackgroundFiles(folder)

    def add(self, prepared: Prepared) -> int:
        stem = file_stem(prepared.doc.key)
        text = prepared.doc.text.encode("utf-8")
        for unit in prepared.units:
            where = self._made.get(unit.annotator) or self._make(unit.annotator)
            self._files.write(f"{where}/{stem}.txt", text)
            self._files.write(f"{where}/{stem}.ann", ann_text(unit, self._schema).encode("utf-8"))
        return len(prepared.units)

    def _make(self, annotator: str | None) -> str:
        name = self._made[annotator] = file_stem(annotator or "unknown")
        (self._folder / name).mkdir(exist_ok=True)
        return name

    def close(self) -> None:
        """Wait for the files still being written."""
        self._files.close()

    def abandon(self) -> None:
        """The export failed: stop writing files that are about to be removed."""
        self._files.abandon()


def conf_files(schema: Schema) -> dict[str, str]:
    return {"annotation.conf": annotation_conf(schema), "visual.conf": visual_conf(schema)}
