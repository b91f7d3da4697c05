"""Where an export's files go: built in a hidden folder beside the target, then moved in place.

A cancelled or failed export removes that folder, so the target is never half written. A
folder export replaces an earlier export folder whole, and never touches a folder that is not
one (that is, one without our manifest). A killed export cannot remove its folder, so staging
names carry the process id, and the next export of the same target removes those whose process
is gone.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from annotator.core.domain.errors import ExportError

MANIFEST = "manifest.json"


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
        self._handle.close()


@dataclass(frozen=True)
class Layout:
    """The final place of an export: one file (plus its manifest) or a folder."""

    target: Path
    folder: bool

    @property
    def manifest(self) -> Path:
        if self.folder:
            return self.target / MANIFEST
        return self.target.with_name(f"{self.target.stem}.manifest.json")


def check_target(layout: Layout) -> None:
    """Refuse, before any work, a target that an export must not replace."""
    target = layout.target
    if layout.folder:
        if target.exists() and not target.is_dir():
            raise ExportError(f"{target} is a file; this export writes a folder")
        if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
            raise ExportError(
                f"{target} is a folder with other files in it, not an earlier export (it has no "
                f"{MANIFEST}); choose a new or empty folder"
            )
    elif target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name, or split into a folder")


class Staging:
    """A hidden folder next to the target that becomes the export, or vanishes."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        parent = layout.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(layout.target)
        self.path = Path(
            tempfile.mkdtemp(prefix=staging_prefix(layout.target), suffix=".part", dir=parent)
        )
        self._open: list[HashingFile] = []

    def file(self, relative: str) -> HashingFile:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = HashingFile(path)
        self._open.append(handle)
        return handle

    def publish(self, data_name: str | None = None) -> None:
        """Move the staged export into place. ``data_name``: the staged file of a file export."""
        check_target(self.layout)
        target = self.layout.target
        if not self.layout.folder:
            assert data_name is not None
            os.replace(self.path / data_name, target)
            os.replace(self.path / MANIFEST, self.layout.manifest)
            shutil.rmtree(self.path)
            return
        for leftover in list(self.path.glob(".*")):
            _remove(leftover)
        if target.is_dir():
            old = Path(
                tempfile.mkdtemp(prefix=staging_prefix(target), suffix=".old", dir=target.parent)
            )
            os.replace(target, old)
            os.replace(self.path, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.path, target)

    def discard(self) -> None:
        for handle in self._open:
            handle.abandon()
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


def staging_prefix(target: Path) -> str:
    """The start of the hidden names an export of ``target`` works under."""
    return f".{target.name}.{os.getpid()}."


def remove_stale_staging(target: Path) -> None:
    """Remove what killed exports of ``target`` left beside it, if their process is gone.

    Only names of the form ``.{name}.{pid}.{random}.part`` (or ``.old``, a replaced export
    folder) for this very target; never those of a running process, such as another export
    writing the same target now.
    """
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)\.[a-z0-9_]+\.(part|old)")
    try:
        entries = [e for e in target.parent.iterdir() if e.name.startswith(f".{target.name}.")]
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or _running(int(found[1])):
            continue
        if found[2] == "old" and not target.exists():
            continue  # killed between two renames: the previous export, and its only copy
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)  # another export may be removing it too
        else:
            entry.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if os.name != "posix" or pid <= 0:
        return True  # no harmless test: os.kill(pid, 0) ends the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # someone else's process (PermissionError), or no pid
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
