"""Long work (import, export) off the GUI thread, with a progress dialog that can cancel.

The worker never touches a widget: it reports progress and its result by signal, and the
dialog's Cancel makes the core's progress callback return False, which rolls back or deletes.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

Work = Callable[[Callable[[int, int], bool]], Any]

# Jobs still running when the interpreter exits (a script that never closed its window): each
# is told to stop and waited for, or Qt aborts the process ("QThread destroyed while running").
_RUNNING: weakref.WeakSet[Job] = weakref.WeakSet()


@atexit.register
def _stop_running_jobs() -> None:
    jobs = list(_RUNNING)
    for step in ("cancel", "wait"):
        for job in jobs:
            try:
                getattr(job, step)()
            except RuntimeError:  # its Qt side is gone already: nothing runs any more
                continue


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work
        self.cancelled = threading.Event()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancelled.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except Exception as exc:  # reported to the user as a dialog, never a traceback
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


class Job(QObject):
    """Runs ``work(progress)`` on a thread; emits ``done(result)`` or ``error(exception)``."""

    done = Signal(object)
    error = Signal(object)

    def __init__(self, title: str, work: Work, parent: QWidget, *, quiet: bool = False) -> None:
        super().__init__(parent)
        self.dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        # Quiet work (suggesting for the document just opened) never puts a dialog in the way.
        self.dialog.setMinimumDuration(2**31 - 1 if quiet else 300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self._thread = QThread(self)
        self._worker = _Worker(work)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self.dialog.canceled.connect(self._worker.cancelled.set)
        self._cancelled = False

    def start(self) -> None:
        _RUNNING.add(self)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop, as the dialog's Cancel button does (``QProgressDialog.cancel``
        alone only resets the dialog: it does not emit ``canceled``)."""
        self._worker.cancelled.set()
        self.dialog.cancel()

    def wait(self) -> None:
        self._thread.quit()
        self._thread.wait()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0 and self.dialog.maximum() != total:
            self.dialog.setMaximum(total)
        self.dialog.setValue(min(done, total) if total else 0)

    @property
    def was_cancelled(self) -> bool:
        """Whether Cancel or ``cancel`` asked the work to stop (closing the dialog once the
        work is over is not a cancel, though Qt's dialog says canceled then too)."""
        return self._cancelled

    def _finish(self) -> None:
        _RUNNING.discard(self)
        self.wait()
        self._cancelled = self._worker.cancelled.is_set()
        self.dialog.canceled.disconnect(self._worker.cancelled.set)
        self.dialog.close()
        self._worker.deleteLater()

    def _on_finished(self, result: object) -> None:
        self._finish()
        self.done.emit(result)

    def _on_failed(self, exc: object) -> None:
        self._finish()
        self.error.emit(exc)
