"""How each import format reads one file: the same call for every reader entry.

Each imports its reader module when called, so listing the formats imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


def read_txt(file: Path, key: str, encoding: str | None) -> Iterable[Any]:
    from annotator.core.formats.readers.common import read_txt

    return [read_txt(file, key, encoding)]


def read_html(file: Path, key: str, encoding: str | None) -> Iterable[Any]:
    from annotator.core.formats.readers.html import read_html

    return [read_html(file, key, encoding)]


def read_jsonl(file: Path, key: str, encoding: str | None) -> Iterable[Any]:
    from annotator.core.formats.readers.jsonl import read_jsonl

    return read_jsonl(file, encoding)


def read_doccano(file: Path, key: str, encoding: str | None) -> Iterable[Any]:
    from annotator.core.formats.readers.external import read_doccano

    return read_doccano(file, encoding)


def read_prodigy(file: Path, key: str, encoding: str | None) -> Iterable[Any]:
    from annotator.core.formats.readers.external import read_prodigy

    return read_prodigy(file, encoding)
