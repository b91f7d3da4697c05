"""Files that appear complete or not at all: write a temporary file, then rename it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from annotator.core.services.exporting.output import os_error
from annotator.core.services.exporting.publish import (
    remove_stale_staging,
    staging_prefix,
    sync_folder,
)
from annotator.core.services.exporting.targets import Guard, TargetRefused, never


@contextmanager
def atomic_output(path: str | Path, guard: Guard | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path``, on any error it vanishes.

    It replaces a plain file at ``path`` (it writes no manifest, so it cannot tell its own
    earlier file from another), but never a folder, a SQLite file, or ``guard``'s database:
    those are refused before and again after writing. A full disk, a read-only or vanished
    folder raise ``ExportError`` naming ``path``.
    """
    target = Path(path)
    guard = guard or Guard()
    _check(target, guard)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(target)
        fd, tmp_name = tempfile.mkstemp(
            prefix=staging_prefix(target), suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise os_error(target, exc) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        _check(target, guard)
        os.replace(tmp, target)
        sync_folder(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error(target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check(target: Path, guard: Guard) -> None:
    if target.is_dir():
        raise TargetRefused(f"{target} is a folder; give a file name")
    never(target, guard)
