"""``--db URL`` before the command (``annotator --db x stats``) or after it (``annotator stats
--db x``): people type it where they think of it, and both must name the same database."""

from __future__ import annotations

import click

from annotator.core.domain.identity import DATABASE_ENV_VAR

DB_HELP = (
    "Database URL (sqlite:///path or postgresql+psycopg://...) or a SQLite file path. "
    f"Default: ${DATABASE_ENV_VAR}, else the database the window last opened (File > Open), "
    "else a file in your user data folder."
)


def _take(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Given after the command's name, --db wins over one given before it."""
    if value is not None:
        ctx.find_root().ensure_object(dict)["db_url"] = value


def accept_db_after_commands(command: click.Command) -> None:
    """Give every command under ``command`` its own ``--db``, feeding the group's value."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_db_after_commands(sub)
        return
    if any(param.name == "db_url" for param in command.params):
        return
    command.params.append(
        click.Option(
            ["--db", "db_url"],
            metavar="URL",
            expose_value=False,
            callback=_take,
            help=DB_HELP,
        )
    )
