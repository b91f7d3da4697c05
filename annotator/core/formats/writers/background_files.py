"""Small files written on a worker thread, for writers that make one or two files per record.

Creating a file is the kernel's work, and most of a brat export's (20,000 files for 5,000
documents and two annotators): done on a worker thread, which holds no lock while the system
call runs, it overlaps the main thread's work on the next documents instead of following it.
What is queued is bounded, so memory stays flat; the first error (a full disk) is raised by the
next ``write`` or by ``close``, which returns only once every file is written.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

_QUEUED = 256  # files waiting at most
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


class BackgroundFiles:
    """Writes whole files under ``folder``, in the background; ``close`` waits for them all."""

    def __init__(self, folder: Path) -> None:
        self._folder = str(folder)
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(_QUEUED)
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="annotator-files", daemon=True)
        self._thread.start()

    def write(self, relative: str, data: bytes) -> None:
        """Queue ``data`` as the whole file ``folder/relative`` (its folder must exist)."""
        self._raise()
        self._queue.put((os.path.join(self._folder, relative), data))

    def close(self) -> None:
        """Wait until every queued file is written; raise the first error, if any."""
        self._finish()
        self._raise()

    def abandon(self) -> None:
        """The export failed: stop writing (what is written is about to be removed)."""
        self._error = self._error or OSError("abandoned")
        self._finish()

    def _finish(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so that a waiting ``write`` is never blocked
            path, data = item
            try:
                fd = os.open(path, _FLAGS, 0o666)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
            except BaseException as exc:  # handed to the main thread
                self._error = exc
