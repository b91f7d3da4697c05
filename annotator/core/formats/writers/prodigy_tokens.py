"""A Prodigy task's ``tokens`` as JSON bytes, made with numpy instead of a dict per token.

``orjson.dumps(prodigy.token_records(cover))`` (the reference) makes a dict per token (800 a
document) to serialise it at once. Here the bytes are cut from four sources with one gather:
the record's fixed parts, the text's UTF-8 (a token needing JSON escapes, a quote or a line
break, escaped by orjson on its own), and orjson's digits of the offsets and ids. The bytes are
the reference's (held to it by a test).
"""

from __future__ import annotations

from typing import Any

import numpy
import orjson

from annotator.core.formats.writers.tokenize_numpy import codes_of

_NUMPY = orjson.OPT_SERIALIZE_NUMPY
# Each token: OPEN text START start END end ID id (TRUE | FALSE); the last comma is dropped.
_OPEN, _START, _END, _ID = b'{"text":"', b'","start":', b',"end":', b',"id":'
_TRUE, _FALSE = b',"ws":true},', b',"ws":false},'
_FIXED = _OPEN + _START + _END + _ID + _TRUE + _FALSE
_AT_START = len(_OPEN)
_AT_END = _AT_START + len(_START)
_AT_ID = _AT_END + len(_END)
_AT_TRUE = _AT_ID + len(_ID)
_AT_FALSE = _AT_TRUE + len(_TRUE)


def _numbers(values: Any) -> tuple[bytes, Any, Any]:
    """orjson's ``[1,22,333]`` of ``values`` (not empty), and where each number's digits start
    in it and how many there are."""
    dumped = orjson.dumps(values, option=_NUMPY)
    commas = numpy.flatnonzero(numpy.frombuffer(dumped, dtype=numpy.uint8) == ord(","))
    starts = numpy.empty(len(values), dtype=numpy.int64)
    starts[0] = 1
    starts[1:] = commas + 1
    ends = numpy.empty(len(values), dtype=numpy.int64)
    ends[:-1] = commas
    ends[-1] = len(dumped) - 1
    return dumped, starts, ends - starts


def tokens_json(text: str, starts: Any, ends: Any, ws: Any) -> bytes | None:
    """``orjson.dumps(token_records(cover))`` from the covering's arrays (int64 offsets, bool
    ``ws``), or None for a text orjson would refuse (a lone surrogate)."""
    n = len(starts)
    if not n:
        return b"[]"
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    codes = codes_of(text)
    if len(utf8) == len(text):
        word_at, word_end = starts, ends
    else:  # each character's UTF-8 length, summed: byte offsets of the character offsets
        widths = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
        offsets = numpy.zeros(len(codes) + 1, dtype=numpy.int64)
        numpy.cumsum(widths, out=offsets[1:])
        word_at, word_end = offsets[starts], offsets[ends]
    word_at = word_at + len(_FIXED)
    word_size = word_end - (word_at - len(_FIXED))
    escaped = b""
    needs = (codes == ord('"')) | (codes == ord("\\")) | (codes < 0x20)
    if needs.any():
        running = numpy.zeros(len(codes) + 1, dtype=numpy.int64)
        numpy.cumsum(needs, out=running[1:])
        which = numpy.flatnonzero(running[ends] > running[starts])
        pieces = [
            orjson.dumps(text[a:b])[1:-1]
            for a, b in zip(starts[which].tolist(), ends[which].tolist(), strict=True)
        ]
        sizes = numpy.fromiter(map(len, pieces), dtype=numpy.int64, count=len(pieces))
        word_at[which] = len(_FIXED) + len(utf8) + numpy.cumsum(sizes) - sizes
        word_size[which] = sizes
        escaped = b"".join(pieces)
    start_digits, start_at, start_size = _numbers(starts)
    end_digits, end_at, end_size = _numbers(ends)
    id_digits, id_at, id_size = _numbers(numpy.arange(n, dtype=numpy.int64))
    source = b"".join((_FIXED, utf8, escaped, start_digits, end_digits, id_digits))
    at_starts = len(_FIXED) + len(utf8) + len(escaped)
    at_ends = at_starts + len(start_digits)
    at_ids = at_ends + len(end_digits)
    begin: Any = numpy.empty((n, 9), dtype=numpy.int64)  # where each piece is in ``source``
    size: Any = numpy.empty((n, 9), dtype=numpy.int64)
    begin[:, 0], size[:, 0] = 0, len(_OPEN)
    begin[:, 1], size[:, 1] = word_at, word_size
    begin[:, 2], size[:, 2] = _AT_START, len(_START)
    begin[:, 3], size[:, 3] = at_starts + start_at, start_size
    begin[:, 4], size[:, 4] = _AT_END, len(_END)
    begin[:, 5], size[:, 5] = at_ends + end_at, end_size
    begin[:, 6], size[:, 6] = _AT_ID, len(_ID)
    begin[:, 7], size[:, 7] = at_ids + id_at, id_size
    begin[:, 8] = numpy.where(ws, _AT_TRUE, _AT_FALSE)
    size[:, 8] = numpy.where(ws, len(_TRUE), len(_FALSE))
    begin, size = begin.ravel(), size.ravel()
    placed = numpy.cumsum(size) - size  # where each piece goes in the output
    total = int(placed[-1] + size[-1]) - 1  # the last comma left out
    index = numpy.repeat(begin - placed, size)[:total] + numpy.arange(total)
    return b"[" + numpy.frombuffer(source, dtype=numpy.uint8)[index].tobytes() + b"]"
