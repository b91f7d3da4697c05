"""A corpus search that stopping always stops: risky expressions run in a child process.

Python's ``re`` holds the interpreter lock for the whole of one match attempt and checks no
signal, so a backtracking expression (``domain/regex_risk.py``) on one text cannot be stopped
by a flag, by Ctrl+C, or by anything in the same process, and a window searching on a thread
stops repainting. Such a search runs in a child Python (``python -m`` this module) that opens
the same database and sends its hits back in batches, pickled on its standard output; stopping
kills it. Every other search runs where it is called: a child costs a process start.

A plain ``subprocess`` rather than ``multiprocessing``: spawning through ``multiprocessing``
first imports the caller's main module in the child, which runs a library user's unguarded
script a second time and fails for one read from standard input.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.progress import Progress
from annotator.core.domain.regex_risk import may_backtrack_long
from annotator.core.domain.searching import Hit, SearchQuery
from annotator.core.storage.db import Database

BATCH = 64  # hits the child sends at a time
BATCH_SECONDS = 0.1  # or fewer, when it has held some this long
POLL_SECONDS = 0.05  # how often the caller's progress (and so a stop) is asked
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding ``annotator``


def runs_in_child(db: Database, query: SearchQuery) -> bool:
    """Whether ``query`` is searched in a child process: a risky expression, on a database a
    second process can open (not an in-memory SQLite)."""
    if not (query.regex and query.text and may_backtrack_long(query.text, query.ignore_case)):
        return False
    return not db.is_sqlite or (db.path is not None and str(db.path) not in ("", ":memory:"))


def search_stoppable(
    db: Database, query: SearchQuery, progress: Progress | None = None
) -> Generator[Hit, None, None]:
    """The hits of ``query`` as ``search_corpus`` finds them; a risky expression is searched in
    a child process, killed when ``progress`` returns False or the caller stops reading."""
    from annotator.core.services.search import search_corpus

    if not runs_in_child(db, query):
        yield from search_corpus(db, query, progress)
        return
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        try:
            assert child.stdin is not None and child.stdout is not None
            with contextlib.suppress(BrokenPipeError):  # a child that died at once is told below
                pickle.dump((db.url, query), child.stdin)
                child.stdin.close()
            yield from _receive(child, errors, progress)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()


def _receive(
    child: subprocess.Popen[bytes], errors: Any, progress: Progress | None
) -> Generator[Hit, None, None]:
    messages: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    reader = threading.Thread(
        target=_read_messages, args=(child.stdout, messages), name="search-child-reader"
    )
    reader.daemon = True
    reader.start()
    done = total = 0
    while True:
        if progress is not None and progress(done, total) is False:
            return
        try:
            kind, payload = messages.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        if kind == "hits":
            yield from payload
        elif kind == "progress":
            done, total = payload
        elif kind == "error":
            raise AnnotatorError(payload)
        elif kind == "end":
            return
        else:  # "ended": the output closed before "end": the child died (killed, no memory)
            code = child.wait()
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise AnnotatorError(
                f"the search process ended unexpectedly (exit code {code})"
                + (f": {said[-1]}" if said else "")
            )


def _read_messages(stream: Any, messages: queue.SimpleQueue[tuple[str, Any]]) -> None:
    """Each message of the child's output, then ("ended", None) when the output closes."""
    try:
        while True:
            messages.put(pickle.load(stream))
    except (EOFError, OSError, ValueError, pickle.UnpicklingError):
        messages.put(("ended", None))


def _child_main() -> None:
    """The child's whole life: read what to search, open, search, send; an error is sent as
    its message."""
    # Ctrl+C reaches the whole process group: the parent stops, and kills this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from annotator.core.services.search import search_corpus

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the stream of messages

    def send(message: tuple[str, Any]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    def send_progress(done: int, total: int) -> bool:
        send(("progress", (done, total)))
        return True

    url, query = pickle.load(sys.stdin.buffer)
    batch: list[Hit] = []
    last_sent = time.monotonic()
    try:
        db = Database(url, migrate=False, must_exist=True)
        try:
            for hit in search_corpus(db, query, send_progress):
                batch.append(hit)
                if len(batch) >= BATCH or time.monotonic() - last_sent > BATCH_SECONDS:
                    send(("hits", batch))
                    batch, last_sent = [], time.monotonic()
            if batch:
                send(("hits", batch))
            send(("end", None))
        finally:
            db.close()
    except (BrokenPipeError, ConnectionResetError):  # the caller stopped reading
        return
    except Exception as exc:  # said to the caller, never a traceback on its terminal
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            send(("error", str(exc) or type(exc).__name__))


if __name__ == "__main__":
    _child_main()
