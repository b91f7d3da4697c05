"""``annotator search``: find text and annotations across the whole corpus."""

from __future__ import annotations

from itertools import islice

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.search_syntax import combined, parse_search
from annotator.core.domain.searching import parse_attribute
from annotator.core.domain.wording import counted


@click.command()
@click.argument("text", metavar="[QUERY]", required=False, default="")
@click.option(
    "--regex",
    is_flag=True,
    help="QUERY's text is a regular expression (Python's syntax); its filters stay filters.",
)
@click.option("--case-sensitive", is_flag=True, help="Match case exactly. Default: ignore it.")
@click.option(
    "--ignore-accents",
    is_flag=True,
    help="Find accented letters by their plain letter (sevcovic finds Ševčovič).",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="LABEL",
    help="Find annotations with this label (repeatable) whose text holds QUERY's text, if any.",
)
@click.option(
    "--attr",
    "attributes",
    multiple=True,
    metavar="NAME=VALUE",
    help="Find annotations holding this value, e.g. stance=threatens (repeatable; all must hold).",
)
@click.option(
    "--annotator",
    "--layer",
    "layers",
    multiple=True,
    metavar="NAME",
    help="Find this annotator's annotations, or the 'gold' or 'suggestions' layer's "
    "(repeatable). Default: every person's.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only documents a searched annotator has in this status (repeatable).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    default=50,
    show_default=True,
    help="Show at most this many hits; 0 for all.",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Skip this many hits first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per hit and line.")
@click.pass_context
def search(
    ctx: click.Context,
    text: str,
    regex: bool,
    case_sensitive: bool,
    ignore_accents: bool,
    labels: tuple[str, ...],
    attributes: tuple[str, ...],
    layers: tuple[str, ...],
    statuses: tuple[str, ...],
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Find QUERY in every document: text, and annotations by label, value, link and annotator.

    QUERY is text, a phrase, with filters among it, as in the window's search box:
    label:STATEMENT, a value such as stance:denies, a link's far end such as speaker:Hatami
    (linked to a SPEAKER whose text holds Hatami; said_by:Hatami the same), annotator:NAME,
    status:done. Quote a value with spaces (speaker:"Mehmet Yılmaz") or text that looks like a
    filter ("stance:denies"). Text alone lists each place it occurs; with a filter the hits are
    annotations (whose text holds the text, when given). Hits come in document order.
    """
    try:
        more_attributes = tuple(parse_attribute(a) for a in attributes)
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None
    with open_workspace(ctx, create=False) as ws:
        parsed = parse_search(
            text,
            ws.active_schema(),
            regex=regex,
            ignore_case=not case_sensitive,
            ignore_accents=ignore_accents,
        )
        query = combined(
            parsed.query,
            labels=labels,
            attributes=more_attributes,
            layers=layers,
            statuses=statuses,
        )
        try:
            query.check()
        except ValidationError as exc:
            raise click.UsageError(str(exc)) from None
        for note in parsed.notes:
            click.echo(f"note: {note}", err=True)
        found = ws.search_stoppable(query)  # Ctrl+C stops even a backtracking expression
        stop = None if limit == 0 else offset + limit + 1  # one more: are there others?
        hits = list(islice(found, offset, stop))
    more = limit > 0 and len(hits) > limit
    hits = hits[:limit] if limit else hits
    for hit in hits:
        if as_json:
            from annotator.core.domain.jsonio import dumps_line

            click.echo(dumps_line(hit.to_json()).decode("utf-8"), nl=False)
            continue
        what = f"  {hit.label} ({hit.annotator})" if hit.label else ""
        click.echo(f"{hit.key}:{hit.start}-{hit.end}{what}  {hit.snippet}")
    shown = counted(len(hits), "hit")
    tail = f"; more after these (--offset {offset + limit}, or --limit 0 for all)" if more else ""
    click.echo(f"{shown} shown{tail}", err=True)


COMMANDS = (search,)
