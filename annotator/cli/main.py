"""Command registry: one module per command group, one exit code per outcome.

Nothing here imports a command module at start-up (``LazyGroup`` does when the command is used),
and no command module imports the services (and so SQLAlchemy) before it runs, so ``--version``
and ``--help`` stay quick.
"""

from __future__ import annotations

import gc
import sys
from enum import IntEnum

import click

from annotator import __version__
from annotator.cli.db_option import DB_HELP, accept_db_after_commands
from annotator.cli.lazy_group import LazyCommand, LazyGroup
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.identity import DATABASE_ENV_VAR as ENV_VAR


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # the input or the data was refused; the message says why
    USAGE = 2  # click's own code for bad arguments


def _lazy(module: str, short_help: str) -> LazyCommand:
    return LazyCommand(f"annotator.cli.{module}", short_help)


# Every command: its module, and the first sentence of its help (``annotator --help`` lists it
# without importing the module; tests/core/test_cli_lazy.py checks both against the command).
COMMAND_TABLE = {
    "adjudicate": _lazy(
        "team_cmds",
        "Build the gold layer from agreement, per document, and report what is left to decide.",
    ),
    "agreement": _lazy(
        "team_cmds",
        "How far annotators agree: spans, values, positions and links, per pair and overall.",
    ),
    "assign": _lazy(
        "team_cmds", "Hand documents to annotators; they see their queue first in the window."
    ),
    "db": _lazy("db_cmds", "Check the database for damage, or copy it while it is in use."),
    "demo": _lazy(
        "data_cmds", "Load the bundled demo articles (safe to repeat: duplicates are skipped)."
    ),
    "entities": _lazy(
        "entity_cmds",
        "List, inspect, add, edit, rename, merge, split, export and import the entity registry.",
    ),
    "export": _lazy(
        "data_cmds",
        "Export annotations to OUTPUT: a file, or a folder of splits, with a manifest.json.",
    ),
    "gui": _lazy("gui_cmd", "Open the annotation window."),
    "import": _lazy(
        "data_cmds", "Import .txt, .html and .jsonl files or folders of them, in one transaction."
    ),
    "schema": _lazy("schema_cmds", "Check, compare and choose label schemas."),
    "search": _lazy(
        "search_cmd",
        "Find QUERY in every document: text, and annotations by label, value, link and annotator.",
    ),
    "stats": _lazy(
        "data_cmds", "How many documents there are, and each annotator's progress through them."
    ),
    "suggest": _lazy(
        "suggest_cmd",
        "Suggest statements, speakers, targets and weapons into the 'suggestions' layer.",
    ),
    "unassign": _lazy(
        "team_cmds",
        "Take back documents an annotator has not started; work already done stays theirs.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMAND_TABLE,
    on_load=accept_db_after_commands,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
        gui = cli.get_command(ctx, "gui")
        assert gui is not None  # named in COMMAND_TABLE
        ctx.invoke(gui)


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
