"""Span highlighting that scales: spans are indexed by text block, and an edit re-highlights
only the blocks it touches.

Measured (issue 3): ``setExtraSelections`` costs >400 ms for 10,000 spans and grows with each,
``rehighlight()`` re-lays out everything; a ``QSyntaxHighlighter`` that looks spans up per block
costs tens of ms in all and a few ms per added span.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from typing import NamedTuple

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

OUTSIDE_SCHEMA = QColor("#cccccc")  # the fill of a span whose label the schema lacks
DIM_TEXT = QColor("#8c8c8c")  # boilerplate's letters: there, readable, plainly not the story
DIM_FILL = QColor("#f1f1ee")


class QtSpan(NamedTuple):
    """A span in Qt (UTF-16) positions. A tuple: 10,000 are made when an article opens."""

    id: int
    start: int
    end: int
    label: str


class SpanHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, colors: dict[str, QColor]) -> None:
        self._spans: dict[int, QtSpan] = {}
        self._by_block: defaultdict[int, set[int]] = defaultdict(set)
        self._colors = colors
        self._formats: dict[tuple[str, int, str, bool], QTextCharFormat] = {}
        self._dims: list[tuple[int, int]] = []  # boilerplate, in Qt positions, sorted
        self._dim_format = QTextCharFormat()
        self._dim_format.setForeground(DIM_TEXT)
        self._dim_format.setBackground(DIM_FILL)
        self._block_starts: list[int] = [0]
        self._window: tuple[int, int] = (0, 2**31)
        self._pending: set[int] = set()
        self.selected: int | None = None
        self.linked: set[int] = set()
        super().__init__(document)

    # -- span bookkeeping --

    def _blocks(self, span: QtSpan) -> range:
        starts = self._block_starts
        first = bisect_right(starts, span.start) - 1
        last = bisect_right(starts, max(span.start, span.end - 1)) - 1
        return range(max(first, 0), max(last, 0) + 1)

    def set_spans(self, spans: list[QtSpan]) -> None:
        """Replace all spans (on opening a document, before the first paint)."""
        # The text is read-only, so where each block starts is computed once, here.
        starts = []
        block = self.document().begin()
        while block.isValid():
            starts.append(block.position())
            block = block.next()
        self._block_starts = starts or [0]
        self._spans = {s.id: s for s in spans}
        self._by_block.clear()
        by_block = self._by_block
        count = len(starts)
        for span in spans:
            first = bisect_right(starts, span.start) - 1
            by_block[first].add(span.id)
            if first + 1 < count and span.end > starts[first + 1]:  # runs over a line break
                for n in range(first + 1, bisect_right(starts, span.end - 1)):
                    by_block[n].add(span.id)

    def set_window(self, first: int, last: int) -> None:
        """Format only blocks in [first, last]; others wait until ``reveal`` shows them.

        Opening a long article then costs what the screen shows, not the whole text; scrolling
        formats a screenful at a time.
        """
        self._window = (first, last)

    def reveal(self, first: int, last: int) -> None:
        """The view now shows blocks [first, last]: format any of them still waiting."""
        lo, hi = self._window
        if lo <= first and last <= hi and not self._pending:
            return
        self._window = (min(lo, first), max(hi, last))
        waiting = sorted(n for n in self._pending if first <= n <= last)
        self._pending.difference_update(waiting)
        self._refresh(waiting)

    def add(self, span: QtSpan) -> None:
        self._spans[span.id] = span
        for n in self._blocks(span):
            self._by_block[n].add(span.id)
        self._refresh(self._blocks(span))

    def remove(self, span_id: int) -> None:
        span = self._spans.pop(span_id, None)
        if span is None:
            return
        for n in self._blocks(span):
            self._by_block[n].discard(span_id)
        self._refresh(self._blocks(span))

    def set_emphasis(self, selected: int | None, linked: set[int]) -> None:
        """Mark the selected span and the spans linked to it; repaint only what changes."""
        touched = {i for i in (self.selected, selected) if i is not None}
        touched |= self.linked | linked
        self.selected, self.linked = selected, set(linked)
        blocks: set[int] = set()
        for span_id in touched:
            span = self._spans.get(span_id)
            if span is not None:
                blocks.update(self._blocks(span))
        self._refresh(sorted(blocks))

    def set_dimmed(self, ranges: list[tuple[int, int]]) -> None:
        """Dim these ranges (boilerplate): colours only, so no word moves (issue 13)."""
        touched = {n for r in (*self._dims, *ranges) for n in self._blocks(QtSpan(0, *r, ""))}
        self._dims = sorted(ranges)
        self._refresh(sorted(touched))

    def _dims_in(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The dimmed parts of [lo, hi), relative to ``lo``."""
        dims = self._dims
        i = max(bisect_right(dims, (lo, -1)) - 1, 0)
        out = []
        while i < len(dims) and dims[i][0] < hi:
            start, end = dims[i]
            if end > lo:
                out.append((max(start, lo) - lo, min(end, hi) - lo))
            i += 1
        return out

    def spans_at(self, position: int) -> list[QtSpan]:
        """Spans covering a Qt position, innermost (shortest) first."""
        block = self.document().findBlock(position).blockNumber()
        hits = [
            self._spans[i]
            for i in self._by_block.get(block, ())
            if self._spans[i].start <= position < self._spans[i].end
        ]
        return sorted(hits, key=lambda s: (s.end - s.start, s.start))

    def spans_between(self, lo: int, hi: int) -> list[QtSpan]:
        """Spans overlapping the Qt positions [lo, hi], found through the blocks they lie in
        (what the screen shows costs its own spans, not the article's)."""
        starts = self._block_starts
        first = max(bisect_right(starts, lo) - 1, 0)
        last = max(bisect_right(starts, hi) - 1, 0)
        ids: set[int] = set()
        for n in range(first, last + 1):
            ids.update(self._by_block.get(n, ()))
        found = (self._spans[i] for i in ids)
        return sorted((s for s in found if s.start <= hi and s.end >= lo), key=lambda s: s.start)

    def color(self, label: str) -> QColor:
        """A label's fill colour (grey for a label the schema lacks)."""
        return self._colors.get(label, OUTSIDE_SCHEMA)

    def _refresh(self, blocks: range | list[int]) -> None:
        doc = self.document()
        for n in blocks:
            block = doc.findBlockByNumber(n)
            if block.isValid():
                self.rehighlightBlock(block)

    # -- painting --

    def _format(self, label: str, depth: int, role: str, dim: bool = False) -> QTextCharFormat:
        """Colours and underlines only: never the font's weight or size, so emphasis never
        changes where a word lies (the selection's frame is drawn by the view)."""
        key = (label, min(depth, 3), role, dim)
        fmt = self._formats.get(key)
        if fmt is None:
            base = self._colors.get(label, OUTSIDE_SCHEMA)
            fmt = QTextCharFormat()
            fill = QColor(base)
            if role == "selected":
                fill.setAlpha(200)
                fmt.setForeground(QColor("#111111"))
            elif role == "linked":
                fill.setAlpha(150)
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(base.darker(160))
            else:
                # Nested spans get a stronger fill so the inner one stands out from its parent.
                fill.setAlpha(70 + 35 * min(depth, 3))
            fmt.setBackground(fill)
            if depth > 0 and role == "plain":
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(base.darker(150))
            if dim and role != "selected":
                fmt.setForeground(DIM_TEXT)
            if label not in self._colors:
                # Kept from an earlier schema: grey, dashed, so it reads as "not editable here".
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(OUTSIDE_SCHEMA.darker(170))
            self._formats[key] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        number = block.blockNumber()
        ids = self._by_block.get(number)
        pos = block.position()
        length = block.length() - 1
        dims = self._dims_in(pos, pos + length) if self._dims else []
        if not ids and not dims:
            return
        if not self._window[0] <= number <= self._window[1]:
            self._pending.add(number)
            return
        spans = [self._spans[i] for i in ids or ()]
        cuts = {0, length}
        for s in spans:
            cuts.add(min(max(s.start - pos, 0), length))
            cuts.add(min(max(s.end - pos, 0), length))
        for a, b in dims:
            cuts.update((a, b))
        edges = sorted(cuts)
        for a, b in itertools.pairwise(edges):
            if a >= b:
                continue
            covering = [s for s in spans if s.start - pos <= a and s.end - pos >= b]
            dim = any(d0 <= a and b <= d1 for d0, d1 in dims)
            if not covering:
                if dim:
                    self.setFormat(a, b - a, self._dim_format)
                continue
            # The innermost span paints; its depth says how many spans enclose it.
            inner = min(covering, key=lambda s: (s.end - s.start, -s.start))
            if inner.id == self.selected:
                role = "selected"
            elif inner.id in self.linked:
                role = "linked"
            else:
                role = "plain"
            fmt = self._format(inner.label, len(covering) - 1, role, dim)
            self.setFormat(a, b - a, fmt)
