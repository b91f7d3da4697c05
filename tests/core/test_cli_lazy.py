"""The command line imports a command's module only when the command is used, and its table of
names and short help says what the commands themselves say."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import annotator.cli
from annotator.cli.lazy_group import LazyGroup
from annotator.cli.main import COMMAND_TABLE, cli

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "PySide6", "yaml", "numpy")

# Runs the console script's entry point as a user does, then lists what it imported.
_PROBE = """
import json, sys
sys.argv = ["annotator", *sys.argv[1:]]
from annotator.cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(%r)))
cli = sorted(name for name in sys.modules if name.startswith("annotator.cli."))
print(json.dumps({"heavy": heavy, "cli": cli}))
"""


def _commands_of_every_module() -> dict[str, click.Command]:
    """Every command that a module of annotator.cli offers in its ``COMMANDS``."""
    found: dict[str, click.Command] = {}
    for info in pkgutil.iter_modules(annotator.cli.__path__):
        module = importlib.import_module(f"annotator.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            assert command.name not in found, f"{command.name} is offered twice"
            found[command.name] = command
    return found


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE % json.dumps(HEAVY), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    *shown, probe = done.stdout.splitlines()
    loaded = json.loads(probe)
    assert loaded["heavy"] == []
    assert loaded["cli"] == [
        "annotator.cli.db_option",
        "annotator.cli.lazy_group",
        "annotator.cli.main",
    ]
    assert shown  # the version or the help was printed


def test_the_table_names_every_command_and_its_module() -> None:
    offered = _commands_of_every_module()
    assert sorted(COMMAND_TABLE) == sorted(offered)
    for name, entry in COMMAND_TABLE.items():
        assert offered[name].callback is not None
        assert sys.modules[entry.module].COMMANDS.count(offered[name]) == 1, name


@pytest.mark.parametrize("limit", [20, 45, 60, 74, 200])
def test_the_tables_short_help_is_the_commands_own(limit: int) -> None:
    for name, command in _commands_of_every_module().items():
        stand_in = click.Command(name, help=COMMAND_TABLE[name].short_help)
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name
        assert not command.hidden and not command.deprecated


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_lists_the_same_before_and_after_the_commands_are_imported(width: int) -> None:
    def listing(group: click.Group) -> str:
        ctx = click.Context(group, info_name="annotator", terminal_width=width)
        formatter = ctx.make_formatter()
        group.format_commands(ctx, formatter)
        return formatter.getvalue()

    untouched = LazyGroup("annotator", lazy=COMMAND_TABLE)
    loaded = click.Group("annotator", commands=_commands_of_every_module())
    assert listing(untouched) == listing(loaded)
    assert untouched.commands == {}  # listing them imported none
    for name in COMMAND_TABLE:
        assert name in listing(untouched)


def test_a_command_is_loaded_once_and_takes_db_after_its_name() -> None:
    ctx = click.Context(cli, info_name="annotator")
    first = cli.get_command(ctx, "search")
    assert first is not None and cli.get_command(ctx, "search") is first
    assert sum("--db" in param.opts for param in first.params) == 1
    assert cli.get_command(ctx, "no-such-command") is None
