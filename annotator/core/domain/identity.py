"""Who is annotating (the system user name unless told otherwise), and which database."""

from __future__ import annotations

import getpass
import os

# The environment variable naming the database; read by storage, shown by the command line.
DATABASE_ENV_VAR = "ANNOTATOR_DB"


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return os.environ.get("USER") or "annotator"
