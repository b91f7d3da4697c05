"""Files into parsed documents: no database here, so reading never holds a lock."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.core.domain.errors import Problem
from annotator.core.formats.readers import (
    ParsedDocument,
    ReadProblem,
    Skipped,
    sniff_jsonl_layout,
)
from annotator.core.formats.registry import READERS, reader, reader_for_suffix

_KNOWN = "use " + ", ".join(s for e in READERS.values() for s in e.suffixes[:1])


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every importable file under the given files and folders, with a key for each."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if reader_for_suffix(file.suffix) is not None and not file.name.startswith("."):
                    yield file, file.relative_to(path).with_suffix("").as_posix()
        else:
            yield path, path.with_suffix("").name


def _not_regular(file: Path) -> Problem | None:
    """A FIFO, device or socket would block (or never end) when read: refused unopened."""
    try:
        mode = os.stat(file).st_mode  # stat never opens, so it cannot block
    except FileNotFoundError:
        return Problem(str(file), None, "", "no such file")
    except OSError as exc:
        return Problem(str(file), None, "", f"cannot read: {exc.strerror}")
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a file"
    )
    return Problem(str(file), None, "", f"is {kind}, not a regular file; it was not read")


def read_paths(
    paths: Iterable[Path], fmt: str | None = None, encoding: str | None = None
) -> Iterator[ParsedDocument | Problem | Skipped]:
    """Parse every file; yield documents, or a ``Problem`` for each file that cannot be read."""
    for file, key in iter_files(paths):
        refused = _not_regular(file)
        if refused is not None:
            yield refused
            continue
        entry = reader(fmt) if fmt else reader_for_suffix(file.suffix)
        if entry is None:
            yield Problem(str(file), None, "", f"unknown file type ({_KNOWN}, or give --format)")
            continue
        if fmt is None and entry.annotations:  # ours, doccano's or Prodigy's, by its first record
            entry = reader(sniff_jsonl_layout(file))
        try:
            yield from entry.read(file, key, encoding)
        except ReadProblem as exc:
            yield exc.problem
        except OSError as exc:
            yield Problem(str(file), None, "", f"cannot read: {exc.strerror}")
