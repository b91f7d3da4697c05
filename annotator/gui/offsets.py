"""Code-point offsets (the core's) to UTF-16 positions (Qt's) and back.

Python counts an emoji as one character, Qt as two. Without this mapping every span after the
first emoji would be highlighted one character off.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class OffsetMap:
    def __init__(self, text: str) -> None:
        # Code-point indices of characters outside the Basic Multilingual Plane.
        self._astral = (
            [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        )
        # The same characters' UTF-16 positions (each earlier one adds one extra unit).
        self._astral_qt = [cp + n for n, cp in enumerate(self._astral)]
        self.length = len(text)

    @property
    def identity(self) -> bool:
        return not self._astral

    def to_qt(self, offset: int) -> int:
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def from_qt(self, position: int) -> int:
        """A Qt position to a code-point offset; a position inside a pair goes to its start."""
        if not self._astral:
            return position
        # Each astral character starting before ``position`` took two units for one code point;
        # a position between a pair's halves therefore lands on the pair's start.
        return position - bisect_right(self._astral_qt, position - 1)
