"""``annotator gui``: the annotation window (the default command)."""

from __future__ import annotations

import gc

import click

from annotator.core.domain.identity import default_annotator


@click.command()
@click.option(
    "--annotator",
    "annotator_name",
    metavar="NAME",
    help=f"Annotate as NAME (default: the remembered name, else {default_annotator()}).",
)
@click.pass_context
def gui(ctx: click.Context, annotator_name: str | None) -> None:
    """Open the annotation window."""
    # Start-up makes long-lived objects only (modules, widgets, mappings): the cyclic collector
    # would walk them again and again for nothing (40-60 ms). The window turns it back on once
    # its first document is open (annotator/gui/startup.py).
    gc.disable()
    try:
        from annotator.gui.app import run
    except ImportError as exc:
        gc.enable()
        from annotator.core.services.workspace import default_url

        url = ctx.find_root().obj.get("db_url") or default_url()
        click.echo(
            f"The window is not available in this installation ({exc}).\n"
            f"It would open {url} with the default schema.\n"
        )
        click.echo(ctx.find_root().get_help())
        return
    raise click.exceptions.Exit(run(ctx.find_root().obj.get("db_url"), annotator_name))


COMMANDS = (gui,)
