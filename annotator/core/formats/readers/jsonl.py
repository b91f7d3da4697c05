"""The native JSONL layout: one document per line, with its spans, links and statuses."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.domain import jsonio
from annotator.core.domain.entity_file import EntityEntry, EntryProblem, parse_entry
from annotator.core.domain.errors import Problem
from annotator.core.domain.text import normalise
from annotator.core.formats.readers.archived import parse_archived
from annotator.core.formats.readers.common import (
    ParsedDocument,
    ParsedRelation,
    ParsedSpan,
    ReadProblem,
    decode,
    read_bytes,
)
from annotator.core.formats.readers.headline import detect_headline


def read_jsonl(path: Path, encoding: str | None = None) -> Iterator[ParsedDocument | Problem]:
    """One document per line in the native layout; a ``Problem`` names each bad line."""
    data = read_bytes(path)
    lines = None
    if encoding is None and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines = _utf8_lines(data)
    if lines is None:  # another encoding, or bytes that decode() will explain
        lines = iter(decode(data, str(path), encoding).split("\n"))
    any_line = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        any_line = True
        where = f"{path}:{number}"
        try:
            record = jsonio.loads(line)
        except jsonio.JSONDecodeError as exc:
            yield Problem(str(path), number, "", f"not valid JSON ({exc})")
            continue
        try:
            yield parse_native_record(record, str(path), number, where)
        except ReadProblem as exc:
            yield exc.problem
    if not any_line:
        raise ReadProblem(Problem(str(path), None, "", "the file is empty"))


def _utf8_lines(data: bytes) -> Iterator[str] | None:
    """The lines of clean UTF-8 ``data``, decoded one at a time; None if it is not clean.

    A whole file decoded at once takes up to four times its size (and its lines as much again);
    checked in chunks first, a file is still refused whole, before any of its lines is used.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for pos in range(0, len(data), 1 << 20):
            decoder.decode(view[pos : pos + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if b"\x00" in data:
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0

    def lines() -> Iterator[str]:
        with memoryview(data) as rest:
            pos = start
            while pos <= len(data):
                end = data.find(b"\n", pos)
                end = len(data) if end < 0 else end
                yield str(rest[pos:end], "utf-8")
                pos = end + 1

    return lines()


def parse_native_record(record: Any, file: str, line: int, origin: str) -> ParsedDocument:
    def bad(key: str, reason: str) -> ReadProblem:
        return ReadProblem(Problem(file, line, key, reason))

    if not isinstance(record, dict):
        raise bad("", "each line must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise bad("text", "is missing" if text is None else "must be a string")
    if not text.strip():
        raise bad("text", "is empty")
    spans_in = record.get("spans") or []
    normalised = normalise(text)
    if normalised != text and (spans_in or record.get("archived")):
        raise bad(
            "text",
            "is not normalised (Windows line endings or non-NFC Unicode) and has "
            "spans whose offsets would shift; normalise it to NFC with \\n line "
            "endings first",
        )
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise bad("meta", "must be an object")
    key = record.get("id")
    if key is not None and not isinstance(key, str | int):
        raise bad("id", "must be a string or a number")
    spans: list[ParsedSpan] = []
    # Runs once per pre-annotated span (a million in a big import): kept lean.
    for i, span in enumerate(spans_in):
        if not isinstance(span, dict):
            raise bad(f"spans[{i}]", "must be an object")
        try:
            start, end, label = span["start"], span["end"], span["label"]
        except KeyError:
            missing = [k for k in ("start", "end", "label") if k not in span]
            raise bad(f"spans[{i}]", f"lacks {', '.join(missing)}") from None
        attributes = _values(span, f"spans[{i}].attributes", bad)
        ref = str(span["id"]) if "id" in span else None
        spans.append(
            ParsedSpan(start, end, label, attributes, span.get("annotator"), ref, span.get("text"))
        )
    relations: list[ParsedRelation] = []
    for i, rel in enumerate(record.get("relations") or []):
        if not isinstance(rel, dict) or not {"label", "from", "to"} <= rel.keys():
            raise bad(f"relations[{i}]", "must be an object with label, from and to")
        relations.append(
            ParsedRelation(
                label=rel["label"],
                source=str(rel["from"]),
                target=str(rel["to"]),
                annotator=rel.get("annotator"),
                attributes=_values(rel, f"relations[{i}].attributes", bad),
            )
        )
    status = _status(record.get("status"), bad)
    archived = parse_archived(record["archived"], bad) if record.get("archived") else None
    entities = _entities(record.get("registry"), file, line, bad)
    title = record.get("title")
    if title is None or not str(title).strip():  # the team lead's title, when given, stands
        title = detect_headline(normalised)
    return ParsedDocument(
        text=normalised,
        key=None if key is None else str(key),
        title=str(title)[:500],
        source=_opt_str(record.get("source")),
        url=_opt_str(record.get("url")),
        # the text as the source gave it, where a native export's date alone would lose some
        published=_opt_str(_published_given(record)),
        meta=meta,
        spans=spans,
        relations=relations,
        status=status,
        origin=file,
        line=line,
        archived=archived,
        entities=entities,
    )


def _entities(
    value: Any, file: str, line: int, bad: Callable[[str, str], ReadProblem]
) -> list[tuple[EntityEntry, list[str]]]:
    """The entities section: registry entries, each with the span ids of its mentions."""
    if not value:
        return []
    if not isinstance(value, list):
        raise bad("registry", "must be a list of entities")
    found = []
    for i, item in enumerate(value):
        where = f"registry[{i}]."
        if not isinstance(item, dict):
            raise bad(f"registry[{i}]", "must be an object")
        mentions = item.get("mentions") or []
        if not isinstance(mentions, list):
            raise bad(f"{where}mentions", "must be a list of span ids")
        entry = {k: v for k, v in item.items() if k != "mentions"}
        try:
            found.append((parse_entry(entry, file, line, where), [str(m) for m in mentions]))
        except EntryProblem as exc:
            raise ReadProblem(exc.problem) from None
    return found


def _values(
    item: dict[str, Any], where: str, bad: Callable[[str, str], ReadProblem]
) -> dict[str, Any]:
    """A span's or a link's ``attributes``: the values set (the export writes every
    attribute, null when unset)."""
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise bad(where, "must be an object")
    if None in attributes.values():
        attributes = {k: v for k, v in attributes.items() if v is not None}
    return attributes


def _status(value: Any, bad: Callable[[str, str], ReadProblem]) -> dict[str, str]:
    """Statuses as a list of {annotator, status} (the export's layout) or, as before, an object."""
    if isinstance(value, list):
        try:
            return {str(s["annotator"]): s["status"] for s in value}
        except (TypeError, KeyError):
            raise bad("status", "must be a list of {annotator, status} objects") from None
    if value and not isinstance(value, dict):
        raise bad("status", "must be a list of {annotator, status} or an object")
    return value or {}


def _published_given(record: dict[str, Any]) -> Any:
    """The published text as the source gave it: ``published_as_given`` when the record has
    one (an empty text included), else ``published``."""
    given = record.get("published_as_given")
    return given if given is not None else record.get("published")


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
