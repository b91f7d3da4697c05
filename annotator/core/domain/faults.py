"""Named fault points: where the fault tests kill a process, to prove what a crash leaves.

``fault_point("file-manifest")`` does nothing unless the environment variable
``ANNOTATOR_FAULT_POINT`` holds exactly that name; then the process kills itself with SIGKILL
on the spot, as a power cut or ``kill -9`` would: no ``finally`` blocks, no cleanup, no flush.
Tests set the variable on a subprocess (``ANNOTATOR_FAULT_POINT=file-manifest annotator
export ...``) and then check what is on disk. The points are listed where they are placed
(``services/exporting/publish.py`` names every point of publishing an export).
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "ANNOTATOR_FAULT_POINT"


def fault_point(name: str) -> None:
    """Die here, by SIGKILL, if ``ANNOTATOR_FAULT_POINT`` is ``name``; otherwise return."""
    if os.environ.get(ENV_VAR) != name:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is None:  # Windows: no SIGKILL; leave as abruptly as Python allows
        os._exit(9)
    os.kill(os.getpid(), kill)
