"""``annotator db check`` and ``annotator db backup``: looking after the database itself."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.core.domain.wording import counted


@click.group("db")
def db() -> None:
    """Check the database for damage, or copy it while it is in use."""


@db.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Run the database's integrity and foreign-key checks; print "ok" or each problem."""
    from annotator.core.services.maintenance import check_database

    name, problems = check_database(ctx.find_root().obj.get("db_url"))
    if not problems:
        click.echo(f"{name}: ok")
        return
    for problem in problems:
        click.echo(problem)
    click.echo(f"{name}: {counted(len(problems), 'problem')}", err=True)
    raise click.exceptions.Exit(1)


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_context
def backup(ctx: click.Context, file: Path, force: bool) -> None:
    """Copy the SQLite database to FILE, consistently, even while others write to it."""
    from annotator.core.services.maintenance import backup_database

    made = backup_database(ctx.find_root().obj.get("db_url"), file, force=force)
    click.echo(f"backed up to {made}")


COMMANDS = (db,)
