"""The dashboard's figures as plain tables, and the pure steps between SQL rows and them.

The service aggregates in SQL; what is left (running totals, parsing the few distinct value
sets, folding speaker names) is here, without a database, so that the window, ``annotator stats
--csv`` and the tests read the same rows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from annotator.core.domain import jsonio

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One table of the dashboard: what a tab shows, and what its CSV holds."""

    name: str  # file stem of its CSV ("progress", "labels", ...)
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = field(default_factory=tuple)

    def column(self, header: str) -> list[Cell]:
        i = self.headers.index(header)
        return [row[i] for row in self.rows]

    def csv_text(self) -> str:
        """RFC 4180 CSV with a header line; undefined figures as empty cells."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.headers)
        writer.writerows(["" if c is None else c for c in row] for row in self.rows)
        return out.getvalue()


PROGRESS_HEADERS = ("annotator", "day", "done", "cumulative")
LABEL_HEADERS = ("layer", "label", "spans")
VALUE_HEADERS = ("layer", "label", "attribute", "value", "spans")
SPEAKER_HEADERS = ("speaker", "entity", "statements")
AGREEMENT_HEADERS = ("label", "f1_mean", "alpha_u", "undefined")
PAIR_AGREEMENT_HEADERS = ("layer", "with", "label", "f1", "alpha_u", "documents", "undefined")


def progress_table(done_per_day: Iterable[tuple[str, str, int]]) -> Table:
    """(annotator, ISO day, documents marked done that day) -> the table with running totals,
    by annotator and day."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for who, day, n in done_per_day:
        per[who][day] += n
    rows: list[tuple[Cell, ...]] = []
    for who in sorted(per):
        days = sorted(per[who])
        counts = [per[who][d] for d in days]
        rows += [
            (who, d, n, total) for d, n, total in zip(days, counts, accumulate(counts), strict=True)
        ]
    return Table("progress", PROGRESS_HEADERS, tuple(rows))


def value_text(value: Any) -> list[str]:
    """How a stored value is counted: each choice of a multi-choice on its own, yes/no as
    "true"/"false"; unset values are not counted."""
    if value is None or value == [] or value == "":
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list):
        return [t for v in value for t in value_text(v)]
    return [str(value)]


def label_and_value_tables(
    groups: Iterable[tuple[str, str, str | None, int]],
    counted_attributes: Mapping[str, Sequence[str]],
) -> tuple[Table, Table]:
    """(layer, label, the spans' attributes as JSON text, spans) groups -> spans per label and
    spans per attribute value, per layer. Only ``counted_attributes`` (per label: categories,
    not free text) are counted; the few distinct JSON texts are each parsed once."""
    labels: dict[tuple[str, str], int] = defaultdict(int)
    values: dict[tuple[str, str, str, str], int] = defaultdict(int)
    parsed: dict[str, dict[str, Any]] = {}
    for layer, label, attrs, n in groups:
        labels[(layer, label)] += n
        wanted = counted_attributes.get(label, ())
        if not wanted or not attrs:
            continue
        if attrs not in parsed:
            loaded = jsonio.loads(attrs)
            parsed[attrs] = loaded if isinstance(loaded, dict) else {}
        for attribute in wanted:
            for text in value_text(parsed[attrs].get(attribute)):
                values[(layer, label, attribute, text)] += n
    return (
        Table("labels", LABEL_HEADERS, tuple((*k, n) for k, n in sorted(labels.items()))),
        Table("values", VALUE_HEADERS, tuple((*k, n) for k, n in sorted(values.items()))),
    )


UNLINKED_PRONOUNS = "(pronouns linked to no entity)"


def speaker_table(
    groups: Iterable[tuple[str | None, str | None, str | None, int]],
    normalise: Callable[[str], str],
    top: int | None = None,
    pronoun: Callable[[str], bool] = lambda _text: False,
) -> Table:
    """(entity key, entity name, mention text, statements) groups -> statements per speaker,
    most first. A mention linked to an entity counts for the entity; any other is folded by
    ``normalise`` (the registry's alias form), so "Gen. Ivanov" and "Ivanov's" are one, and
    unlinked pronouns ("he", "she": nobody in particular) are counted together."""
    by_entity: dict[str, tuple[str, int]] = {}
    by_text: dict[str, tuple[str, int]] = {}
    for key, name, text, n in groups:
        if key is not None:
            shown, before = by_entity.get(key, (name or key, 0))
            by_entity[key] = (shown, before + n)
            continue
        raw = " ".join((text or "").split())
        if raw and pronoun(raw):
            raw, folded = UNLINKED_PRONOUNS, "\0pronoun"
        else:
            folded = normalise(raw) if raw else ""
        shown, before = by_text.get(folded, (raw, 0))
        by_text[folded] = (shown, before + n)
    rows: list[tuple[Cell, ...]] = [(name, key, n) for key, (name, n) in by_entity.items()]
    rows += [(shown, None, n) for shown, n in by_text.values()]
    rows.sort(key=lambda r: (-int(r[2] or 0), str(r[0]).casefold()))
    return Table("speakers", SPEAKER_HEADERS, tuple(rows[:top] if top else rows))


def agreement_table(report: Mapping[str, Any]) -> Table:
    """Per label (and "*", every label), everyone's mean span F1 and alpha_u, from the
    agreement report (``domain.agreement.report``); undefined figures stay empty."""
    rows = []
    for label, entry in report.get("overall", {}).get("spans", {}).items():
        rows.append((label, entry.get("f1_mean"), entry.get("alpha_u"), entry.get("undefined", "")))
    return Table("agreement", AGREEMENT_HEADERS, tuple(rows))


def pair_agreement_table(entries: Iterable[Mapping[str, Any]]) -> Table:
    """Per pair (the chosen layer, the one it is compared with) and label (and "*", every
    label): span F1 and alpha_u over the documents both have, from the pairs' report entries;
    the pair with the chosen layer first, as measured."""
    rows = []
    for entry in entries:
        layer, other = entry["annotators"]
        for label, section in entry.get("spans", {}).items():
            rows.append(
                (
                    layer,
                    other,
                    label,
                    section.get("f1"),
                    section.get("alpha_u"),
                    entry.get("documents", 0),
                    section.get("undefined", ""),
                )
            )
    return Table("agreement", PAIR_AGREEMENT_HEADERS, tuple(rows))
