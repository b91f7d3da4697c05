"""What an export may replace: its own earlier output, never a database or anyone's files.

Checked before an export starts, so a refusal costs nothing, and again right before it
publishes (under the publishing lock), since files can appear while an export runs:

- Never the open database, nor its ``-wal``, ``-shm`` or ``-journal`` file, however the path is
  spelled: compared by real path (relative paths, ``..``, symbolic links) and by inode (hard
  links). Not even forced.
- Never a SQLite file of any other name (its first 16 bytes are ``SQLite format 3\\0``, or the
  magic number of a SQLite write-ahead log or rollback journal). Not even forced.
- A file export replaces DATA and ``DATA.manifest.json`` only when they are an earlier export:
  the manifest was written by an annotator export (``generator`` and ``export_id``), it
  describes exactly DATA, and DATA's size and sha256 match it. Missing files are free.
  Anything else is refused naming the path; ``force`` replaces plain files anyway. Earlier
  versions named the manifest after DATA's stem (``k.manifest.json`` for ``k.conll``, so that
  ``k.conll`` and ``k.spacy`` shared and overwrote one): such a manifest still identifies its
  DATA, and is removed once the new pair is in.
- A folder export replaces a folder only when it is empty, or holds an earlier export's
  ``manifest.json`` and exactly what that manifest's ``contents`` counts. Never forced: a
  folder may hold anything. A ``README.md`` in it must be the dataset card that export wrote,
  byte for byte (the manifest's ``card``): a user's own README is refused by name.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from annotator.core.domain.errors import ExportError
from annotator.core.services.exporting.manifest import (
    contents_without,
    file_entry,
    folder_contents,
    read_own_manifest,
    sha256_of,
)
from annotator.core.storage.db import Database

MANIFEST = "manifest.json"
CARD = "README.md"  # a folder export's dataset card (card.py)
SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_MAGIC = {
    b"\x37\x7f\x06\x82": "a SQLite write-ahead log",
    b"\x37\x7f\x06\x83": "a SQLite write-ahead log",
    b"\xd9\xd5\x05\xf9": "a SQLite rollback journal",
}
# Names a file export's staging folder uses besides the data file (manifest.py, publish.py, and
# the scratch lists of dataset.py): a data file of that name would be overwritten there.
RESERVED = frozenset(
    {
        "manifest.json",
        ".replaces",
        ".document_ids-all.jsonl",
        ".conll_units-all.jsonl",
        ".spacy-all",
    }
)
_COMPANIONS: tuple[tuple[str, str], ...] = (
    ("", "the open database"),
    ("-wal", "the open database's write-ahead log"),
    ("-shm", "the open database's shared memory file"),
    ("-journal", "the open database's rollback journal"),
)


class TargetRefused(ExportError):
    """A path an export must not replace. ``forcible``: a plain file that force may replace."""

    def __init__(self, message: str, *, forcible: bool = False) -> None:
        super().__init__(message)
        self.forcible = forcible


@dataclass(frozen=True)
class Layout:
    """The final place of an export: one file (plus its manifest) or a folder."""

    target: Path
    folder: bool

    @property
    def manifest(self) -> Path:
        """``manifest.json`` in a folder; beside a file, named after its whole name, so that
        ``k.conll`` and ``k.spacy`` exported side by side each keep their own."""
        if self.folder:
            return self.target / MANIFEST
        return self.target.with_name(f"{self.target.name}.manifest.json")

    @property
    def old_manifest(self) -> Path | None:
        """Where earlier versions put a file export's manifest (after DATA's stem), if elsewhere."""
        if self.folder:
            return None
        old = self.target.with_name(f"{self.target.stem}.manifest.json")
        return None if old == self.manifest else old

    def own_old_manifest(self) -> Path | None:
        """The old-style manifest beside DATA when it is an export's and describes DATA."""
        old = self.old_manifest
        if old is None or not os.path.lexists(old):
            return None
        own, _ = read_own_manifest(old)
        entry = file_entry(own) if own is not None else None
        return old if entry is not None and entry["path"] == self.target.name else None


@dataclass(frozen=True)
class Guard:
    """The open database's files, which no export may ever replace."""

    database: Path | None = None

    @classmethod
    def of(cls, db: Database | None) -> Guard:
        if db is None or not db.is_sqlite:
            return cls()
        name = make_url(db.url).database
        if not name or name == ":memory:" or name.startswith("file:"):
            return cls()
        return cls(Path(os.path.realpath(name)))

    def role(self, path: Path) -> str | None:
        """What ``path`` is to the open database (e.g. its write-ahead log), or None."""
        if self.database is None:
            return None
        real = os.path.realpath(path)
        try:
            here = os.stat(path)
        except OSError:
            here = None
        for suffix, what in _COMPANIONS:
            companion = f"{self.database}{suffix}"
            if real == companion:
                return what
            if here is not None:
                try:
                    there = os.stat(companion)
                except OSError:
                    continue
                if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
                    return what
        return None

    def inside(self, folder: Path) -> bool:
        """Whether the open database lies somewhere under ``folder``."""
        if self.database is None:
            return False
        return self.database.is_relative_to(os.path.realpath(folder))


@dataclass(frozen=True)
class Fingerprint:
    """A file as it was when checked: enough to tell later that it is still the same file."""

    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"bytes": self.size, "sha256": self.sha256}


def sqlite_kind(path: Path) -> str | None:
    """``a SQLite database`` (or WAL, or journal) if the file's first bytes say so."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a folder, or a pipe that would block
            return None
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:  # missing or unreadable: nothing an export could replace unnoticed
        return None
    if head == SQLITE_HEADER:
        return "a SQLite database"
    return _SQLITE_MAGIC.get(head[:4])


def fingerprint(path: Path) -> Fingerprint | None:
    """Size and sha256 of the regular file at ``path`` (through a link), or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    key = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return Fingerprint(info.st_size, _hashed(*key))


@lru_cache(maxsize=16)
def _hashed(path: str, *_stat: int) -> str:
    # Keyed by the file's identity and times: the check before publishing reuses the first hash.
    return sha256_of(Path(path))


def never(path: Path, guard: Guard) -> None:
    """Refuse, whatever the caller's force, to replace the open database or a SQLite file."""
    role = guard.role(path)
    if role is not None:
        raise TargetRefused(f"{path} is {role} ({guard.database}); an export never replaces it")
    kind = sqlite_kind(path)
    if kind is not None:
        raise TargetRefused(f"{path} is {kind}; an export never replaces one, even when forced")


def check_target(layout: Layout, guard: Guard, force: bool = False) -> Fingerprint | None:
    """Refuse a target the export must not replace; else the data file it will replace, if any.

    ``force`` lets a file export replace plain files that are not an earlier export.
    """
    if layout.folder:
        _check_folder(layout.target, guard)
        return None
    target, manifest = layout.target, layout.manifest
    if target.is_dir():
        raise TargetRefused(f"{target} is a folder; give a file name, or split into a folder")
    if target.name in RESERVED:
        raise TargetRefused(f"{target}: an export names its own files so; choose another name")
    never(target, guard)
    never(manifest, guard)
    if manifest.is_dir():
        raise TargetRefused(f"{manifest} is a folder; an export writes its manifest there")
    if not os.path.lexists(manifest):  # an earlier version's export of DATA is still ours
        manifest = layout.own_old_manifest() or manifest
    problem = file_problem(target, manifest)
    if problem is not None and not force:
        raise TargetRefused(problem, forcible=True)
    return fingerprint(target)


def file_problem(target: Path, manifest: Path) -> str | None:
    """Why DATA and its manifest are not an earlier export that may be replaced, or None."""
    has_data, has_manifest = os.path.lexists(target), os.path.lexists(manifest)
    if not has_data and not has_manifest:
        return None
    if not has_manifest:
        return (
            f"{target} exists and is not an earlier export (no {manifest.name} beside it); "
            "choose another name"
        )
    own, why = read_own_manifest(manifest)
    entry = file_entry(own) if own is not None else None
    if own is None:
        return f"{manifest} {why}; choose another name"
    if entry is None or entry["path"] != target.name:
        return f"{manifest} is the manifest of another export, not of {target.name}"
    if not has_data:
        return None
    found = fingerprint(target)
    if found is None or (found.size, found.sha256) != (entry["bytes"], entry["sha256"]):
        return (
            f"{target} does not match its manifest {manifest.name} (size or sha256 differ): it "
            "is not that export any more; choose another name"
        )
    return None


def _check_card(target: Path) -> None:
    """Refuse a folder whose ``README.md`` is not the dataset card an earlier export wrote
    (the manifest's ``card`` gives its size and sha256): the user's own, or one they edited."""
    card = target / CARD
    if not os.path.lexists(card):
        return
    own = read_own_manifest(target / MANIFEST)[0] if os.path.lexists(target / MANIFEST) else None
    written = own.get("card") if own is not None else None
    found = fingerprint(card) if not card.is_symlink() else None
    if (
        isinstance(written, dict)
        and found is not None
        and (found.size, found.sha256) == (written.get("bytes"), written.get("sha256"))
    ):
        return
    edited = (
        "was edited after the export wrote it"
        if isinstance(written, dict)
        else "was not written by an export"
    )
    raise TargetRefused(
        f"{card} {edited}; an export writes its dataset card there and never replaces a "
        f"{CARD} it did not write: move it out, or choose a new or empty folder"
    )


def _card_removed(target: Path, own: dict[str, Any]) -> dict[str, Any] | None:
    """The recorded contents less the dataset card, when the user moved the card out (as the
    refusal of an edited card advises): the rest is still the export's own, to replace."""
    card = own.get("card")
    if os.path.lexists(target / CARD) or not isinstance(card, dict):
        return None
    return contents_without(own.get("contents"), CARD, card.get("bytes"))


def _check_folder(target: Path, guard: Guard) -> None:
    if target.is_symlink():
        never(target, guard)
        raise TargetRefused(f"{target} is a symbolic link; give the folder itself")
    if os.path.lexists(target) and not target.is_dir():
        never(target, guard)
        raise TargetRefused(f"{target} is a file; this export writes a folder")
    if not target.is_dir():
        return
    if guard.inside(target):
        raise TargetRefused(
            f"{target} holds the open database {guard.database}; choose a new folder"
        )
    if not any(target.iterdir()):
        return
    _check_card(target)
    if not os.path.lexists(target / MANIFEST):
        raise TargetRefused(
            f"{target} is a folder with other files in it, not an earlier export (it has no "
            f"{MANIFEST}); choose a new or empty folder"
        )
    own, why = read_own_manifest(target / MANIFEST)
    if own is None:
        raise TargetRefused(
            f"{target} is not an earlier export: its {MANIFEST} {why}; choose a new or empty folder"
        )
    found = folder_contents(target)
    if found != own.get("contents") and found != _card_removed(target, own):
        raise TargetRefused(
            f"{target} differs from what its {MANIFEST} recorded (files added, changed or "
            f"removed: {found['entries']} files and folders besides it now); an export "
            "replaces only what it wrote: move what you added out, or choose a new or empty "
            "folder"
        )
