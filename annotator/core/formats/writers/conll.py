"""CoNLL token-per-line tags, as read by seqeval, spaCy's converter and HF token classification.

Each document and annotator starts with ``-DOCSTART- -X- O O`` and a blank line; sentences are
separated by blank lines; each line is ``TOKEN TAG`` (BIO or BILOU). Nested and overlapping spans:

- ``layers`` (the default, as it keeps every label): one tag column per label, in schema order
  (listed in the manifest); spans of one label that overlap each other are resolved as below,
  within their column;
- ``outermost``: one tag column; where spans overlap, the outermost (then the earliest) wins and
  the others are left out. Nested labels (a WEAPON inside a STATEMENT) then mostly vanish, so
  it is only ever chosen by name.

Whatever is left out is counted per label and reason in the manifest (``held``), beside the
spans written per label and the tags that occur in each column: what the file holds, not what
was selected.

A sentence break never cuts a written span: the sentences around it are joined. Which document
and annotator each ``-DOCSTART-`` block belongs to is listed in the manifest (``units``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, BinaryIO

import numpy
import orjson

from annotator.core.formats import options
from annotator.core.formats.writers.aligned import TokenSpan, outermost, place, report_left_out
from annotator.core.formats.writers.conll_layers import DOCSTART, LayerDocument
from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit

SCHEMES = options.SCHEMES
NESTED = options.NESTED_CHOICES
DEFAULT_NESTED = options.NESTED_DEFAULT  # the one choice that never drops a whole label
_LABEL, _ID = attrgetter("label"), attrgetter("id")


def tag_column(spans: Sequence[TokenSpan], length: int, scheme: str) -> list[str]:
    tags = ["O"] * length
    bilou = scheme == "BILOU"
    for ts in spans:
        label, first, last = ts.span.label, ts.first, ts.last
        if bilou and first == last:
            tags[first] = f"U-{label}"
            continue
        tags[first] = f"B-{label}"
        tags[first + 1 : last + 1] = [f"I-{label}"] * (last - first)
        if bilou:
            tags[last] = f"L-{label}"
    return tags


class ConllWriter:
    def __init__(
        self,
        out: ByteSink,
        *,
        scheme: str,
        nested: str,
        layers: Sequence[str],
        problems: ProblemLog,
        part: str,
        units_out: BinaryIO,
    ) -> None:
        self._out = out
        self._units_out = units_out
        self._scheme = scheme
        self._nested = nested
        self._layers = list(layers)
        self._column_of = {label: c for c, label in enumerate(self._layers)}
        self._problems = problems
        self._part = part
        names = ["tag"] if nested == "outermost" else self._layers
        self._tags: dict[str, set[str]] = {name: set() for name in names}
        self._written: Counter[str] = Counter()
        self._left_out: dict[str, Counter[str]] = {}

    def held(self) -> dict[str, Any]:
        """What the file holds: spans written and left out per label, tags per column."""
        return {
            "spans_written": dict(sorted(self._written.items())),
            "spans_left_out": {
                label: dict(sorted(why.items())) for label, why in sorted(self._left_out.items())
            },
            "tags": {name: sorted(tags - {"O"}) for name, tags in self._tags.items()},
        }

    def close(self) -> None:
        """The service closes the file: nothing is buffered here."""

    def _left(self, label: str, why: str, n: int = 1) -> None:
        self._left_out.setdefault(label, Counter())[why] += n

    def add(self, prepared: Prepared) -> int:
        if not prepared.units:
            return 0
        # Every row as it reads with no span ("token O O ..."), made once per document; each
        # unit then rewrites only the rows its spans cover.
        firsts = prepared.sentence_firsts
        breaks = firsts[firsts > 0]  # a blank line before each sentence but the first
        if self._nested == "outermost" or not len(prepared.tokens):
            blank = " O" * len(self._tags)
            plain = list(map(str.__add__, prepared.tokens.words, repeat(blank)))
            for unit in prepared.units:
                self._write_unit(prepared, unit, plain, breaks.tolist())
        else:
            document = LayerDocument(prepared.tokens, breaks)
            for unit in prepared.units:
                self._write_layers(document, unit)
        return len(prepared.units)

    def _write_layers(self, document: LayerDocument, unit: Unit) -> None:
        """``_write_unit`` (the reference) for one tag column per label, with numpy: spans
        placed, resolved and tagged as arrays; only spans that do not fit a token edge, or
        overlap within their label, take a Python step each (to be reported)."""
        spans = unit.spans
        columns = self._layers
        first, last, placed = document.place(spans)
        for k in numpy.flatnonzero(~placed).tolist():
            sp = spans[k]
            found = document.tokens.align(sp.start, sp.end)
            if found.problem is not None:
                self._problems.add_span(found.problem, self._part, unit, sp, found.detail)
            if found.first is not None and found.last is not None:
                first[k], last[k], placed[k] = found.first, found.last, True
            else:
                self._left(sp.label, found.problem or "not_on_tokens")
        column = numpy.fromiter(
            map(self._column_of.get, map(_LABEL, spans), repeat(-1)), numpy.int64, len(spans)
        )
        chosen = numpy.flatnonzero(placed & (column >= 0))
        ids = numpy.fromiter(map(_ID, spans), numpy.int64, len(spans))[chosen]
        # outermost() within each column: sorted by column, then as it sorts
        order = chosen[numpy.lexsort((ids, -last[chosen], first[chosen], column[chosen]))]
        ends = [-1] * len(columns)
        kept: list[int] = []
        left: dict[int, list[int]] = {}
        for k, c, f, e in zip(
            order.tolist(),
            column[order].tolist(),
            first[order].tolist(),
            last[order].tolist(),
            strict=True,
        ):
            if f > ends[c]:
                kept.append(k)
                ends[c] = e
            else:
                left.setdefault(c, []).append(k)
        for c, ks in left.items():  # in column order, each in text order, as the reference
            label = columns[c]
            for k in ks:
                self._problems.add_span(
                    "overlap_left_out", self._part, unit, spans[k], f"layer {label}"
                )
            self._left(label, "overlap_left_out", len(ks))
        self._out.write(
            document.unit_bytes(
                kept,
                column,
                first,
                last,
                columns,
                self._scheme == "BILOU",
                list(self._tags.values()),
                self._written,
            )
        )
        self._units_out.write(orjson.dumps([unit.doc.key, unit.annotator]) + b"\n")

    def _columns(self, unit: Unit, placed: list[TokenSpan]) -> list[list[TokenSpan]]:
        if self._nested == "outermost":
            kept, left = outermost(placed)
            report_left_out(
                "overlap_left_out", left, unit, self._problems, self._part, "--nested outermost"
            )
            for ts in left:
                self._left(ts.span.label, "overlap_left_out")
            return [kept]
        by_label: dict[str, list[TokenSpan]] = {label: [] for label in self._layers}
        for ts in placed:
            if ts.span.label in by_label:
                by_label[ts.span.label].append(ts)
        columns = []
        for label, spans in by_label.items():
            kept, left = outermost(spans)
            report_left_out(
                "overlap_left_out", left, unit, self._problems, self._part, f"layer {label}"
            )
            if left:
                self._left(label, "overlap_left_out", len(left))
            columns.append(kept)
        return columns

    def _write_unit(
        self, prepared: Prepared, unit: Unit, plain: list[str], sentence_starts: list[int]
    ) -> None:
        """``plain``: the document's rows under no span; ``sentence_starts``: the tokens after
        the first that begin a sentence, in order."""
        tokens = prepared.tokens
        n = len(tokens)
        placed = place(prepared, unit, self._problems, self._part)
        if len(placed) < len(unit.spans):
            on_tokens = {ts.span.id for ts in placed}
            for sp in unit.spans:
                if sp.id not in on_tokens:
                    why = tokens.align(sp.start, sp.end).problem or "not_on_tokens"
                    self._left(sp.label, why)
        columns = self._columns(unit, placed)
        tags = [tag_column(col, n, self._scheme) for col in columns]
        written = [ts for col in columns for ts in col]
        self._written.update(ts.span.label for ts in written)
        firsts = [ts.first for ts in written]
        ends = [ts.last + 1 for ts in written]
        # The tokens under a written span, and those that continue one from the token before
        # (no sentence break there): sets of ranges, one C loop each, not a step per token.
        at = sorted(set(chain.from_iterable(map(range, firsts, ends))))
        joined = set(chain.from_iterable(map(range, map((1).__add__, firsts), ends)))
        cells = [list(map(column.__getitem__, at)) for column in (tokens.words, *tags)]
        for seen, column_cells in zip(self._tags.values(), cells[1:], strict=True):
            seen.update(column_cells)  # "O" too, where another column's span is: not listed
        rows = plain.copy()
        for i, row in zip(at, map(" ".join, zip(*cells, strict=True)), strict=True):
            rows[i] = row
        lines = [DOCSTART, ""]
        done = 0
        for i in sentence_starts:
            if i not in joined:  # a sentence break, never inside a written span
                lines += rows[done:i]
                lines.append("")
                done = i
        lines += rows[done:]
        lines.append("")
        self._out.write(("\n".join(lines) + "\n").encode("utf-8"))
        self._units_out.write(orjson.dumps([unit.doc.key, unit.annotator]) + b"\n")
