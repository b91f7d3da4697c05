"""``annotator assign`` and ``unassign``: the team lead hands out documents."""

from __future__ import annotations

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.assigning import DealSpec
from annotator.core.domain.identity import default_annotator
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.wording import counted


def _percent(value: str) -> float:
    text = value.strip().removesuffix("%").strip()
    try:
        share = float(text) / 100
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a percentage (e.g. 20 or 20%)") from None
    if not 0 <= share <= 1:
        raise click.BadParameter(f"{value!r} is not between 0 and 100 %")
    return share


@click.command()
@click.option(
    "--to",
    "people",
    multiple=True,
    required=True,
    metavar="NAME",
    help="An annotator to hand documents to (repeatable).",
)
@click.option(
    "--count",
    "per_person",
    type=click.IntRange(min=1),
    help="At most this many new documents each. Default: deal every document not yet covered.",
)
@click.option(
    "--overlap",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many of the named annotators each document goes to, e.g. 2 (of 3).",
)
@click.option(
    "--overlap-share",
    "overlap_share",
    default="100",
    show_default=True,
    metavar="PERCENT",
    help="Which share of documents gets --overlap annotators; the rest get one "
    "(e.g. --overlap 2 --overlap-share 20 for 20 %% doubly annotated).",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="KEY",
    help="Deal only these documents (repeatable). Default: all.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same deal.")
@click.option("--dry-run", is_flag=True, help="Show the deal without storing it.")
@click.pass_context
def assign(
    ctx: click.Context,
    people: tuple[str, ...],
    per_person: int | None,
    overlap: int,
    overlap_share: str,
    documents: tuple[str, ...],
    seed: int,
    dry_run: bool,
) -> None:
    """Hand documents to annotators; they see their queue first in the window.

    Documents someone already has (assigned, or with work on them) count towards their overlap
    and are never dealt again; nothing already assigned is taken back.
    """
    spec = DealSpec(
        people=people,
        per_person=per_person,
        overlap=overlap,
        overlap_share=_percent(overlap_share),
        seed=seed,
    )
    with open_workspace(ctx) as ws:
        report = ws.assignments.deal(
            spec,
            documents=documents or None,
            assigned_by=default_annotator(),
            dry_run=dry_run,
        )
    verb = "would assign" if dry_run else "assigned"
    click.echo(f"{verb} {counted(report.total, 'document')} of {report.documents}:")
    for name, keys in report.given.items():
        click.echo(f"  {name}: {len(keys)}")
    if report.short:
        click.echo(
            f"{counted(report.short, 'document')} {'has' if report.short == 1 else 'have'} "
            "fewer annotators than wanted "
            "(every named annotator has them, or --count was reached)"
        )


def _compared(statuses: tuple[str, ...]) -> tuple[str, ...] | None:
    """The statuses whose documents are compared: done unless asked; None for any."""
    return None if "any" in statuses else statuses or ("done",)


@click.command()
@click.option("--from", "person", required=True, metavar="NAME", help="Whose assignments.")
@click.option(
    "--document", "documents", multiple=True, metavar="KEY", help="Only these (repeatable)."
)
@click.pass_context
def unassign(ctx: click.Context, person: str, documents: tuple[str, ...]) -> None:
    """Take back documents an annotator has not started; work already done stays theirs."""
    with open_workspace(ctx) as ws:
        taken, kept = ws.assignments.unassign(person, documents or None)
    click.echo(f"took back {counted(taken, 'document')} from {person.strip()}")
    if kept:
        click.echo(f"kept {kept} they have worked on")


@click.command()
@click.option(
    "--auto",
    "automatic",
    is_flag=True,
    required=True,
    help="Copy into gold what enough annotators agree on (the only mode on the command line; "
    "the rest is decided in the window's curation view).",
)
@click.option(
    "--min-agree",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="How many annotators must hold the same span (boundaries, label, values) or link.",
)
@click.option(
    "--annotator", "annotators", multiple=True, metavar="NAME", help="Only these (repeatable)."
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*STATUSES, "any"]),
    help="Only documents an annotator has in this status (repeatable). Default: done.",
)
@click.option(
    "--document", "documents", multiple=True, metavar="KEY", help="Only these (repeatable)."
)
@click.option("--verbose", "-v", is_flag=True, help="List every undecided span and link.")
@click.pass_context
def adjudicate(
    ctx: click.Context,
    automatic: bool,
    min_agree: int,
    annotators: tuple[str, ...],
    statuses: tuple[str, ...],
    documents: tuple[str, ...],
    verbose: bool,
) -> None:
    """Build the gold layer from agreement, per document, and report what is left to decide.

    Safe to repeat: what gold already holds is never changed or added twice.
    """
    chosen = _compared(statuses)
    with open_workspace(ctx) as ws:
        report = ws.adjudicate(
            min_agree=min_agree,
            annotators=annotators or None,
            statuses=chosen,
            documents=documents or None,
        )
    click.echo(
        f"gold: added {counted(report.spans_added, 'span')} and "
        f"{counted(report.links_added, 'link')} agreed by "
        f"at least {min_agree} of {', '.join(report.annotators)}, over "
        f"{counted(len(report.documents), 'document')}; {report.undecided} left to decide"
    )
    for doc in report.documents:
        if doc.spans_added or doc.links_added or doc.undecided:
            click.echo(
                f"  {doc.key}: +{counted(doc.spans_added, 'span')}, "
                f"+{counted(doc.links_added, 'link')}, "
                f"{len(doc.undecided)} to decide"
            )
        if verbose:
            for item in doc.undecided:
                holders = ", ".join(item.holders) or "-"
                click.echo(f"    {item.what} {item.key}: {item.reason} ({holders})")


@click.command()
@click.option(
    "--annotator", "annotators", multiple=True, metavar="NAME", help="Only these (repeatable)."
)
@click.option(
    "--document", "documents", multiple=True, metavar="KEY", help="Only these (repeatable)."
)
@click.option("--label", "labels", multiple=True, metavar="LABEL", help="Only these labels.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*STATUSES, "any"]),
    help="Compare documents an annotator has in this status (repeatable). Default: done.",
)
@click.option(
    "--mode",
    type=click.Choice(["exact", "overlap"]),
    default="exact",
    show_default=True,
    help="Spans match on exact boundaries, or on overlapping ones (same label either way).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def agreement(
    ctx: click.Context,
    annotators: tuple[str, ...],
    documents: tuple[str, ...],
    labels: tuple[str, ...],
    statuses: tuple[str, ...],
    mode: str,
    as_json: bool,
) -> None:
    """How far annotators agree: spans, values, positions and links, per pair and overall."""
    from annotator.core.domain.agreement import render_table

    chosen = _compared(statuses)
    with open_workspace(ctx, create=False) as ws:
        report = ws.agreement(
            annotators=annotators or None,
            statuses=chosen,
            documents=documents or None,
            labels=labels or None,
            mode=mode,
        )
    if as_json:
        import orjson

        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_table(report))


COMMANDS = (assign, unassign, adjudicate, agreement)
