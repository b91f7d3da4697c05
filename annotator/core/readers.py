"""Reading input files into ``ParsedDocument``s: plain text, JSONL and HTML.

Readers decode and normalise; they never touch the database. Every problem names the file and,
for JSONL, the line, and for undecodable bytes, the byte offset.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from annotator.core.domain import jsonio
from annotator.core.domain.errors import Problem
from annotator.core.domain.text import normalise

MAX_FILE_BYTES = 512 * 1024 * 1024
FORMATS = ("txt", "html", "jsonl")
_SUFFIXES = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


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


class ReadProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def detect_format(path: Path) -> str | None:
    return _SUFFIXES.get(path.suffix.lower())


def sniff_jsonl_layout(path: Path) -> str:
    """Which tool's JSONL this is, from its first record: "doccano", "prodigy" or "jsonl" (ours).

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
                return "jsonl"
    except (OSError, jsonio.JSONDecodeError):
        return "jsonl"  # the native reader reports the problem with its line
    if not isinstance(record, dict):
        return "jsonl"
    if "entities" in record or isinstance(record.get("label"), list):
        return "doccano"
    spans = record.get("spans")
    token_spans = isinstance(spans, list) and any(
        isinstance(sp, dict) and "token_start" in sp for sp in spans
    )
    if "tokens" in record or "answer" in record or token_spans:
        return "prodigy"
    return "jsonl"


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
    """A plain text article; its first non-empty line is the title."""
    text = normalise(decode(read_bytes(path), str(path), encoding))
    if not text.strip():
        raise ReadProblem(Problem(str(path), None, "", "the file is empty"))
    title = next(line.strip() for line in text.split("\n") if line.strip())
    return ParsedDocument(text=text, key=key, title=title[:500], source=path.name, origin=str(path))


def read_html(path: Path, key: str, encoding: str | None = None) -> ParsedDocument:
    """An HTML page: the article's text, with scripts, styles and navigation dropped."""
    raw = decode(read_bytes(path), str(path), encoding)
    extractor = _ArticleText()
    try:
        extractor.feed(raw)
        extractor.close()
    except AssertionError as exc:  # html.parser's way of giving up on a malformed declaration
        raise ReadProblem(Problem(str(path), None, "", f"cannot parse the HTML: {exc}")) from None
    text = normalise(extractor.result())
    if not text.strip():
        raise ReadProblem(Problem(str(path), None, "", "no article text found in the HTML"))
    title = extractor.title.strip() or next(ln.strip() for ln in text.split("\n") if ln.strip())
    meta = {k: v for k, v in extractor.meta.items() if k not in ("url", "published", "source")}
    return ParsedDocument(
        text=text,
        key=key,
        title=" ".join(title.split())[:500],
        source=extractor.meta.get("source") or path.name,
        url=extractor.meta.get("url"),
        published=extractor.meta.get("published"),
        meta=meta,
        origin=str(path),
    )


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
    if normalised != text and spans_in:
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
        attributes = span.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise bad(f"spans[{i}].attributes", "must be an object")
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
            )
        )
    status = record.get("status") or {}
    if not isinstance(status, dict):
        raise bad("status", "must be an object of annotator: status")
    title = record.get("title")
    if title is None:
        title = next(ln.strip() for ln in normalised.split("\n") if ln.strip())
    return ParsedDocument(
        text=normalised,
        key=None if key is None else str(key),
        title=str(title)[:500],
        source=_opt_str(record.get("source")),
        url=_opt_str(record.get("url")),
        published=_opt_str(record.get("published")),
        meta=meta,
        spans=spans,
        relations=relations,
        status=status,
        origin=file,
        line=line,
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


_HTML_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_DROP = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "head",
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "object",
    "embed",
    "canvas",
    "math",
}
_VOID = {
    "br",
    "img",
    "hr",
    "meta",
    "link",
    "input",
    "source",
    "wbr",
    "area",
    "base",
    "col",
    "embed",
    "param",
    "track",
}
_PARAGRAPH = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figure",
    "figcaption",
    "article",
    "section",
    "header",
    "main",
    "pre",
    "table",
    "ul",
    "ol",
}
_LINE = {"div", "li", "tr", "dt", "dd", "br"}


class _ArticleText(HTMLParser):
    """Extracts readable text. Nothing is rendered, fetched or executed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.article_parts: list[str] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self._drop_depth = 0
        self._drop_stack: list[str] = []
        self._in_title = False
        self._article_depth = 0
        self._seen_article = False

    def _emit(self, piece: str) -> None:
        self.parts.append(piece)
        if self._article_depth:
            self.article_parts.append(piece)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            name = (a.get("property") or a.get("name") or "").lower()
            content = a.get("content", "")
            mapping = {
                "og:url": "url",
                "article:published_time": "published",
                "og:site_name": "source",
                "author": "author",
                "description": "description",
            }
            if name in mapping and content:
                self.meta.setdefault(mapping[name], content)
        if tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href"):
            self.meta.setdefault("url", a["href"])
        if tag == "title":
            self._in_title = True
        if tag in _DROP:
            if tag not in _VOID:
                self._drop_stack.append(tag)
            return
        if self._drop_stack or (tag in _VOID and tag != "br"):
            return
        if tag == "article":
            self._article_depth += 1
            self._seen_article = True
        if tag in _PARAGRAPH:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._drop_stack:
            if tag == self._drop_stack[-1]:
                self._drop_stack.pop()
            elif tag in self._drop_stack:
                while self._drop_stack and self._drop_stack.pop() != tag:
                    pass
            return
        if tag in _PARAGRAPH:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n")
        if tag == "article" and self._article_depth:
            self._article_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._drop_stack:
            return
        # Source line breaks and tabs are just white space in HTML; no-break spaces are content.
        self._emit(_HTML_SPACE.sub(" ", data))

    def result(self) -> str:
        raw = "".join(self.article_parts if self._seen_article else self.parts)
        lines = []
        for line in raw.split("\n"):
            lines.append(_HTML_SPACE.sub(" ", line).strip(" "))
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip("\n")
