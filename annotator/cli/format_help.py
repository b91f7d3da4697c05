"""``import --help`` and ``export --help`` list the registry's formats one per row, each with its
description, instead of one paragraph of names and sentences run together."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import click

from annotator.core.domain.errors import AnnotatorError
from annotator.core.formats.entries import ReaderEntry, WriterEntry
from annotator.core.formats.registry import READERS, reader


class FormatsCommand(click.Command):
    """A command whose help ends with a "Formats" section: name, then what it is."""

    def __init__(
        self, *args: Any, formats: Iterable[ReaderEntry | WriterEntry] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.formats = list(formats)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.formats:
            with formatter.section("Formats (--format)"):
                formatter.write_dl([(entry.name, entry.description) for entry in self.formats])
        super().format_epilog(ctx, formatter)


class ReaderChoice(click.Choice):  # type: ignore[type-arg]
    """The import formats by name; an older name (``jsonl`` for ``native``) is taken too."""

    def __init__(self) -> None:
        super().__init__(list(READERS))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value not in READERS:
            with contextlib.suppress(AnnotatorError):  # not an alias: click names those there are
                value = reader(value).name
        return super().convert(value, param, ctx)
