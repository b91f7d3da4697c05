"""What every command shares: opening the workspace named by --db."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annotator.core.domain.schema import Schema, load_schema

if TYPE_CHECKING:  # imported when a command opens one: it brings SQLAlchemy
    from annotator.core.services.workspace import Workspace


def open_workspace(ctx: click.Context, *, create: bool = True) -> Workspace:
    """The workspace named by --db; ``create=False`` for commands that only read."""
    from annotator.core.services.workspace import Workspace

    workspace = Workspace(ctx.find_root().obj.get("db_url"), create=create, backup=create)
    if not gc.isenabled():  # turned off for start-up by ``main``
        gc.freeze()  # what start-up made lives as long as the command: never scan it again
        gc.enable()
    for warning in workspace.db.warnings:
        click.echo(f"warning: {warning}", err=True)
    return workspace


def schema_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--schema",
        "schema_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Label schema YAML (default: the database's active schema).",
    )(func)


def resolve_schema(workspace: Workspace, schema_path: Path | None) -> Schema:
    return load_schema(schema_path) if schema_path else workspace.active_schema()
