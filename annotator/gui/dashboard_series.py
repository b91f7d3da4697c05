"""What each dashboard chart draws, taken from its table: plain data, no widgets, so the chart
and the table behind it cannot disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from annotator.core.domain.statistics import Table

LABELS = "Spans per label"


@dataclass(frozen=True)
class Lines:
    """One line per name: (x, y) points; x is a UTC day as seconds since 1970."""

    points: dict[str, list[tuple[float, float]]]


@dataclass(frozen=True)
class Bars:
    """Bar groups (one bar of each series per category), categories in the table's order."""

    categories: list[str]
    series: dict[str, list[float | None]]  # name -> one value per category (None: no bar)


def day_seconds(day: str) -> float:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp()


def progress_lines(table: Table) -> Lines:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for who, day, _done, total in table.rows:
        points[str(who)].append((day_seconds(str(day)), float(total or 0)))
    return Lines(dict(points))


def single_bars(table: Table, category: str, value: str, name: str) -> Bars:
    cats = [str(c) for c in table.column(category)]
    return Bars(cats, {name: [float(v) if v is not None else None for v in table.column(value)]})


def counts(labels: Table, values: Table, choice: str) -> Table:
    """The table a "Labels & values" choice shows, summed over the layers in ``labels`` and
    ``values``: spans per label (``LABELS``), or per value of one "LABEL attribute"."""
    summed: dict[str, int] = defaultdict(int)
    if choice == LABELS:
        for _layer, label, n in labels.rows:
            summed[str(label)] += int(n or 0)
        return Table("labels", ("label", "spans"), tuple(sorted(summed.items())))
    for _layer, label, attribute, value, n in values.rows:
        if f"{label} {attribute}" == choice:
            summed[str(value)] += int(n or 0)
    name = "values-" + choice.replace(" ", "-")
    return Table(name, ("value", "spans"), tuple(sorted(summed.items())))


def count_choices(values: Table) -> list[str]:
    """``LABELS``, then every "LABEL attribute" that has values."""
    seen = dict.fromkeys(f"{row[1]} {row[2]}" for row in values.rows)
    return [LABELS, *seen]


def agreement_bars(table: Table) -> Bars:
    """Every person's table: F1 mean and alpha_u per label. A chosen layer's table (one row per
    pair and label): per pair, its figures over all labels — whom that layer agrees with."""
    if "with" in table.headers:
        return _pair_bars(table)
    cats = ["all labels" if c == "*" else str(c) for c in table.column("label")]
    series: dict[str, list[float | None]] = {}
    for header, name in (("f1_mean", "F1 mean"), ("alpha_u", "alpha_u")):
        series[name] = [
            float(v) if isinstance(v, int | float) else None for v in table.column(header)
        ]
    return Bars(cats, series)


def _pair_bars(table: Table) -> Bars:
    rows = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
    overall = [r for r in rows if r["label"] == "*"]
    layers = {r["layer"] for r in overall}
    cats = [str(r["with"]) if len(layers) == 1 else f"{r['layer']} – {r['with']}" for r in overall]
    series: dict[str, list[float | None]] = {}
    for header, name in (("f1", "F1"), ("alpha_u", "alpha_u")):
        values = [r[header] for r in overall]
        series[name] = [float(v) if isinstance(v, int | float) else None for v in values]
    return Bars(cats, series)
