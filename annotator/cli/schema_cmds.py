"""``annotator schema ...``: check schema files, compare them, change the database's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.errors import SchemaError
from annotator.core.domain.identity import default_annotator
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.schema import Attribute, load_schema
from annotator.core.domain.schema.patterns import slow_pattern_warnings
from annotator.core.domain.wording import counted


@click.group()
def schema() -> None:
    """Check, compare and choose label schemas."""


@schema.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate schema files; print every problem with its file, line and key, and warn of
    pattern regexes that can take minutes on some texts."""
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
        steps = (
            f", {counted(len(loaded.migrations), 'migration step')}" if loaded.migrations else ""
        )
        patterns = sum(len(label.patterns) for label in loaded.labels)
        found = f", {counted(patterns, 'pattern')}" if patterns else ""
        click.echo(
            f"{file}: ok: {loaded.name} {loaded.version}, {len(loaded.labels)} labels, "
            f"{relations} relations{found}{steps}"
        )
        for warning in slow_pattern_warnings(loaded, str(file)):
            click.echo(f"warning: {warning}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


@schema.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def diff(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """What changes for the data from OLD to NEW (two files), or from the database's active
    schema to NEW (one file): each change with the spans, values and links it touches, per
    annotator and layer, and what would be left outside the schema. Nothing is written."""
    if len(files) > 2:
        raise click.UsageError("give NEW, or OLD and NEW")
    old = load_schema(files[0]) if len(files) == 2 else None
    new = load_schema(files[-1])
    with open_workspace(ctx, create=False) as ws:
        report = ws.schema_changes.preview(new, old)
    for line in report.lines():
        click.echo(line)


@schema.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def use(ctx: click.Context, file: Path) -> None:
    """Make FILE the active schema of the database, for every annotator on it.

    Refused, with what would be left outside the schema, unless FILE's migrations say what
    becomes of every annotation it lacks. Applied in one transaction and recorded in the
    schema history; what it archives comes back when a later schema brings it back.
    """
    loaded = load_schema(file)
    with open_workspace(ctx) as ws:
        report = ws.schema_changes.apply(loaded, default_annotator())
        ref = ws.schemas.register(loaded)
    for line in report.lines():
        click.echo(line)
    if report.needs_review:
        click.echo("list the spans to review: annotator schema review")
    click.echo(f"recorded as change #{report.history_id} (annotator schema history)")
    click.echo(f"active schema: {ref.name} {ref.version} (sha256 {ref.sha256[:12]})")


@schema.command()
@click.pass_context
def history(ctx: click.Context) -> None:
    """Every change of the active schema: who, when, from which to which, and what each step
    did to the annotations."""
    with open_workspace(ctx, create=False) as ws:
        entries = ws.schema_changes.history()
    if not entries:
        click.echo("no schema change recorded in this database")
    for entry in entries:
        click.echo(f"#{entry.id} {entry.changed_at} UTC {entry.who}: {entry.old} -> {entry.new}")
        for line in _history_lines(entry.report):
            click.echo(f"  {line}")


def _history_lines(report: dict[str, Any]) -> list[str]:
    def by_layer(item: dict[str, Any], unit: str) -> str:
        layers = ", ".join(f"{k} {v}" for k, v in item.get("layers", {}).items() if v)
        return f"{item['total']} {unit}" + (f" ({layers})" if layers else "")

    lines = [
        f"{c['change']}: {c['touches']}" if c["touches"] else c["change"]
        for c in report.get("changes", [])
    ]
    for step in report.get("steps", []):
        done = [by_layer(step[u], u) for u in ("spans", "values", "links") if u in step]
        lines.append(f"step {step['step']}: {', '.join(done) or 'nothing to do'}")
    lines += [
        f"back from the archive: {by_layer(r, r['what'])}" for r in report.get("restored", [])
    ]
    for item in report.get("review", []):
        docs = item.get("done_documents", [])
        line = f"needs review: {item['what']}: {by_layer(item, item['unit'])}"
        lines.append(line + (f"; {counted(len(docs), 'done document')}" if docs else ""))
    return lines


@schema.command()
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*STATUSES, "any"]),
    help="Documents in this status (repeatable; default: done).",
)
@click.pass_context
def review(ctx: click.Context, statuses: tuple[str, ...]) -> None:
    """The spans that lack a value the active schema requires (a required attribute added
    after the documents were done), per document and annotator."""
    wanted = () if "any" in statuses else (statuses or ("done",))
    with open_workspace(ctx, create=False) as ws:
        rows = ws.schema_changes.review(ws.active_schema(), wanted)
        texts = {row.document_id: ws.documents.text(row.document_id) for row in rows}
    for row in rows:
        quoted = texts[row.document_id][row.start : row.end]
        quoted = quoted if len(quoted) <= 50 else quoted[:47] + "..."
        click.echo(
            f"{row.document} {row.annotator} ({row.status}): {row.label} #{row.span_id} "
            f"{row.start}-{row.end} “{quoted}” lacks {', '.join(row.missing)}"
        )
    documents = {(row.document, row.annotator) for row in rows}
    click.echo(
        f"{counted(len(rows), 'span')} {'lacks' if len(rows) == 1 else 'lack'} "
        f"a required value, in {counted(len(documents), 'document')}"
    )


@schema.command()
@click.pass_context
def show(ctx: click.Context) -> None:
    """Print the active schema's labels, attributes and relations."""
    with open_workspace(ctx) as ws:
        active = ws.active_schema()
    click.echo(f"{active.name} {active.version}")
    for label in active.labels:
        click.echo(f"  {label.name} [{label.hotkey or '-'}] {label.description}")
        _show_attributes(label.attributes)
    for rel in active.relations:
        click.echo(f"  {rel.name}: {rel.source} -> {rel.target} [{rel.hotkey or '-'}]")
        _show_attributes(rel.attributes)  # a link's own values (stance toward its target)


def _show_attributes(attributes: tuple[Attribute, ...]) -> None:
    for attr in attributes:
        values = ", ".join(attr.value_names) or attr.type.value
        need = "required" if attr.required else "optional"
        click.echo(f"    {attr.name} ({attr.type.value}, {need}): {values}")


COMMANDS = (schema,)
