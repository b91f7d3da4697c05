"""Who is annotating: the system user name unless told otherwise."""

from __future__ import annotations

import getpass
import os


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return os.environ.get("USER") or "annotator"
