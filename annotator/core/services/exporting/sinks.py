"""Where one split's records go: a JSONL file, the native fast path, or a format's writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from annotator.core.domain.jsonio import dumps_line
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.documents import RawDocument
from annotator.core.formats.writers.fixed import attribute_names
from annotator.core.formats.writers.native import native_raw_line, schema_info
from annotator.core.services.exporting.output import HashingFile


class Sink(Protocol):
    def add(self, item: Any) -> int: ...

    def close(self) -> dict[str, Any]: ...

    def abandon(self) -> None:
        """The export failed or ended: let go of anything still held (a writer's thread)."""


class JsonlSink:
    def __init__(self, out: HashingFile, records: Callable[[Any], Iterable[dict[str, Any]]]):
        self._out = out
        self._records = records

    def add(self, item: Any) -> int:
        n = 0
        for record in self._records(item):
            self._out.write(dumps_line(record))
            n += 1
        return n

    def close(self) -> dict[str, Any]:
        return file_info(self._out)

    def abandon(self) -> None:  # the file goes with the staging folder
        pass


class NativeSink:
    def __init__(self, out: HashingFile, schema: Schema | None) -> None:
        self._out = out
        self._info = schema_info(schema)
        self._attributes = attribute_names(schema)

    def add(self, item: RawDocument) -> int:
        self._out.write(native_raw_line(item, self._info, self._attributes))
        return 1

    def close(self) -> dict[str, Any]:
        return file_info(self._out)

    def abandon(self) -> None:  # the file goes with the staging folder
        pass


class WriterSink:
    """A writer with ``add`` plus a file to close (conll, spacy), or a folder (brat)."""

    def __init__(self, writer: Any, out: HashingFile | None, folder: Path | None = None):
        self._writer = writer
        self._out = out
        self._folder = folder

    def add(self, item: Any) -> int:
        return int(self._writer.add(item))

    def abandon(self) -> None:
        if hasattr(self._writer, "abandon"):
            self._writer.abandon()

    def close(self) -> dict[str, Any]:
        if hasattr(self._writer, "close"):
            self._writer.close()
        if self._out is not None:
            return file_info(self._out)
        assert self._folder is not None
        files = sum(1 for p in self._folder.rglob("*") if p.is_file())
        return {"files": files}


def file_info(out: HashingFile) -> dict[str, Any]:
    digest = out.close()
    return {"bytes": out.size, "sha256": digest}
