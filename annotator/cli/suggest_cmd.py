"""``annotator suggest``: run the suggestion engines and store what they find, or score what
is stored against a person's or gold's layer (``--evaluate --against LAYER``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from annotator.cli.common import open_workspace
from annotator.core.domain.suggesting.registry import DEFAULT_ENGINES, FACTORIES
from annotator.core.domain.wording import counted

if TYPE_CHECKING:
    from annotator.core.domain.suggesting.stored import ComputeReport
    from annotator.core.services.suggestion_eval import Evaluation


@click.command()
@click.option(
    "--engine",
    "engines",
    multiple=True,
    type=click.Choice([*FACTORIES, "model"]),
    help="Run only this engine (repeatable). Default: every engine this installation has.",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="KEY",
    help="Only this document (repeatable). Default: all.",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="Score the stored suggestions against --against instead of computing them.",
)
@click.option(
    "--against",
    metavar="LAYER",
    help="With --evaluate: the reference, 'gold' or an annotator's name (its done documents).",
)
@click.option("--json", "as_json", is_flag=True, help="With --evaluate: print the scores as JSON.")
@click.option(
    "--train",
    is_flag=True,
    help="Train the 'model' engine on the done documents (needs the spacy extra), then stop.",
)
@click.option(
    "--layer",
    metavar="LAYER",
    help="With --train: learn from this layer's done documents (default: every person's).",
)
@click.option(
    "--steps",
    type=click.IntRange(1, 100000),
    default=300,
    show_default=True,
    help="With --train: training steps per pipeline.",
)
@click.pass_context
def suggest(
    ctx: click.Context,
    engines: tuple[str, ...],
    documents: tuple[str, ...],
    evaluate: bool,
    against: str | None,
    as_json: bool,
    train: bool,
    layer: str | None,
    steps: int,
) -> None:
    """Suggest statements, speakers, targets and weapons into the 'suggestions' layer.

    Running again replaces the open suggestions of the engines run; those someone accepted or
    rejected stay. Nobody's own layer is touched: people accept suggestions in the window.
    """
    if train:
        if evaluate or documents or engines or against or as_json:
            raise click.UsageError("--train goes alone (with --layer and --steps)")
        _train(ctx, layer, steps)
        return
    if layer is not None:
        raise click.UsageError("--layer goes with --train")
    if evaluate:
        if against is None:
            raise click.UsageError("--evaluate needs --against LAYER")
        if documents:
            raise click.UsageError("--document is for computing; --evaluate reads the done ones")
        _evaluate(ctx, against, engines, as_json)
        return
    if against is not None or as_json:
        raise click.UsageError("--against and --json go with --evaluate")
    with open_workspace(ctx) as ws:
        ids = []
        for key in documents:
            found = ws.documents.by_key(key)
            if found is None:
                raise click.UsageError(f"no document {key!r} in this database")
            ids.append(found.id)
        service = ws.suggestions()
        with click.progressbar(
            length=1, label="suggesting", file=sys.stderr, hidden=not sys.stderr.isatty()
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            report = service.compute(ids or None, engines or None, progress=progress)
        bare = not any(label.patterns for label in service.schema.labels)
    if "patterns" in report.engines and bare:
        click.echo(
            "note: the active schema has no patterns; a schema with some (the bundled "
            "defence_statements.yaml has) comes in with `annotator schema use FILE`",
            err=True,
        )
    _print_report(report, asked=engines)


def _print_report(report: ComputeReport, asked: tuple[str, ...]) -> None:
    if not asked:
        for name in DEFAULT_ENGINES:
            if name not in report.engines:
                click.echo(f"note: engine {name!r} is not available in this installation", err=True)
    click.echo(f"suggested on {counted(report.documents, 'document')}:")
    for name in report.engines:
        spans = counted(report.spans.get(name, 0), "span")
        links = counted(report.links.get(name, 0), "link")
        click.echo(f"  {name}: {spans}, {links}")
    if report.refused:
        click.echo(
            f"left out {counted(report.refused, 'suggestion')} the schema refuses "
            "(such as two overlapping spans of a label that may not overlap)",
            err=True,
        )


def _train(ctx: click.Context, layer: str | None, steps: int) -> None:
    from annotator.core.services.suggest_model import train_model

    with open_workspace(ctx, create=False) as ws:
        click.echo(
            "training the model engine on the done documents (this takes minutes)…", err=True
        )
        card = train_model(ws, layer=layer, max_steps=steps)
    click.echo(card.summary())


def _evaluate(ctx: click.Context, against: str, engines: tuple[str, ...], as_json: bool) -> None:
    with open_workspace(ctx, create=False) as ws:
        result = ws.suggestions().evaluate(against, engines or None)
    if as_json:
        import orjson

        click.echo(orjson.dumps(result.as_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_evaluation(result))


def render_evaluation(result: Evaluation) -> str:
    """The scores as a table: one row per engine and label, then speaker attribution."""
    lines = [
        f"against {result.against}: {counted(result.documents, 'document')} marked done; a "
        "suggested span is found when it overlaps a reference span of its label by half or more",
        f"{'engine':<10} {'label':<12} {'precision':>9} {'recall':>7} {'F1':>6}"
        f"  found/suggested/reference",
    ]
    for engine in result.engines:
        for name, score in [*engine.labels.items(), ("all labels", engine.total)]:
            lines.append(
                f"{engine.engine:<10} {name:<12} {score.precision:>9.2f} {score.recall:>7.2f} "
                f"{score.f1:>6.2f}  {score.found}/{score.suggested}/{score.reference}"
            )
    lines.append("speaker attribution (found statements with a reference speaker):")
    for engine in result.engines:
        speakers = engine.speakers
        if speakers.judged:
            lines.append(
                f"  {engine.engine}: {speakers.right} of {speakers.judged} right "
                f"({speakers.accuracy:.2f})"
            )
        else:
            lines.append(f"  {engine.engine}: no statement to judge")
    return "\n".join(lines)


COMMANDS = (suggest,)
