"""``annotator import``, ``export``, ``demo`` and ``stats``: moving data in and out."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annotator.cli.common import open_workspace, resolve_schema, schema_option
from annotator.cli.format_help import FormatsCommand, ReaderChoice
from annotator.core.domain.errors import ImportRejected
from annotator.core.domain.identity import default_annotator
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.wording import counted
from annotator.core.formats.entries import OptionRefused, ReaderEntry, WriterEntry
from annotator.core.formats.options import (
    EXPORT_OPTIONS,
    IMPORT_OPTIONS,
    NESTED,
    REDEAL,
    SCHEME,
    SEED,
    SPLIT,
    STRATIFY,
    Option,
)
from annotator.core.formats.registry import READERS, WRITERS, reader, writer

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace

# The services are imported inside each command, when it runs: they bring SQLAlchemy, which
# ``annotator --help`` and ``--version`` do not need.


def _refuse(ctx: click.Context, entry: ReaderEntry | WriterEntry, known: Iterable[Option]) -> None:
    """Refuse an option typed on the command line that this format does not take."""
    by_flag = {option.flag: option.name for option in known}
    given = [
        by_flag[param.opts[0]]
        for param in ctx.command.params
        if param.name
        and param.opts[0] in by_flag
        and ctx.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT
    ]
    try:
        entry.refuse_options(given)
    except OptionRefused as exc:
        raise click.UsageError(str(exc)) from None


@click.command("import", cls=FormatsCommand, formats=READERS.values())
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=ReaderChoice(),
    help="Read every file as this format (listed below). Default: by the file's extension, and "
    "a .jsonl file by its first record: ours, doccano's or Prodigy's, each with its annotations.",
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
    from annotator.core.services.importing import iter_files

    if fmt is not None:
        _refuse(ctx, reader(fmt), IMPORT_OPTIONS)
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


@click.command("export", cls=FormatsCommand, formats=WRITERS.values())
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(WRITERS)),
    default="native",
    show_default=True,
    help="What to write (the formats are listed below).",
)
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    metavar="NAME",
    help="Only this annotator's work (repeatable).",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="LAYER",
    help="Only this layer: 'gold' (the adjudicated version), 'suggestions', or an annotator's "
    "name, the same as --annotator (repeatable). Default: every person's work (native: every "
    "layer).",
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
    help=SPLIT.help,
)
@click.option("--seed", type=int, default=13, show_default=True, help=SEED.help)
@click.option("--stratify", metavar="label|ATTR|LABEL.ATTR", help=STRATIFY.help)
@click.option("--redeal", is_flag=True, help=REDEAL.help)
@click.option(
    "--scheme",
    # Shown and defaulted as people type it (bio); BILOU and Bilou are taken too.
    type=click.Choice([s.lower() for s in SCHEME.choices], case_sensitive=False),
    default=SCHEME.default.lower() if SCHEME.default else None,
    show_default=True,
    help=SCHEME.help,
)
@click.option(
    "--nested",
    type=click.Choice(list(NESTED.choices)),
    default=NESTED.default,
    show_default=True,
    help=NESTED.help,
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace OUTPUT even if it is a file that is not an earlier export. Never a folder, "
    "a SQLite file or the open database.",
)
@click.option(
    "--allow-outside-schema",
    is_flag=True,
    help="Export annotations the schema lacks (left by a schema change; see `annotator "
    "schema diff`) instead of refusing; the manifest records it. native sets them apart in "
    "each record's archived section, so the file still imports under its schema.",
)
@schema_option
@click.pass_context
def export(
    ctx: click.Context,
    output: Path,
    fmt: str,
    annotators: tuple[str, ...],
    layers: tuple[str, ...],
    statuses: tuple[str, ...],
    labels: tuple[str, ...],
    split_text: str | None,
    seed: int,
    stratify: str | None,
    redeal: bool,
    scheme: str,
    nested: str,
    force: bool,
    allow_outside_schema: bool,
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
    from annotator.core.services.exporting.source import ExportFilter
    from annotator.core.services.exporting.splits import SplitSpec
    from annotator.core.services.exporting.targets import TargetRefused

    entry = writer(fmt)
    _refuse(ctx, entry, EXPORT_OPTIONS)
    seed_given = ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT
    if split_text is None and (stratify or seed_given):
        raise click.UsageError("--seed and --stratify need --split")
    if split_text is None and redeal:
        raise click.UsageError("--redeal needs --split")
    if "any" in statuses:
        statuses = ()
    elif not statuses:
        statuses = default_filter(fmt).statuses
    chosen = tuple(dict.fromkeys((*annotators, *layers)))
    flt = ExportFilter(
        annotators=chosen,
        statuses=statuses,
        labels=labels,
        all_layers=default_filter(fmt).all_layers,
    )
    split = SplitSpec.parse(split_text, seed, stratify) if split_text else None
    options = ExportOptions(
        filter=flt,
        split=split,
        scheme=scheme.upper(),
        nested=nested,
        force=force,
        redeal=redeal,
        allow_outside_schema=allow_outside_schema,
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
    if entry.item != "prepared":  # one record per document or statement, not per annotator
        line = f"wrote {counted(result.records, entry.record)} to {result.target}"
    else:
        line = (
            f"wrote {counted(result.records, 'record')} from "
            f"{counted(result.documents, 'document')} "
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
            f"{kind.replace('_', ' ')}: {counted(problem.count, 'span')}; {problem.meaning}",
            err=True,
        )


@click.command()
@click.option(
    "--annotator",
    "annotator_name",
    default=default_annotator,
    show_default="you",
    help="Whose pre-annotations the demo's annotated articles become.",
)
@click.option(
    "--team/--no-team",
    default=True,
    show_default=True,
    help="Also load two demo annotators' finished work on three articles (for agreement, "
    "adjudication and curation).",
)
@click.pass_context
def demo(ctx: click.Context, annotator_name: str, team: bool) -> None:
    """Load the bundled demo articles (safe to repeat: duplicates are skipped)."""
    from annotator.core.services.demo import load_demo

    with open_workspace(ctx) as ws:
        report = load_demo(ws, annotator_name, team=team)
        click.echo(f"{report.summary()} into {ws.db.display_name}")
    for note in report.notes:
        click.echo(f"note: {note}", err=True)


@click.command()
@click.option(
    "--csv",
    "csv_folder",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="FOLDER",
    help="Also write the dashboard's tables there, one CSV each: progress (done per annotator "
    "per day), labels, values, speakers (and agreement with --agreement).",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="NAME",
    help="Count these layers' spans and statuses (repeatable; e.g. gold). Default: every person.",
)
@click.option(
    "--agreement",
    "with_agreement",
    is_flag=True,
    help="Also agreement per label: between every person, or with --layer, each named layer "
    "against every person (one row per pair and label), as the dashboard's layer box shows it.",
)
@click.option("--force", is_flag=True, help="Replace CSV files already in FOLDER.")
@click.pass_context
def stats(
    ctx: click.Context,
    csv_folder: Path | None,
    layers: tuple[str, ...],
    with_agreement: bool,
    force: bool,
) -> None:
    """How many documents there are, and each annotator's progress through them."""
    from annotator.core.services.workspace import default_choice

    named = ctx.find_root().obj.get("db_url") is not None  # --db or $ANNOTATOR_DB
    with open_workspace(ctx, create=False) as ws:
        why = "" if named else f" ({default_choice()[1]}; --db to choose another)"
        click.echo(f"database: {ws.db.display_name}{why}")
        click.echo(f"documents: {ws.documents.count()}")
        for line in ws.assignments.progress():
            click.echo(
                f"{line.name}: assigned {line.assigned}, new {line.new}, "
                f"in progress {line.in_progress}, done {line.done}, skipped {line.skipped}"
            )
        if csv_folder is not None:
            _write_tables(ws, csv_folder, list(layers) or None, with_agreement, force)


def _write_tables(
    ws: Workspace, folder: Path, layers: list[str] | None, with_agreement: bool, force: bool
) -> None:
    """The dashboard's tables as CSV files; none is written if any would replace a file."""
    from annotator.core.services.statistics import save_csv

    statistics = ws.statistics()
    tables = statistics.tables(layers)
    if with_agreement:
        tables.append(statistics.agreement(layers))
    targets = [folder / f"{table.name}.csv" for table in tables]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise click.UsageError(f"{', '.join(existing)} already exist (--force to replace them)")
    folder.mkdir(parents=True, exist_ok=True)
    for table, target in zip(tables, targets, strict=True):
        save_csv(table, target, overwrite=True)
        click.echo(f"wrote {counted(len(table.rows), 'row')} to {target}")


COMMANDS = (import_, export, demo, stats)
