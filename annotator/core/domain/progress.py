"""The callback long work reports through: ``progress(done, total)``; returning False stops it.

One definition for every service and writer, so the window's progress dialog and the command
line's bar plug into all of them the same way.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], bool | None]
