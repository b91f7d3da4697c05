"""``annotator entities ...``: the team lead's registry of speakers and targets.

An entity is named by its id (``e-…``), its external id, or its name or an alias when only one
entity has it.
"""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.wording import counted


@click.group()
def entities() -> None:
    """List, inspect, add, edit, rename, merge, split, export and import the entity registry."""


@entities.command("list")
@click.option("--type", "kind", metavar="TYPE", help="Only entities of this type (e.g. SPEAKER).")
@click.option("--merged", is_flag=True, help="Also list entities merged into others.")
@click.pass_context
def list_(ctx: click.Context, kind: str | None, merged: bool) -> None:
    """Every entity: id, type, name, mentions, external id and aliases."""
    with open_workspace(ctx, create=False) as ws:
        found = ws.entities().all(kind, merged=merged)
    if not found:
        click.echo("no entities")
        return
    for item in found:
        e = item.entity
        extra = f"  [{e.external_id}]" if e.external_id else ""
        into = f"  merged into {e.merged_into}" if e.merged_into else ""
        aliases = f"  aka {'; '.join(e.aliases)}" if e.aliases else ""
        mentions = counted(item.mentions, "mention")
        click.echo(f"{e.key}  {e.kind}  {e.name}  ({mentions}){extra}{into}{aliases}")


@entities.command()
@click.argument("entity")
@click.pass_context
def show(ctx: click.Context, entity: str) -> None:
    """An entity with its aliases and its mentions per document and annotator."""
    with open_workspace(ctx, create=False) as ws:
        detail = ws.entities().show(entity)
    e = detail.entity
    click.echo(f"{e.key}  {e.kind}  {e.name}")
    click.echo(f"external id: {e.external_id or '-'}")
    if e.note:
        click.echo(f"note: {e.note}")
    click.echo(f"aliases: {'; '.join(e.aliases) or '-'}")
    for merged in detail.merged:
        click.echo(f"merged from: {merged.key} {merged.name}")
    click.echo(f"{counted(len(detail.mentions), 'mention')}:")
    for document, annotator, count in detail.counts():
        click.echo(f"  {document}  {annotator}  {count}")
        for m in detail.mentions:
            if (m.document, m.annotator) == (document, annotator):
                click.echo(f"    #{m.span_id}  {m.label}  {m.start}-{m.end}  {m.text!r}")


@entities.command()
@click.argument("name")
@click.option("--type", "kind", required=True, metavar="TYPE", help="e.g. SPEAKER or TARGET.")
@click.option("--external-id", metavar="ID", help="e.g. a Wikidata QID (Q5953934).")
@click.option("--alias", "aliases", multiple=True, help="Another name it goes by (repeatable).")
@click.option("--note", default="", help="A note for annotators.")
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    kind: str,
    external_id: str | None,
    aliases: tuple[str, ...],
    note: str,
) -> None:
    """Add an entity NAME to the registry (before anyone links a mention to it)."""
    with open_workspace(ctx) as ws:
        made = ws.entities().create(name, kind, external_id=external_id, note=note, aliases=aliases)
    click.echo(f"added {made.key} {made.kind} {made.name}")


@entities.command()
@click.argument("entity")
@click.option("--external-id", metavar="ID", help='Set the external id ("" clears it).')
@click.option("--note", help='Set the note ("" clears it).')
@click.option("--add-alias", "added", multiple=True, help="An alias to add (repeatable).")
@click.option("--remove-alias", "removed", multiple=True, help="An alias to remove (repeatable).")
@click.pass_context
def edit(
    ctx: click.Context,
    entity: str,
    external_id: str | None,
    note: str | None,
    added: tuple[str, ...],
    removed: tuple[str, ...],
) -> None:
    """Set ENTITY's external id or note, add or remove aliases."""
    if external_id is None and note is None and not added and not removed:
        raise click.UsageError(
            "say what changes: --external-id, --note, --add-alias, --remove-alias"
        )
    with open_workspace(ctx) as ws:
        changed = ws.entities().edit(
            entity,
            external_id=external_id,
            note=note,
            add_aliases=added,
            remove_aliases=removed,
        )
    aliases = "; ".join(changed.aliases) or "-"
    click.echo(
        f"{changed.key} {changed.name}: external id {changed.external_id or '-'}, aliases {aliases}"
    )


@entities.command()
@click.argument("entity")
@click.argument("name")
@click.pass_context
def rename(ctx: click.Context, entity: str, name: str) -> None:
    """Give ENTITY the canonical NAME; the old name stays as an alias."""
    with open_workspace(ctx) as ws:
        renamed = ws.entities().rename(entity, name)
    click.echo(f"{renamed.key} is now {renamed.name}")


@entities.command()
@click.argument("source")
@click.argument("target")
@click.pass_context
def merge(ctx: click.Context, source: str, target: str) -> None:
    """Merge SOURCE into TARGET: every mention link and alias of SOURCE moves to TARGET."""
    with open_workspace(ctx) as ws:
        registry = ws.entities()
        gone = registry.get(source)
        kept = registry.merge(gone.key, target)
        mentions = registry.show(kept.key).mentions
    click.echo(
        f"merged {gone.key} {gone.name} into {kept.key} {kept.name} "
        f"({counted(len(mentions), 'mention')} now)"
    )


@entities.command()
@click.argument("entity")
@click.argument("name")
@click.option(
    "--mention",
    "mentions",
    multiple=True,
    type=int,
    metavar="SPAN_ID",
    help="A mention to move, by its span id as `entities show` lists it (repeatable).",
)
@click.option("--alias", "aliases", multiple=True, help="An alias to move (repeatable).")
@click.option("--type", "kind", metavar="TYPE", help="The new entity's type (default: ENTITY's).")
@click.pass_context
def split(
    ctx: click.Context,
    entity: str,
    name: str,
    mentions: tuple[int, ...],
    aliases: tuple[str, ...],
    kind: str | None,
) -> None:
    """Make a new entity NAME from some of ENTITY's mentions and aliases."""
    if not mentions and not aliases:
        raise click.UsageError("name what moves: --mention SPAN_ID or --alias TEXT")
    with open_workspace(ctx) as ws:
        made = ws.entities().split(entity, name, mentions=mentions, aliases=aliases, kind=kind)
    moved = counted(len(mentions), "mention")
    taken = "; ".join(made.aliases) or "no alias"
    click.echo(f"made {made.key} {made.kind} {made.name} with {moved} and {taken}")


@entities.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_(ctx: click.Context, output: Path) -> None:
    """Write the whole registry to OUTPUT as JSON lines (one entity a line)."""
    with open_workspace(ctx, create=False) as ws:
        count = ws.entities().export_jsonl(output)
    click.echo(f"wrote {counted(count, 'entity', 'entities')} to {output}")


@entities.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Merge a registry file into the database's, all or nothing: an entity is matched by id,
    then external id, then type and name; names and aliases are only ever added."""
    with open_workspace(ctx) as ws:
        merged = ws.entities().import_jsonl(file)
    click.echo(
        f"{counted(merged.created, 'entity', 'entities')} created, {merged.updated} updated, "
        f"{merged.unchanged} unchanged"
    )


COMMANDS = (entities,)
