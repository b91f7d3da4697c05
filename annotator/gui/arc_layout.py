"""Where the arcs of one screen attach and how high each rises, so that none lies on another.

brat's rules, within the space the text already has (showing the arcs never moves a glyph):

- the arcs leaving or reaching one span attach at distinct points along its first line, in the
  order that lets them nest: those going left from the left, nearest first; those going right
  towards the right, nearest last, so an outer arc's leg stands outside the inner arcs;
- each arc's name sits on its top; arcs spanning less are placed first and lowest, and an arc
  rises one level more while its top or its name would lie on one already placed (or on a
  span's label tag), so overlapping arcs on one line take one level each.

Pure geometry on floats (no Qt), checked by the tests without a window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from math import floor

Box = tuple[float, float, float, float]  # left, top, right, bottom

CELL = 32.0  # px: the grid the taken boxes are filed in
STRICT_LEVELS = 6  # levels tried with nothing overlapping (name nor top)
LOOSE_LEVELS = 6  # then levels where only the names must not overlap
MIN_SPREAD = 24.0  # px: the two legs of an arc between stacked spans stay this far apart


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Taken:
    """Boxes already on screen, filed by grid cell: each new box is checked against its
    neighbours only (a screen has about a hundred)."""

    def __init__(self) -> None:
        self._cells: defaultdict[tuple[int, int], list[Box]] = defaultdict(list)

    @staticmethod
    def _keys(box: Box) -> Iterable[tuple[int, int]]:
        for i in range(floor(box[0] / CELL), floor(box[2] / CELL) + 1):
            for j in range(floor(box[1] / CELL), floor(box[3] / CELL) + 1):
                yield i, j

    def hits(self, box: Box) -> bool:
        cells = self._cells
        for key in self._keys(box):
            for other in cells.get(key, ()):
                if overlaps(box, other):
                    return True
        return False

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self._cells[key].append(box)


def order_key(here: float, there: float) -> tuple[bool, float]:
    """Where, along a span, the end of an arc to ``there`` goes (smaller: further left).

    Going left (``there`` < ``here``): the nearest leftmost; going right: the farthest leftmost.
    Either way -distance orders them; the side comes first."""
    return (there >= here, here - there)


def spread(left: float, width: float, count: int) -> list[float]:
    """``count`` distinct points along a span's first line, evenly, none at its very edge."""
    return [left + width * (k + 1) / (count + 1) for k in range(count)]


def legs(start_x: float, end_x: float) -> tuple[float, float]:
    """Where an arc's two legs meet its top: above its ends, or pushed apart to
    ``MIN_SPREAD`` when the ends stand (nearly) one above the other."""
    gap = abs(end_x - start_x)
    if gap >= MIN_SPREAD:
        return start_x, end_x
    push = (MIN_SPREAD - gap) / 2
    if end_x >= start_x:
        return start_x - push, end_x + push
    return start_x + push, end_x - push


class Placed:
    """An arc's level, top (y of its horizontal stretch) and name box."""

    __slots__ = ("box", "level", "top")

    def __init__(self, level: int, top: float, box: Box) -> None:
        self.level, self.top, self.box = level, top, box


def place_arcs(
    arcs: Sequence[tuple[float, float, float, float, float]],
    taken: Taken,
    *,
    base: float,
    step: float,
    height: float,
) -> list[Placed]:
    """Levels for on-screen arcs, each given as (x1, x2, line top, name width, name height):
    its legs' x, the higher end's line top, and its name's size. ``base`` is the rise of level
    0 above the line, ``step`` what each level adds; ``height`` the viewport's (names kept in).
    Boxes placed are added to ``taken``. Returns one ``Placed`` per arc, in the given order."""
    placed: list[Placed | None] = [None] * len(arcs)
    order = sorted(range(len(arcs)), key=lambda i: abs(arcs[i][1] - arcs[i][0]))
    for i in order:
        x1, x2, line_top, width, tall = arcs[i]
        lo, hi = min(x1, x2), max(x1, x2)
        middle = (x1 + x2) / 2
        chosen: Placed | None = None
        clamped = 0  # levels whose name would be above the screen: kept in, each lower down
        for level in range(STRICT_LEVELS + LOOSE_LEVELS):
            top = line_top - base - level * step
            box_top = top - tall / 2
            if box_top < 0.0:
                box_top = clamped * step
                clamped += 1
            box_top = min(box_top, max(height - tall, 0.0))
            box = (middle - width / 2, box_top, middle + width / 2, box_top + tall)
            stretch = (lo, top - 1.0, hi, top + 1.0)
            chosen = Placed(level, top, box)
            if taken.hits(box):
                continue
            if level < STRICT_LEVELS and taken.hits(stretch):
                continue
            break
        assert chosen is not None
        taken.add(chosen.box)
        taken.add((lo, chosen.top - 1.0, hi, chosen.top + 1.0))
        placed[i] = chosen
    return [p for p in placed if p is not None]


def place_at_edge(box: Box, taken: Taken, *, downwards: bool, step: float, tries: int = 8) -> Box:
    """A tag where it belongs (a link's name at the screen's edge, a span's label above it),
    moved ``step`` at a time down or up until it lies on nothing already placed (at most
    ``tries`` places); added to ``taken``."""
    shift = step if downwards else -step
    found = box
    for n in range(tries):
        found = (box[0], box[1] + n * shift, box[2], box[3] + n * shift)
        if not taken.hits(found):
            break
    taken.add(found)
    return found
