"""Named fault points: where the fault tests kill a process, to prove what a crash leaves.

``fault_point("file-manifest")`` does nothing unless the environment variable
``ANNOTATOR_FAULT_POINT`` holds exactly that name; then the process kills itself with SIGKILL
on the spot, as a power cut or ``kill -9`` would: no ``finally`` blocks, no cleanup, no flush.
Tests set the variable on a subprocess (``ANNOTATOR_FAULT_POINT=file-manifest annotator
export ...``) and then check what is on disk. The points are listed where they are placed
(``services/exporting/publish.py`` names every point of publishing an export).

Before dying the process says so on stderr (``annotator: fault point NAME reached``), so a
test can tell a kill at the point from any other death. With ``ANNOTATOR_FAULT_PAUSE=1`` it
stops itself there first (SIGSTOP, where the platform has it): the test can then look at what
the process holds at that moment (a database's write lock: the kill lands inside the write
transaction) before it sends the SIGKILL itself.
"""

from __future__ import annotations

import os
import signal
import sys

ENV_VAR = "ANNOTATOR_FAULT_POINT"
PAUSE_VAR = "ANNOTATOR_FAULT_PAUSE"


def fault_point(name: str) -> None:
    """Die here, by SIGKILL, if ``ANNOTATOR_FAULT_POINT`` is ``name``; otherwise return."""
    if os.environ.get(ENV_VAR) != name:
        return
    sys.stderr.write(f"annotator: fault point {name} reached\n")
    sys.stderr.flush()
    stop = getattr(signal, "SIGSTOP", None)
    if os.environ.get(PAUSE_VAR) == "1" and stop is not None:
        os.kill(os.getpid(), stop)  # the test looks, then kills (or continues: we die below)
    kill = getattr(signal, "SIGKILL", None)
    if kill is None:  # Windows: no SIGKILL; leave as abruptly as Python allows
        os._exit(9)
    os.kill(os.getpid(), kill)
