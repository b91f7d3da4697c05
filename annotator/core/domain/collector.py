"""Pausing Python's cyclic garbage collector around work that builds many small objects.

Reading a team's corpus or building its agreement report makes hundreds of thousands of tuples
and no reference cycles; every full collection would walk them all again (a third or more of the
time). Whatever state the caller left the collector in is restored.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
