"""Fast JSON in one place: orjson, with the options every file and column here uses."""

from __future__ import annotations

from typing import Any

import orjson

# JSON allows U+2028, U+2029 and U+0085 raw inside strings and orjson writes them so, but
# str.splitlines() and JavaScript end a line at each, cutting a JSONL record in two. In UTF-8 these
# byte sequences mean only these characters, and in JSON only a string can hold them. Each comes
# with its last byte: memchr finds one byte many times faster than a sequence is searched for, so
# text without those bytes (nearly all text) costs three memchr scans and no copy.
_LINE_SEPARATORS = (
    (b"\xa8", b"\xe2\x80\xa8", b"\\u2028"),  # LINE SEPARATOR
    (b"\xa9", b"\xe2\x80\xa9", b"\\u2029"),  # PARAGRAPH SEPARATOR
    (b"\x85", b"\xc2\x85", b"\\u0085"),  # NEXT LINE
)


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def dumps_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def dumps_line(value: Any) -> bytes:
    """One JSONL record: ``value`` as JSON on a single line, by any reader's idea of a line."""
    return escape_line_separators(orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE))


def escape_line_separators(data: bytes) -> bytes:
    """``data`` (UTF-8 JSON) with U+2028, U+2029 and U+0085 written as escapes; same meaning."""
    for last, raw, escaped in _LINE_SEPARATORS:
        if last in data and raw in data:
            data = data.replace(raw, escaped)
    return data


def loads(data: str | bytes) -> Any:
    return orjson.loads(data)


JSONDecodeError = orjson.JSONDecodeError
