"""``annotator import``, ``export``, ``demo`` and ``stats``: moving data in and out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotator.cli.common import open_workspace, resolve_schema, schema_option
from annotator.core.domain.errors import ImportRejected
from annotator.core.domain.identity import default_annotator
from annotator.core.domain.rules import STATUSES
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import iter_files

# conll --nested, the default first (mirrors registry.NESTED_CHOICES without importing the
# writers at start-up; tests/core/test_export_conll_brat.py checks that they agree).
NESTED_CHOICES = ("layers", "outermost")
NESTED_DEFAULT = NESTED_CHOICES[0]

EXPORT_FORMATS = (
    "native",
    "statements",
    "doccano",
    "doccano-rel",
    "prodigy",
    "spacy",
    "conll",
    "brat",
)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "html", "jsonl", "doccano", "prodigy"]),
    help="Read every file as this format (default: by file extension, and for .jsonl by its "
    "first record: ours, doccano's or Prodigy's, each with its annotations).",
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
    """Import .txt, .html and .jsonl files or folders of them, in one transaction.

    A .jsonl file is read as ours, doccano's or Prodigy's layout as its first record shows,
    unless --format says which.
    """
    with open_workspace(ctx) as ws:
        schema = resolve_schema(ws, schema_path)
        total = sum(1 for _ in iter_files(paths))
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            last = [0]

            def progress(done: int, _total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            try:
                report = ws.import_files(
                    paths,
                    schema=schema,
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
    for message in report.not_merged:
        click.echo(f"warning: {message}", err=True)
    for problem in report.rejected:
        click.echo(f"rejected: {problem}", err=True)
    click.echo(report.summary())


def _format_help() -> str:
    from annotator.core.services.exporting.dataset import FORMATS

    return "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values())


@click.command("export")
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="native",
    show_default=True,
    help="What to write. " + _format_help(),
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
    type=click.Choice([*STATUSES, "any"]),
    help="Only documents an annotator has in this status (repeatable). Default: done for "
    "training formats, any for native.",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="LABEL",
    help="Only spans with this label (repeatable).",
)
@click.option(
    "--split",
    "split_text",
    metavar="NAME=SHARE,...",
    help="Split whole documents into parts, one file each, e.g. train=0.8,dev=0.1,test=0.1. "
    "OUTPUT is then a folder.",
)
@click.option(
    "--seed", type=int, default=13, show_default=True, help="Seed of the split's random order."
)
@click.option(
    "--stratify",
    metavar="label|ATTR|LABEL.ATTR",
    help="Keep the split's proportions within each value of the documents' dominant label or "
    "attribute value (e.g. stance).",
)
@click.option(
    "--redeal",
    is_flag=True,
    help="Deal every document to a split afresh. Without it, a document keeps the split an "
    "earlier export with the same split names gave it, in every format; only new documents "
    "are dealt (with the shares given now). The manifest records which.",
)
@click.option(
    "--scheme",
    type=click.Choice(["BIO", "BILOU"], case_sensitive=False),
    default="BIO",
    show_default=True,
    help="conll: tag scheme.",
)
@click.option(
    "--nested",
    type=click.Choice(list(NESTED_CHOICES)),
    default=NESTED_DEFAULT,
    show_default=True,
    help="conll: nested and overlapping spans. layers: one tag column per label, so every "
    "label is kept; outermost: one column where the outermost span wins and nested ones "
    "(e.g. WEAPON inside STATEMENT) are left out. The manifest counts what the file holds.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace OUTPUT even if it is a file that is not an earlier export. Never a folder, "
    "a SQLite file or the open database.",
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
    split_text: str | None,
    seed: int,
    stratify: str | None,
    redeal: bool,
    scheme: str,
    nested: str,
    force: bool,
    schema_path: Path | None,
) -> None:
    """Export annotations to OUTPUT: a file, or a folder of splits, with a manifest.json.

    Files are written to a temporary folder beside OUTPUT and moved in place when complete.
    OUTPUT may be new, or an earlier export (which is replaced); anything else is refused.
    """
    from annotator.core.services.exporting.dataset import (
        ExportOptions,
        default_filter,
    )
    from annotator.core.services.exporting.splits import SplitSpec
    from annotator.core.services.exporting.targets import TargetRefused

    seed_given = ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT
    if split_text is None and (stratify or seed_given):
        raise click.UsageError("--seed and --stratify need --split")
    if split_text is None and redeal:
        raise click.UsageError("--redeal needs --split")
    if "any" in statuses:
        statuses = ()
    elif not statuses:
        statuses = default_filter(fmt).statuses
    flt = ExportFilter(annotators=annotators, statuses=statuses, labels=labels)
    split = SplitSpec.parse(split_text, seed, stratify) if split_text else None
    options = ExportOptions(
        filter=flt,
        split=split,
        scheme=scheme.upper(),
        nested=nested,
        force=force,
        redeal=redeal,
    )
    with open_workspace(ctx, create=False) as ws:
        schema = resolve_schema(ws, schema_path)
        stderr = sys.stderr
        # A bar only on a terminal: scripts read stderr for errors alone.
        with click.progressbar(
            length=1, label="exporting", file=stderr, hidden=not stderr.isatty()
        ) as bar:

            def progress(done: int, total: int) -> None:
                # Redraw about 200 times in all, not once per document.
                if done == total or done - bar.pos >= max(1, total // 200):
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)

            try:
                result = ws.export(output, fmt, options, schema=schema, progress=progress)
            except TargetRefused as exc:
                if exc.forcible:
                    raise TargetRefused(f"{exc} (or --force to replace it)") from None
                raise
    noun = {"native": "document", "statements": "statement"}.get(fmt)
    if noun is not None:
        line = f"wrote {result.records} {noun}(s) to {result.target}"
    else:
        line = (
            f"wrote {result.records} record(s) from {result.documents} document(s) "
            f"to {result.target}"
        )
    if split is not None:
        line += " (" + ", ".join(f"{p.name} {p.documents}" for p in result.parts) + " documents)"
    click.echo(line)
    click.echo(f"manifest: {result.manifest}", err=True)
    for line in result.training:
        click.echo(line, err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for kind, problem in result.problems.items():
        click.echo(
            f"{kind.replace('_', ' ')}: {problem.count} span(s); {problem.meaning}", err=True
        )


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
    with open_workspace(ctx, create=False) as ws:
        click.echo(f"database: {ws.db.display_name}")
        click.echo(f"documents: {ws.documents.count()}")
        for person in ws.annotators.all():
            counts = ws.documents.progress(person.id)
            parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            click.echo(f"{person.name}: {parts}")


COMMANDS = (import_, export, demo, stats)
