"""Where an export's files go: built in a hidden folder beside the target, then moved in place.

A cancelled or failed export removes that folder (also on a full disk), so the target is never
half written. What an export may replace is decided in ``targets.py``; how the staged export
is moved in, so that a kill at any moment leaves a whole export, in ``publish.py``. A killed
export cannot remove its folder, so staging names carry the process id, and the next export
of the same target repairs or removes what it left (``publish.recover``).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from annotator.core.domain.errors import ExportError
from annotator.core.services.exporting.publish import (
    publish_file,
    publish_folder,
    publishing_lock,
    recover,
    remove_stale_staging,
    staging_prefix,
)
from annotator.core.services.exporting.targets import (
    MANIFEST,
    Guard,
    Layout,
    check_target,
)

__all__ = [
    "MANIFEST",
    "HashingFile",
    "Layout",
    "Staging",
    "check_target",
    "os_error",
    "prepare",
    "remove_stale_staging",
    "staging_prefix",
]


class HashingFile:
    """A binary file that counts and hashes what is written, and is on disk when closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed in close()
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._handle.write(data)
        self._hash.update(data)
        self.size += len(data)

    def close(self) -> str:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        return self._hash.hexdigest()

    def abandon(self) -> None:
        """Close without caring what is lost: the file is about to be deleted."""
        # close() flushes first, which fails again on a full disk, but closes the descriptor.
        with suppress(OSError):
            self._handle.close()


def prepare(layout: Layout, guard: Guard, force: bool = False) -> None:
    """Before any work: repair what killed exports of the target left, then check the target."""
    parent = layout.target.parent
    if not parent.is_dir():  # nothing there to repair or replace; made when staging starts
        check_target(layout, guard, force)
        return
    with publishing_lock(parent):
        recover(layout)
        check_target(layout, guard, force)


def os_error(target: Path, exc: OSError) -> ExportError:
    """A full disk, a read-only or vanished folder: one line naming the target and the reason."""
    reason = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    return ExportError(f"cannot write {target}: {reason}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Staging:
    """A hidden folder next to the target that becomes the export, or vanishes."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        parent = layout.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(
            tempfile.mkdtemp(prefix=staging_prefix(layout.target), suffix=".part", dir=parent)
        )
        # mkdtemp makes the folder private (0700); a folder export is published as this very
        # folder, and a team's dataset must be as readable as any folder the user makes.
        os.chmod(self.path, 0o777 & ~_umask())
        self._open: list[HashingFile] = []
        self._keep = False
        self._identity = _identity(self.path)

    def file(self, relative: str) -> HashingFile:
        path = self.path / relative
        if path.parent != self.path:  # never re-make a staging folder that vanished
            path.parent.mkdir(exist_ok=True)
        handle = HashingFile(path)
        self._open.append(handle)
        return handle

    def publish(self, guard: Guard, force: bool = False) -> None:
        """Move the staged export into place, if the target may still be replaced."""
        layout = self.layout
        if _identity(self.path) != self._identity:  # deleted, maybe re-made, while we wrote
            raise FileNotFoundError(
                errno.ENOENT, "its working folder vanished while it ran", str(self.path)
            )
        with publishing_lock(layout.target.parent):
            recover(layout)
            replaces = check_target(layout, guard, force)
            if layout.folder:
                publish_folder(self.path, layout)
                return
            try:
                publish_file(self.path, layout, replaces)
            except OSError:
                # The new manifest is in but the data is not: keep the data, which recover()
                # renames in once this process has ended.
                data = self.path / layout.target.name
                self._keep = not (self.path / MANIFEST).exists() and data.exists()
                raise

    def discard(self) -> None:
        for handle in self._open:
            handle.abandon()
        if not self._keep:
            shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino
