"""A click group that imports a command's module only when that command is used.

``annotator --version`` and ``annotator --help`` then import no command module, nor what those
import (the schema reader and YAML, the formats registry): the commands are listed from a small
table of names and short help instead (tests/core/test_cli_lazy.py holds it to the real help).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command lives and what ``--help`` says of it before it is imported."""

    module: str  # the module whose ``COMMANDS`` holds the command
    short_help: str  # the first sentence of its help


class LazyGroup(click.Group):
    """Commands named in ``lazy`` are imported on first use; ``on_load`` prepares each one."""

    def __init__(
        self,
        *args: Any,
        lazy: Mapping[str, LazyCommand] | None = None,
        on_load: Callable[[click.Command], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self.on_load = on_load

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.load(cmd_name))
        return self.commands.get(cmd_name)

    def load(self, name: str) -> click.Command:
        """The command ``name`` from its module, prepared by ``on_load``."""
        module = importlib.import_module(self.lazy[name].module)
        command: click.Command = next(c for c in module.COMMANDS if c.name == name)
        if self.on_load is not None:
            self.on_load(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with the table's short help for commands not imported yet."""
        stand_ins = {
            name: click.Command(name, help=entry.short_help) for name, entry in self.lazy.items()
        }
        listing = click.Group(self.name, commands={**stand_ins, **self.commands})
        listing.format_commands(ctx, formatter)
