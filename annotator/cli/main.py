"""Command registry: one module per command group, one exit code per outcome.

Nothing here or in the command modules imports the services (and so SQLAlchemy) at start-up:
each command imports what it needs when it runs, so ``--version`` and ``--help`` stay quick.
"""

from __future__ import annotations

import gc
import sys
from enum import IntEnum

import click

from annotator import __version__
from annotator.cli import (
    data_cmds,
    db_cmds,
    entity_cmds,
    gui_cmd,
    schema_cmds,
    search_cmd,
    suggest_cmd,
    team_cmds,
)
from annotator.cli.db_option import DB_HELP, accept_db_after_commands
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import DATABASE_ENV_VAR as ENV_VAR


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # the input or the data was refused; the message says why
    USAGE = 2  # click's own code for bad arguments


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    envvar=ENV_VAR,
    metavar="URL",
    help=DB_HELP + " Also accepted after the command.",
)
@click.version_option(__version__, prog_name="annotator")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """Label statements in defence and security news; export training datasets.

    With no command, opens the annotation window.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui_cmd.gui)


for command in (
    *schema_cmds.COMMANDS,
    *data_cmds.COMMANDS,
    *team_cmds.COMMANDS,
    *suggest_cmd.COMMANDS,
    *db_cmds.COMMANDS,
    *entity_cmds.COMMANDS,
    *search_cmd.COMMANDS,
    gui_cmd.gui,
):
    cli.add_command(command)
accept_db_after_commands(cli)


def main(argv: list[str] | None = None) -> None:
    # Run as the process's own command (not called with arguments, as tests do): no cyclic
    # collection while the modules a command needs are imported (tens of thousands of
    # objects, none of them garbage); ``common.open_workspace`` freezes them and turns it back
    # on, so the command's own work is collected as usual.
    if argv is None:
        gc.disable()
    try:
        # Without standalone mode click returns (not raises) the code of ``Exit(1)``.
        code = cli.main(args=argv, prog_name="annotator", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AnnotatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.ERROR)
    finally:
        gc.enable()
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
