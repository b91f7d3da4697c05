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
    detect_format,
    read_doccano,
    read_html,
    read_jsonl,
    read_prodigy,
    read_txt,
    sniff_jsonl_layout,
)


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every importable file under the given files and folders, with a key for each."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if detect_format(file) is not None and not file.name.startswith("."):
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
        kind = fmt or detect_format(file)
        if fmt is None and kind == "jsonl":
            kind = sniff_jsonl_layout(file)
        try:
            if kind == "txt":
                yield read_txt(file, key, encoding)
            elif kind == "html":
                yield read_html(file, key, encoding)
            elif kind in ("jsonl", "native"):
                yield from read_jsonl(file, encoding)
            elif kind == "doccano":
                yield from read_doccano(file, encoding)
            elif kind == "prodigy":
                yield from read_prodigy(file, encoding)
            else:
                yield Problem(
                    str(file),
                    None,
                    "",
                    "unknown file type (use .txt, .html or .jsonl, or give --format)",
                )
        except ReadProblem as exc:
            yield exc.problem
        except OSError as exc:
            yield Problem(str(file), None, "", f"cannot read: {exc.strerror}")
