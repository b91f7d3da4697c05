"""``annotator schema ...``: check a schema file, make one the database's active schema."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.errors import SchemaError
from annotator.core.domain.schema import load_schema


@click.group()
def schema() -> None:
    """Check and choose label schemas."""


@schema.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate schema files; print every problem with its file, line and key."""
    failed = 0
    for file in files:
        try:
            loaded = load_schema(file)
        except SchemaError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            continue
        relations = len(loaded.relations)
        click.echo(
            f"{file}: ok: {loaded.name} {loaded.version}, {len(loaded.labels)} labels, "
            f"{relations} relations"
        )
    if failed:
        raise click.exceptions.Exit(1)


@schema.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def use(ctx: click.Context, file: Path) -> None:
    """Make FILE the active schema of the database, for every annotator on it."""
    loaded = load_schema(file)
    with open_workspace(ctx) as ws:
        ref = ws.schemas.set_active(loaded)
    click.echo(f"active schema: {ref.name} {ref.version} (sha256 {ref.sha256[:12]})")


@schema.command()
@click.pass_context
def show(ctx: click.Context) -> None:
    """Print the active schema's labels, attributes and relations."""
    with open_workspace(ctx) as ws:
        active = ws.active_schema()
    click.echo(f"{active.name} {active.version}")
    for label in active.labels:
        click.echo(f"  {label.name} [{label.hotkey or '-'}] {label.description}")
        for attr in label.attributes:
            values = ", ".join(attr.value_names) or attr.type.value
            need = "required" if attr.required else "optional"
            click.echo(f"    {attr.name} ({attr.type.value}, {need}): {values}")
    for rel in active.relations:
        click.echo(f"  {rel.name}: {rel.source} -> {rel.target} [{rel.hotkey or '-'}]")


COMMANDS = (schema,)
