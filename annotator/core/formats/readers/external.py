"""Reading doccano and Prodigy JSONL, with their annotations, into ``ParsedDocument``s.

Both tools write one record per example; when several annotators worked on one text, their
records follow each other. Consecutive records of one document (same ``document_id``, or no id
and the same text) become one document with each annotator's spans, so a re-import gives back
what was exported. What our exports add (``document_id``, ``title``, ``annotator``,
``attributes``) is read when present; records from doccano or Prodigy themselves need none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.domain import jsonio
from annotator.core.domain.errors import Problem
from annotator.core.domain.text import normalise
from annotator.core.formats.readers.common import (
    ParsedDocument,
    ParsedRelation,
    ParsedSpan,
    ReadProblem,
    decode,
    read_bytes,
)
from annotator.core.formats.readers.headline import detect_headline


@dataclass(frozen=True)
class Skipped:
    """A record left out on purpose (a rejected Prodigy task), reported but not an error."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class _Record:
    """One line's annotations, before consecutive lines of a document are merged."""

    text: str
    key: str | None
    title: str | None
    annotator: str | None
    spans: list[ParsedSpan]
    relations: list[ParsedRelation]
    meta: dict[str, Any]


@dataclass(frozen=True)
class _Where:
    file: str
    line: int

    def bad(self, key: str, reason: str) -> ReadProblem:
        return ReadProblem(Problem(self.file, self.line, key, reason))

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


Parse = Callable[[dict[str, Any], _Where], "_Record | Skipped"]


def read_doccano(
    path: Path, encoding: str | None = None
) -> Iterator[ParsedDocument | Problem | Skipped]:
    """doccano JSONL: sequence labelling (``label``) or relation extraction (``entities``)."""
    yield from _read(path, encoding, _doccano_record)


def read_prodigy(
    path: Path, encoding: str | None = None
) -> Iterator[ParsedDocument | Problem | Skipped]:
    """Prodigy JSONL tasks; only accepted answers are imported, the rest are reported."""
    yield from _read(path, encoding, _prodigy_record)


def _read(
    path: Path, encoding: str | None, parse: Parse
) -> Iterator[ParsedDocument | Problem | Skipped]:
    text = decode(read_bytes(path), str(path), encoding)
    pending: tuple[ParsedDocument, str | None] | None = None
    any_line = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        any_line = True
        where = _Where(str(path), number)
        try:
            raw = jsonio.loads(line)
        except jsonio.JSONDecodeError as exc:
            yield Problem(str(path), number, "", f"not valid JSON ({exc})")
            continue
        try:
            if not isinstance(raw, dict):
                raise where.bad("", "each line must be a JSON object")
            record = parse(raw, where)
        except ReadProblem as exc:
            yield exc.problem
            continue
        if isinstance(record, Skipped):
            yield record
            continue
        if pending is not None and _same_document(pending, record):
            _merge(pending[0], record, number)
            continue
        if pending is not None:
            yield pending[0]
        pending = (_document(record, where, number), record.key)
    if pending is not None:
        yield pending[0]
    if not any_line:
        raise ReadProblem(Problem(str(path), None, "", "the file is empty"))


def _same_document(pending: tuple[ParsedDocument, str | None], record: _Record) -> bool:
    doc, key = pending
    return key == record.key and doc.text == record.text


def _document(record: _Record, where: _Where, number: int) -> ParsedDocument:
    title = record.title
    if title is None:
        title = detect_headline(record.text)
    doc = ParsedDocument(
        text=record.text,
        key=record.key,
        title=title[:500],
        meta=record.meta,
        origin=where.origin,
    )
    _merge(doc, record, number)
    return doc


def _merge(doc: ParsedDocument, record: _Record, number: int) -> None:
    """Add a record's spans and links; span ids get the line number so merged ones stay apart."""
    for span in record.spans:
        span.annotator = record.annotator
        span.ref = f"{number}:{span.ref}"
        doc.spans.append(span)
    for rel in record.relations:
        rel.annotator = record.annotator
        rel.source = f"{number}:{rel.source}"
        rel.target = f"{number}:{rel.target}"
        doc.relations.append(rel)


def _text(raw: dict[str, Any], where: _Where, has_spans: bool) -> str:
    text = raw.get("text")
    if not isinstance(text, str):
        raise where.bad("text", "is missing" if text is None else "must be a string")
    if not text.strip():
        raise where.bad("text", "is empty")
    normalised = normalise(text)
    if normalised != text and has_spans:
        raise where.bad(
            "text",
            "is not normalised (Windows line endings or non-NFC Unicode) and has spans whose "
            "offsets would shift; normalise it to NFC with \\n line endings first",
        )
    return normalised


def _int(value: Any, where: _Where, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.bad(key, f"must be a whole number, got {value!r}")
    return value


def _str(value: Any, where: _Where, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise where.bad(key, f"must be a label name, got {value!r}")
    return value


def _attrs(value: Any, where: _Where, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.bad(key, "must be an object of attribute: value")
    # Exports write every attribute of the schema, null when unset: null means "not set".
    return {k: v for k, v in value.items() if v is not None}


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


# -- doccano --

_DOCCANO_KEYS = {
    "text",
    "label",
    "labels",
    "entities",
    "relations",
    "attributes",
    "id",
    "document_id",
    "title",
    "annotator",
}


def _doccano_record(raw: dict[str, Any], where: _Where) -> _Record:
    spans: list[ParsedSpan] = []
    relations: list[ParsedRelation] = []
    if "entities" in raw:
        entities = raw.get("entities") or []
        if not isinstance(entities, list):
            raise where.bad("entities", "must be a list")
        for i, ent in enumerate(entities):
            key = f"entities[{i}]"
            if not isinstance(ent, dict):
                raise where.bad(key, "must be an object with id, label, start_offset, end_offset")
            missing = [k for k in ("id", "label", "start_offset", "end_offset") if k not in ent]
            if missing:
                raise where.bad(key, f"lacks {', '.join(missing)}")
            spans.append(
                ParsedSpan(
                    start=_int(ent["start_offset"], where, f"{key}.start_offset"),
                    end=_int(ent["end_offset"], where, f"{key}.end_offset"),
                    label=_str(ent["label"], where, f"{key}.label"),
                    attributes=_attrs(ent.get("attributes"), where, f"{key}.attributes"),
                    ref=str(ent["id"]),
                )
            )
        links = raw.get("relations") or []
        if not isinstance(links, list):
            raise where.bad("relations", "must be a list")
        for i, rel in enumerate(links):
            key = f"relations[{i}]"
            if not isinstance(rel, dict) or not {"from_id", "to_id", "type"} <= rel.keys():
                raise where.bad(key, "must be an object with from_id, to_id and type")
            relations.append(
                ParsedRelation(
                    label=_str(rel["type"], where, f"{key}.type"),
                    source=str(rel["from_id"]),
                    target=str(rel["to_id"]),
                    attributes=_attrs(rel.get("attributes"), where, f"{key}.attributes"),
                )
            )
    else:
        name = "label" if "label" in raw else "labels"
        items = raw.get(name) or []
        if not isinstance(items, list):
            raise where.bad(name, "must be a list of [start, end, label]")
        attributes = raw.get("attributes")
        if attributes is not None and (
            not isinstance(attributes, list) or len(attributes) != len(items)
        ):
            raise where.bad("attributes", f"must be a list as long as {name}")
        for i, item in enumerate(items):
            key = f"{name}[{i}]"
            if not isinstance(item, list | tuple) or len(item) != 3:
                raise where.bad(key, "must be [start, end, label]")
            spans.append(
                ParsedSpan(
                    start=_int(item[0], where, f"{key}[0]"),
                    end=_int(item[1], where, f"{key}[1]"),
                    label=_str(item[2], where, f"{key}[2]"),
                    attributes=_attrs(
                        attributes[i] if attributes else None, where, f"attributes[{i}]"
                    ),
                    ref=str(i),
                )
            )
    text = _text(raw, where, bool(spans))
    doc_key = raw.get("document_id", raw.get("id"))
    return _Record(
        text=text,
        key=_opt_str(doc_key),
        title=_opt_str(raw.get("title")),
        annotator=_opt_str(raw.get("annotator")),
        spans=spans,
        relations=relations,
        meta={k: v for k, v in raw.items() if k not in _DOCCANO_KEYS},
    )


# -- Prodigy --


def _prodigy_record(raw: dict[str, Any], where: _Where) -> _Record | Skipped:
    answer = raw.get("answer", "accept")
    if answer != "accept":
        return Skipped(where.origin, f"Prodigy answer {answer!r}, not accept; not imported")
    spans: list[ParsedSpan] = []
    refs: dict[tuple[int, int, str], str] = {}

    def add(span: Any, key: str) -> str:
        if not isinstance(span, dict):
            raise where.bad(key, "must be an object with start, end and label")
        missing = [k for k in ("start", "end", "label") if k not in span]
        if missing:
            raise where.bad(key, f"lacks {', '.join(missing)}")
        ident = (
            _int(span["start"], where, f"{key}.start"),
            _int(span["end"], where, f"{key}.end"),
            _str(span["label"], where, f"{key}.label"),
        )
        if ident not in refs:
            refs[ident] = str(len(spans))
            spans.append(
                ParsedSpan(
                    start=ident[0],
                    end=ident[1],
                    label=ident[2],
                    attributes=_attrs(span.get("attributes"), where, f"{key}.attributes"),
                    ref=refs[ident],
                )
            )
        return refs[ident]

    items = raw.get("spans") or []
    if not isinstance(items, list):
        raise where.bad("spans", "must be a list")
    for i, span in enumerate(items):
        add(span, f"spans[{i}]")
    relations: list[ParsedRelation] = []
    links = raw.get("relations") or []
    if not isinstance(links, list):
        raise where.bad("relations", "must be a list")
    for i, rel in enumerate(links):
        key = f"relations[{i}]"
        if not isinstance(rel, dict) or not {"head_span", "child_span", "label"} <= rel.keys():
            raise where.bad(key, "must be an object with head_span, child_span and label")
        relations.append(
            ParsedRelation(
                label=_str(rel["label"], where, f"{key}.label"),
                source=add(rel["head_span"], f"{key}.head_span"),
                target=add(rel["child_span"], f"{key}.child_span"),
                attributes=_attrs(rel.get("attributes"), where, f"{key}.attributes"),
            )
        )
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise where.bad("meta", "must be an object")
    text = _text(raw, where, bool(spans))
    annotator = meta.get("annotator", raw.get("_annotator_id"))
    extra = {k: v for k, v in meta.items() if k not in ("document_id", "title", "annotator")}
    return _Record(
        text=text,
        key=_opt_str(meta.get("document_id")),
        title=_opt_str(meta.get("title")),
        annotator=_opt_str(annotator),
        spans=spans,
        relations=relations,
        meta=extra,
    )
