"""Writes that wait for the database without freezing the window.

The window writes with a short busy wait (``WRITE_WAIT_MS``): a key press never blocks the
event loop for long. A write refused because another program holds the write lock (an import,
a backup) is kept and retried from a timer, and what the user does meanwhile is queued and run
in order once it has gone through. Only if the lock outlives ``deadline_s`` is the write given
up, with a message, and everything queued behind it with it: nothing is lost without a word.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.core.domain.errors import AnnotatorError, BusyError
from annotator.core.domain.wording import counted

WRITE_WAIT_MS = 150  # how long a first attempt queues for the lock, on the GUI thread
RETRY_WAIT_MS = 25  # a retry only looks for a gap between the other program's transactions
RETRY_MS = 200  # between attempts, the event loop runs freely
DEADLINE_S = 30.0  # as long as the CLI waits (SQLITE_BUSY_TIMEOUT_MS)


@dataclass
class _Pending:
    attempt: Callable[[], None]
    done: Callable[[], None]
    error: Callable[[AnnotatorError], None]
    what: str
    deadline: float


class EditRunner(QObject):
    """One document's writes, strictly in order; at most one waits for the database."""

    waiting = Signal(bool)  # True while a write waits for another program's lock
    deadline_s = DEADLINE_S  # tests shorten it
    retry_ms = RETRY_MS

    def __init__(self, set_wait: Callable[[int], None], parent: QObject | None = None) -> None:
        """``set_wait(ms)``: how long the next write may queue for the lock."""
        super().__init__(parent)
        self._set_wait = set_wait
        self._pending: _Pending | None = None
        self._queue: deque[Callable[[], None]] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)  # counted from the end of an attempt, not its start
        self._timer.timeout.connect(self._retry)

    @property
    def busy(self) -> bool:
        """A write is waiting, or actions are queued behind one."""
        return self._pending is not None or bool(self._queue)

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def pending_what(self) -> str | None:
        return self._pending.what if self._pending is not None else None

    def write(
        self,
        attempt: Callable[[], None],
        done: Callable[[], None],
        error: Callable[[AnnotatorError], None],
        what: str,
    ) -> bool:
        """Write now; if the database is busy, keep the write and retry it. ``done`` runs once
        it is stored, ``error`` if it is refused. True only if it was stored at once."""
        if self._pending is not None:  # behind a waiting write, never before it

            def queued() -> None:
                self.write(attempt, done, error, what)

            self._queue.append(queued)
            return False
        self._set_wait(WRITE_WAIT_MS)
        try:
            attempt()
        except BusyError:
            self._pending = _Pending(attempt, done, error, what, time.monotonic() + self.deadline_s)
            self._timer.start(self.retry_ms)
            self.waiting.emit(True)
            return False
        except AnnotatorError as exc:
            error(exc)
            return False
        done()
        return True

    def later(self, action: Callable[[], None]) -> None:
        """Run ``action`` after the writes waiting now (at once if none waits)."""
        if self.busy:
            self._queue.append(action)
        else:
            action()

    def abandon(self) -> int:
        """Forget the waiting write and everything queued (the window closes): how many."""
        lost = len(self._queue) + (self._pending is not None)
        self._queue.clear()
        if self._pending is not None:
            self._settle()
        return lost

    def _retry(self) -> None:
        pending = self._pending
        if pending is None:
            return
        self._set_wait(RETRY_WAIT_MS)
        try:
            pending.attempt()
        except BusyError:
            if time.monotonic() < pending.deadline:
                self._timer.start(self.retry_ms)
                return
            dropped = len(self._queue)
            self._queue.clear()  # they depend on this edit, and would only wait as long again
            self._settle()
            pending.error(BusyError(self._gave_up(pending.what, dropped)))
            return
        except AnnotatorError as exc:
            self._settle()
            pending.error(exc)
        else:
            self._settle()
            pending.done()
        self._drain()

    def _gave_up(self, what: str, dropped: int) -> str:
        text = (
            f"the database stayed busy for {self.deadline_s:g} s (another program is "
            f"writing): “{what}” was not saved"
        )
        if dropped:
            text += f", nor the {counted(dropped, 'key')} pressed after it"
        return text + "; try again"

    def _settle(self) -> None:
        self._pending = None
        self._timer.stop()
        self.waiting.emit(False)

    def _drain(self) -> None:
        """Run what was queued, in order, until a write has to wait again."""
        while self._queue and self._pending is None:
            self._queue.popleft()()
