"""What every reader shares: the parsed-document records, format detection and decoding.

Readers decode and normalise; they never touch the database. Every problem names the file and,
for JSONL, the line, and for undecodable bytes, the byte offset.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.domain import jsonio
from annotator.core.domain.entity_file import EntityEntry
from annotator.core.domain.errors import Problem
from annotator.core.domain.text import normalise
from annotator.core.formats.readers.headline import detect_headline

MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(slots=True)
class ParsedSpan:
    start: int
    end: int
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    annotator: str | None = None
    ref: str | None = None  # the id the file gave it, for its relations
    text: str | None = None


@dataclass
class ParsedRelation:
    label: str
    source: str
    target: str
    annotator: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # the link's own values


@dataclass
class ParsedDocument:
    text: str
    key: str | None = None
    title: str = ""
    source: str | None = None
    url: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[ParsedSpan] = field(default_factory=list)
    relations: list[ParsedRelation] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # the file it came from, for messages
    line: int | None = None  # its line in that file (JSONL)
    archived: Any = None  # a native record's archived section (readers.archived.ParsedArchive)
    # A native record's entities section: each entity with the span ids of its mentions.
    entities: list[tuple[EntityEntry, list[str]]] = field(default_factory=list)


class ReadProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def sniff_jsonl_layout(path: Path) -> str:
    """Which tool's JSONL this is, from its first record: "doccano", "prodigy" or "native" (ours).

    So that a file exported by doccano or Prodigy imports with its annotations whether or not
    the user says which it is (the window's Import has no format to choose).
    """
    try:
        with path.open("rb") as handle:
            for raw in handle:
                if raw.strip():
                    record = jsonio.loads(raw)
                    break
            else:
                return "native"
    except (OSError, jsonio.JSONDecodeError):
        return "native"  # the native reader reports the problem with its line
    if not isinstance(record, dict):
        return "native"
    if "entities" in record or isinstance(record.get("label"), list):
        return "doccano"
    spans = record.get("spans")
    token_spans = isinstance(spans, list) and any(
        isinstance(sp, dict) and "token_start" in sp for sp in spans
    )
    if "tokens" in record or "answer" in record or token_spans:
        return "prodigy"
    return "native"


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode bytes as UTF-8 (or a BOM's encoding, or the one given); never guess silently."""
    if encoding is None:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        advice = _utf16_advice(data) or "save it as UTF-8, or give --encoding"
        raise ReadProblem(
            Problem(
                name,
                _line_of(data, exc.start),
                "",
                f"cannot decode as {_ENCODING_NAMES.get(encoding, encoding)}: "
                f"byte 0x{byte} at byte offset {exc.start} "
                f"({advice})",
            )
        ) from None
    except LookupError:
        raise ReadProblem(Problem(name, None, "", f"unknown encoding {encoding!r}")) from None
    if "\x00" in text:
        pos = text.index("\x00")
        raise ReadProblem(
            Problem(
                name,
                text.count("\n", 0, pos) + 1,
                "",
                "contains a NUL character: a binary file, or UTF-16 without "
                "a byte-order mark (give --encoding utf-16-le)",
            )
        )
    return text


def _utf16_advice(data: bytes) -> str | None:
    """Text in UTF-16 without a byte-order mark has NUL in every other byte of its ASCII."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) < 16 or max(even, odd) < len(head) // 8 or min(even, odd) * 4 > max(even, odd):
        return None
    order = "le" if odd > even else "be"
    return f"it looks like UTF-16 without a byte-order mark: give --encoding utf-16-{order}"


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadProblem(
            Problem(
                str(path),
                None,
                "",
                f"{size} bytes is larger than the {MAX_FILE_BYTES // 2**20} MB limit for one file",
            )
        )
    return path.read_bytes()


def read_txt(path: Path, key: str, encoding: str | None = None) -> ParsedDocument:
    """A plain text article; its headline, found among the site's lines above it, is the title."""
    text = normalise(decode(read_bytes(path), str(path), encoding))
    if not text.strip():
        raise ReadProblem(Problem(str(path), None, "", "the file is empty"))
    title = detect_headline(text)
    return ParsedDocument(text=text, key=key, title=title, source=path.name, origin=str(path))
