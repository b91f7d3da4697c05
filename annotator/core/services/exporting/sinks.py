"""Where one split's records go: a format's writer, and the file or folder it fills."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from annotator.core.formats.entries import RecordWriter
from annotator.core.services.exporting.output import HashingFile


class Sink(Protocol):
    def add(self, item: Any) -> int: ...

    def close(self) -> dict[str, Any]: ...

    def abandon(self) -> None:
        """The export failed or ended: let go of anything still held (a writer's thread)."""


class WriterSink:
    """A format's writer, plus the file it writes (closed and hashed here) or its folder."""

    def __init__(self, writer: RecordWriter, out: HashingFile | None, folder: Path | None = None):
        self._writer = writer
        self._out = out
        self._folder = folder

    def add(self, item: Any) -> int:
        return int(self._writer.add(item))

    def abandon(self) -> None:
        if hasattr(self._writer, "abandon"):
            self._writer.abandon()

    def close(self) -> dict[str, Any]:
        self._writer.close()
        if self._out is not None:
            return file_info(self._out)
        assert self._folder is not None
        files = sum(1 for p in self._folder.rglob("*") if p.is_file())
        return {"files": files}


def file_info(out: HashingFile) -> dict[str, Any]:
    digest = out.close()
    return {"bytes": out.size, "sha256": digest}
