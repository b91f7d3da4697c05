"""CoNLL's one-column-per-label rows (``--nested layers``, the default) with numpy.

``ConllWriter._write_unit`` is the reference: a Python step per span to place it, group it by
label, sort it and tag its tokens. Here a unit's spans are placed with two ``searchsorted``, the
tags of every column are one array (a span's tokens from a running sum of its edges), and the
rows under spans are joined with one ``map``; only spans that need a report take a Python step
(``ConllWriter._write_layers``). The bytes are the reference's (held to it by a test).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from operator import attrgetter
from typing import Any

import numpy

from annotator.core.formats.writers.documents import ExportSpan
from annotator.core.formats.writers.tokenize import Tokens

DOCSTART = "-DOCSTART- -X- O O"
_START, _END = attrgetter("start"), attrgetter("end")
# A cell's code; its text is the column's ``tags(label)[code]``.
_OUTSIDE, BEGIN, INSIDE, LAST, UNIT = range(5)


def tags(label: str) -> tuple[str, ...]:
    """A column's cells by code."""
    return ("O", f"B-{label}", f"I-{label}", f"L-{label}", f"U-{label}")


@cache
def spaced_tags(label: str) -> tuple[str, ...]:
    """``tags(label)``, each after the space that separates it from the cell before."""
    return tuple(" " + tag for tag in tags(label))


class LayerDocument:
    """One document's tokens as arrays, shared by its units; ``breaks``: the tokens after the
    first that begin a sentence, in order."""

    def __init__(self, tokens: Tokens, breaks: Any) -> None:
        self.tokens = tokens
        if tokens.arrays is not None:
            self.starts, self.ends = tokens.arrays
        else:
            self.starts = numpy.array(tokens.starts, dtype=numpy.int64)
            self.ends = numpy.array(tokens.ends, dtype=numpy.int64)
        self.n = len(tokens)
        self.words = tokens.words
        self.breaks = numpy.array(breaks, dtype=numpy.int64)

    def place(self, spans: Sequence[ExportSpan]) -> tuple[Any, Any, Any]:
        """(first, last, placed): ``aligned.place``'s check of exact token edges, for every
        span at once; a span not ``placed`` is for ``Tokens.align`` to judge (needs tokens)."""
        m = len(spans)
        start = numpy.fromiter(map(_START, spans), numpy.int64, m)
        end = numpy.fromiter(map(_END, spans), numpy.int64, m)
        first = numpy.searchsorted(self.starts, start)
        last = numpy.searchsorted(self.starts, end) - 1
        top = self.n - 1
        placed = (
            (first <= last)
            & (self.starts[numpy.minimum(first, top)] == start)
            & (self.ends[numpy.maximum(last, 0)] == end)
        )
        return first, last, placed

    def unit_bytes(
        self,
        kept: list[int],
        column: Any,
        first: Any,
        last: Any,
        labels: Sequence[str],
        bilou: bool,
        seen: Sequence[set[str]],
        written: Counter[str],
    ) -> bytes:
        """The unit's ``-DOCSTART-`` block: the spans ``kept`` (indices into ``column``,
        ``first`` and ``last``, which never overlap within a column) tagged in their column;
        the tags that occur are added to ``seen`` ("O" aside), the spans to ``written``.

        The text is one join of every cell and line end: no row is made on its own.
        """
        n, width = self.n, len(labels)
        which = numpy.array(kept, dtype=numpy.int64)
        col, firsts, lasts = column[which], first[which], last[which]
        # Each cell holds the space before it: a row is its word, a cell per column, its end.
        columns = [[" O"] * n for _ in labels]
        names = [tags(label) for label in labels]
        spaced = [spaced_tags(label) for label in labels]
        goes_on = [False] * n  # continues a written span from the token before
        for c, f, e in zip(col.tolist(), firsts.tolist(), lasts.tolist(), strict=True):
            tag, name = columns[c], spaced[c]
            if bilou and f == e:
                tag[f] = name[UNIT]
                continue
            tag[f] = name[BEGIN]
            tag[f + 1 : e + 1] = [name[INSIDE]] * (e - f)
            goes_on[f + 1 : e + 1] = [True] * (e - f)
            if bilou:
                tag[e] = name[LAST]
        for c, count in enumerate(numpy.bincount(col, minlength=width).tolist()):
            if count:
                written[labels[c]] += count
        # The tags each column holds ("O" aside): a first, inner and last tag by span length.
        length = lasts - firsts
        used = [numpy.where(length == 0, UNIT, BEGIN) if bilou else numpy.full_like(col, BEGIN)]
        used.append(numpy.where(length >= (2 if bilou else 1), INSIDE, _OUTSIDE))
        if bilou:
            used.append(numpy.where(length >= 1, LAST, _OUTSIDE))
        for key in numpy.unique(numpy.concatenate(used) + 5 * numpy.tile(col, len(used))).tolist():
            c, code = divmod(key, 5)
            if code != _OUTSIDE:
                seen[c].add(names[c][code])
        step = width + 2
        cells: list[str] = ["\n"] * (step * n)
        cells[0::step] = self.words
        for c, tag in enumerate(columns):
            cells[1 + c :: step] = tag
        ends = ["\n"] * n
        for i in self.breaks.tolist():
            if not goes_on[i]:  # a sentence break, never inside a written span
                ends[i - 1] = "\n\n"
        cells[step - 1 :: step] = ends
        return (DOCSTART + "\n\n" + "".join(cells) + "\n").encode("utf-8")
