"""Publishing a staged export so that its target always holds a whole export, old or new.

An export is built in a hidden staging folder beside its target, ``.NAME.PID.RANDOM.part``.
Publishing moves it in by renames. Each rename is atomic, but a SIGKILL (or power cut) can
fall between two of them, so every step leaves a state that a reader can tell apart and that
``recover`` repairs. ``recover`` runs, under a lock on the parent folder, before every export
of a target starts and again before it publishes; the lock also keeps two exports from
publishing the same target at once. The named points below are where ``fault_point`` lets
the fault tests kill an export (``ANNOTATOR_FAULT_POINT=NAME``).

A file export is two names: DATA, and ``DATA.manifest.json``, which gives DATA's bytes and
sha256 (see ``manifest.py``). The staging folder first records what DATA was when checked
(``.replaces``: its size and sha256, or that there was none). Then:

- "publish": nothing renamed yet. The old pair is untouched; ``recover`` removes the staging.
- manifest renamed in, "file-manifest": the new manifest beside the old data (or none). The
  sha256 differs, so a reader sees that they do not belong together. ``recover`` rolls
  forward: the new data is complete in the staging folder, and renaming it in is safe because
  DATA is still what ``.replaces`` recorded (anything else at DATA is left alone).
- data renamed in, "file-data": the new pair; ``recover`` removes the staging folder.

A folder export is one name. Where the system swaps two names atomically (Linux renameat2
with RENAME_EXCHANGE), the staging folder and the earlier export trade places in one step,
"folder-exchanged": the target holds the old export up to that instant and the new one from
then on; the old one, now under the staging name, is removed by this export or by
``recover``. Elsewhere (``EXCHANGE`` False), two renames:

- the old folder renamed aside to ``.NAME.PID.RANDOM.old``, "folder-aside": the target name
  is empty; ``recover`` rolls back, renaming the old export back in.
- the new folder renamed in, "folder-in": ``recover`` removes the old folder.

With no earlier export a single rename publishes. Staging names carry the process id, and
``recover`` touches only those of processes that are gone. Each rename is followed by an
fsync of the folder, so that the order survives a power cut too.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from annotator.core.domain.faults import fault_point
from annotator.core.services.exporting.manifest import file_entry, read_own_manifest
from annotator.core.services.exporting.targets import Fingerprint, Layout, fingerprint

MANIFEST = "manifest.json"
REPLACES = ".replaces"
EXCHANGE = True  # swap folders atomically where the system can; False: rename aside, then in
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_prefix(target: Path) -> str:
    """The start of the hidden names an export of ``target`` works under."""
    return f".{target.name}.{os.getpid()}."


@contextmanager
def publishing_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (where it can be had: POSIX, a local disk)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a vanished folder: the renames will fail and say so
        yield
        return
    try:
        with suppress(OSError):  # a file system without flock: publish unlocked, as before
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # also releases the lock


def sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable; a no-op where folders cannot be synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish_file(staged: Path, layout: Layout, replaces: Fingerprint | None) -> None:
    """Move a staged file export (DATA and ``manifest.json``) into place; see above."""
    parent = layout.target.parent
    for staged_file in (staged / MANIFEST, staged / layout.target.name):
        if not staged_file.is_file():  # never a manifest without its data
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(staged_file))
    record = replaces.as_dict() if replaces is not None else {"absent": True}
    with open(staged / REPLACES, "w", encoding="utf-8") as out:
        out.write(json.dumps(record))
        out.flush()
        os.fsync(out.fileno())
    fault_point("publish")
    os.replace(staged / MANIFEST, layout.manifest)
    sync_folder(parent)
    fault_point("file-manifest")
    os.replace(staged / layout.target.name, layout.target)
    sync_folder(parent)
    fault_point("file-data")
    _remove_old_manifest(layout)
    shutil.rmtree(staged, ignore_errors=True)


def _remove_old_manifest(layout: Layout) -> None:
    """An earlier version's manifest of this DATA (``k.manifest.json``) describes data that is
    gone; another export's manifest of that name is left alone."""
    old = layout.own_old_manifest()
    if old is not None:
        with suppress(FileNotFoundError):
            old.unlink()
        sync_folder(layout.target.parent)


def publish_folder(staged: Path, layout: Layout) -> None:
    """Move a staged folder export into place, swapping out an earlier one; see above."""
    target, parent = layout.target, layout.target.parent
    for leftover in list(staged.glob(".*")):  # scratch: lists streamed into the manifest
        _remove(leftover)
    fault_point("publish")
    if not target.is_dir():
        os.rename(staged, target)
        sync_folder(parent)
        return
    if EXCHANGE and _exchange(staged, target):
        sync_folder(parent)
        fault_point("folder-exchanged")
        shutil.rmtree(staged, ignore_errors=True)
        return
    aside = staged.with_name(staged.name.removesuffix(".part") + ".old")
    os.rename(target, aside)
    sync_folder(parent)
    fault_point("folder-aside")
    try:
        os.rename(staged, target)
    except OSError:
        with suppress(OSError):  # put the earlier export back (else recover() will)
            os.rename(aside, target)
        raise
    sync_folder(parent)
    fault_point("folder-in")
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one atomic step; False where the system cannot (nothing changed)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not glibc >= 2.28 (or not Linux)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def recover(layout: Layout) -> None:
    """Repair what killed exports of this target left, then remove their staging.

    Call it under ``publishing_lock``. Touches only staging names of this very target whose
    process is gone; never those of a running export.
    """
    target = layout.target
    for entry, kind in _stale(target):
        if kind == "old" and not os.path.lexists(target):
            os.rename(entry, target)  # killed between its two renames: roll back
            sync_folder(target.parent)
            fault_point("recovered")
            continue
        if kind == "part" and not layout.folder and _roll_forward(entry, layout):
            sync_folder(target.parent)
            fault_point("recovered")
        _remove(entry, quiet=True)


def remove_stale_staging(target: Path) -> None:
    """Remove what killed exports of ``target`` left beside it, if their process is gone."""
    for entry, _kind in _stale(target):
        _remove(entry, quiet=True)


def _roll_forward(staged: Path, layout: Layout) -> bool:
    """Rename in the data of a file export killed after its manifest was renamed in."""
    data = staged / layout.target.name
    own, _ = read_own_manifest(layout.manifest)
    entry = file_entry(own) if own is not None else None
    if entry is None or entry["path"] != layout.target.name:
        return False
    try:
        record = json.loads((staged / REPLACES).read_text("utf-8"))
    except (OSError, ValueError):
        return False  # killed before it chose to publish
    was = fingerprint(layout.target)
    expected = None if record.get("absent") else record
    if (None if was is None else was.as_dict()) != expected:
        return False  # DATA is not what that export checked: not ours to replace
    new = fingerprint(data)
    if new is None or (new.size, new.sha256) != (entry["bytes"], entry["sha256"]):
        return False  # the manifest at the target is not this staging's
    os.replace(data, layout.target)
    return True


def _stale(target: Path) -> list[tuple[Path, str]]:
    """Staging (``part``) and set-aside (``old``) names of ``target`` whose process is gone."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)\.[a-z0-9_]+\.(part|old)")
    try:
        names = [e for e in target.parent.iterdir() if e.name.startswith(f".{target.name}.")]
    except OSError:
        return []
    found = []
    for entry in sorted(names):
        match = pattern.fullmatch(entry.name)
        if match is not None and not _running(int(match[1])):
            found.append((entry, match[2]))
    return found


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


def _remove(path: Path, quiet: bool = False) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=quiet)  # another export may be removing it too
    else:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            if not quiet:
                raise
