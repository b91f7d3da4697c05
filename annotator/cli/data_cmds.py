"""``annotator import``, ``export``, ``demo`` and ``stats``: moving data in and out."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_workspace, resolve_schema, schema_option
from annotator.core.demo import load_demo
from annotator.core.errors import ImportRejected
from annotator.core.export.source import ExportFilter
from annotator.core.identity import default_annotator
from annotator.core.importing import import_paths, iter_files
from annotator.core.models import STATUSES

EXPORT_FORMATS = ("native", "statements")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "html", "jsonl"]),
    help="Read every file as this format (default: by file extension).",
)
@click.option("--encoding", help="Decode files with this encoding instead of UTF-8.")
@click.option(
    "--annotator",
    "annotator_name",
    metavar="NAME",
    help="Owner of pre-annotated spans that name no annotator.",
)
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import the good documents and report the bad ones (default: all or nothing).",
)
@schema_option
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str | None,
    encoding: str | None,
    annotator_name: str | None,
    skip_bad: bool,
    schema_path: Path | None,
) -> None:
    """Import .txt, .html and .jsonl files or folders of them, in one transaction."""
    with open_workspace(ctx) as ws:
        schema = resolve_schema(ws, schema_path)
        ref = ws.schemas.register(schema)
        total = sum(1 for _ in iter_files(paths))
        with click.progressbar(
            length=total, label="importing", file=click.get_text_stream("stderr")
        ) as bar:
            last = [0]

            def progress(done: int, _total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            try:
                report = import_paths(
                    ws.db,
                    paths,
                    schema=schema,
                    schema_ref=ref,
                    annotator=annotator_name,
                    fmt=fmt,
                    encoding=encoding,
                    skip_bad=skip_bad,
                    progress=progress,
                )
            except ImportRejected:
                click.echo("", err=True)
                raise
    for message in report.skipped:
        click.echo(f"skipped: {message}", err=True)
    for problem in report.rejected:
        click.echo(f"rejected: {problem}", err=True)
    click.echo(report.summary())


@click.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="native",
    show_default=True,
    help="native: one record per document; statements: one per "
    "statement with its speaker, stance, targets and weapons.",
)
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    metavar="NAME",
    help="Only this annotator's work (repeatable).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only documents an annotator has in this status (repeatable).",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="LABEL",
    help="Only spans with this label (repeatable).",
)
@schema_option
@click.pass_context
def export(
    ctx: click.Context,
    output: Path,
    fmt: str,
    annotators: tuple[str, ...],
    statuses: tuple[str, ...],
    labels: tuple[str, ...],
    schema_path: Path | None,
) -> None:
    """Export annotations to OUTPUT (written to a temporary file, then renamed)."""
    from annotator.core.export.native import export_native
    from annotator.core.export.statements import export_statements

    flt = ExportFilter(annotators=annotators, statuses=statuses, labels=labels)
    with open_workspace(ctx) as ws:
        schema = resolve_schema(ws, schema_path)
        if fmt == "native":
            count = export_native(ws.db, output, schema, flt)
            click.echo(f"wrote {count} document(s) to {output}")
        else:
            count = export_statements(ws.db, output, schema, flt)
            click.echo(f"wrote {count} statement(s) to {output}")


@click.command()
@click.option(
    "--annotator",
    "annotator_name",
    default=default_annotator,
    show_default="you",
    help="Whose pre-annotations the demo's annotated articles become.",
)
@click.pass_context
def demo(ctx: click.Context, annotator_name: str) -> None:
    """Load the bundled demo articles (safe to repeat: duplicates are skipped)."""
    with open_workspace(ctx) as ws:
        report = load_demo(ws, annotator_name)
        click.echo(f"{report.summary()} into {ws.db.display_name}")


@click.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """How many documents there are, and each annotator's progress through them."""
    with open_workspace(ctx) as ws:
        click.echo(f"database: {ws.db.display_name}")
        click.echo(f"documents: {ws.documents.count()}")
        for person in ws.annotators.all():
            counts = ws.documents.progress(person.id)
            parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            click.echo(f"{person.name}: {parts}")


COMMANDS = (import_, export, demo, stats)
