"""A unit's spans on spaCy's words: the span group and the entities, as arrays.

A large export places a million spans; one Python step per span and several per entity token
were most of the spaCy export's time. Here the spans whose edges are token edges (nearly all)
are placed with one ``searchsorted``; every other span goes through ``Tokens.align``, which
reports it exactly as ``aligned.place`` does, in the same order. Entities are chosen as
``aligned.outermost`` chooses them and written into the token columns with a few array
operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy

from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.spacy_docbin import SPAN_KEY
from annotator.core.formats.writers.spacy_stream import array_header
from annotator.core.formats.writers.spacy_words import DocWords
from annotator.core.formats.writers.tokenize import Tokens
from annotator.core.formats.writers.units import Unit

BEGIN, INSIDE = 3, 1  # spaCy's ENT_IOB values
# SpanGroup.to_bytes packs each span as struct ">QQQllll" (id, kb_id, label, start, end,
# start_char, end_char) and msgpack gives each such 40-byte string the header c4 28.
_SPAN = numpy.dtype(
    [
        ("head", "S2"),
        ("id", ">u8"),
        ("kb_id", ">u8"),
        ("label", ">u8"),
        ("start", ">i4"),
        ("end", ">i4"),
        ("start_char", ">i4"),
        ("end_char", ">i4"),
    ]
)
assert _SPAN.itemsize == 2 + 40


@dataclass(frozen=True)
class Placed:
    """The unit's spans that fit the tokens: their positions in ``unit.spans`` and tokens."""

    which: Any  # int array: index in unit.spans, in that order
    first: Any  # int array: first token (inclusive)
    last: Any  # int array: last token (inclusive)


def place_spans(
    tokens: Tokens, arrays: tuple[Any, Any], unit: Unit, problems: ProblemLog, part: str
) -> Placed:
    """``aligned.place`` for a whole unit at once: the same spans, the same reports."""
    spans = unit.spans
    n = len(spans)
    lo = numpy.fromiter([sp.start for sp in spans], numpy.int64, n)
    hi = numpy.fromiter([sp.end for sp in spans], numpy.int64, n)
    starts, ends = arrays
    size = len(starts)
    first = numpy.searchsorted(ends, lo, "right")  # as Tokens.align does with bisect
    last = numpy.searchsorted(starts, hi, "left") - 1
    if size:
        exact = (first <= last) & (starts[numpy.minimum(first, size - 1)] == lo)
        exact &= ends[numpy.maximum(last, 0)] == hi
    else:
        exact = numpy.zeros(n, dtype=bool)
    keep = exact.copy()
    for k in numpy.flatnonzero(~exact).tolist():
        sp = spans[k]
        found = tokens.align(sp.start, sp.end)
        if found.problem is not None:
            problems.add_span(found.problem, part, unit, sp, found.detail)
        if found.first is not None and found.last is not None:
            first[k], last[k], keep[k] = found.first, found.last, True
    which = numpy.flatnonzero(keep)
    return Placed(which, first[which], last[which])


def entities(
    placed: Placed, unit: Unit, labels: set[str], problems: ProblemLog, part: str
) -> list[tuple[int, int, str]]:
    """The spans ``doc.ents`` holds, as (first token, last token, label) in text order.

    ``aligned.outermost`` on plain tuples (the same order: first, longest, label, id); the
    spans left out are reported as it reports them.
    """
    spans = unit.spans
    candidates = sorted(
        (f, -t, spans[k].label, spans[k].id, k)
        for k, f, t in zip(
            placed.which.tolist(), placed.first.tolist(), placed.last.tolist(), strict=True
        )
        if spans[k].label in labels
    )
    kept: list[tuple[int, int, str]] = []
    end = -1
    for first, minus_last, label, _id, k in candidates:
        if first > end:
            kept.append((first, -minus_last, label))
            end = -minus_last
        else:
            problems.add_span("entity_overlap", part, unit, spans[k], "doc.ents")
    return kept


def token_columns(
    words: DocWords, ents: list[tuple[int, int, str]], iob: int, kind: int, label_id: Any
) -> bytes:
    """The unit's token columns: the document's, with ENT_IOB and ENT_TYPE of ``ents``."""
    if not ents:
        return bytes(words.base.data)
    array = words.base.copy()
    index = words.index
    firsts, lasts, names = zip(*ents, strict=True)
    begin = index[list(firsts)]
    lengths = index[list(lasts)] + 1 - begin
    # Every token inside an entity: entity k's start repeated over its length, plus 0, 1, ...
    before = numpy.cumsum(lengths) - lengths
    inside = numpy.arange(before[-1] + lengths[-1]) + numpy.repeat(begin - before, lengths)
    types = numpy.array(list(map(label_id, names)), dtype=numpy.uint64)
    array[inside, iob] = INSIDE
    array[begin, iob] = BEGIN
    array[inside, kind] = numpy.repeat(types, lengths)
    return bytes(array.data)


def span_group(
    words: DocWords,
    arrays: tuple[Any, Any],
    placed: Placed,
    unit: Unit,
    span_ids: list[int],
    string_id: Any,
    pack: Any,
) -> bytes:
    """``doc.spans.to_bytes()`` with the one group ``SPAN_KEY`` of the placed spans, in unit order.

    ``span_ids[k]`` is the id hash of ``unit.spans[k]`` ("T1", ...).
    """
    n = len(placed.which)
    records = numpy.zeros(n, dtype=_SPAN)
    records["head"] = b"\xc4\x28"
    which = placed.which.tolist()
    records["id"] = numpy.array(span_ids, dtype=numpy.uint64)[placed.which]
    spans = unit.spans
    records["label"] = numpy.fromiter((string_id(spans[k].label) for k in which), numpy.uint64, n)
    records["start"] = words.index[placed.first]
    records["end"] = words.index[placed.last] + 1
    starts, ends = arrays
    records["start_char"] = starts[placed.first]
    records["end_char"] = ends[placed.last]
    group = (
        b"\x83"  # a map of three: name, attrs, spans
        + pack("name")
        + pack(SPAN_KEY)
        + pack("attrs")
        + pack({})
        + pack("spans")
        + array_header(n)
        + records.tobytes()
    )
    return pack({group: [SPAN_KEY]})
