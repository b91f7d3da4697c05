"""The planner's counts, summed over documents, turned into a ``ChangeReport``: each change of
the diff with what it touches, each step with what it did, what is left outside the schema,
what comes back from the archive, what needs review."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from annotator.core.domain.migrating import Key
from annotator.core.domain.rules import Outside
from annotator.core.domain.schema import Schema
from annotator.core.domain.schema.diff import (
    Change,
    ChangeKind,
    counted_on_links,
    counted_on_spans,
)
from annotator.core.services.schema_changes.report import ChangeReport, Count


def build_report(
    old: Schema | None,
    new: Schema,
    changes: Sequence[Change],
    counts: Counter[tuple[Key, str]],
    examples: dict[Key, list[str]],
    done: dict[Key, list[str]],
) -> ChangeReport:
    """``counts``: (key, layer) -> n over the corpus; ``done``: done documents per review key."""
    by_key: dict[Key, Count] = {}
    for (key, layer), n in counts.items():
        by_key.setdefault(key, Count()).add(layer, n)
    report = ChangeReport(old, new)
    for i, change in enumerate(changes):
        report.changes.append((change, _touched(i, change, by_key)))
    for step in new.migrations:
        units = {u: by_key.get(("step", step, u)) for u in ("spans", "values", "links")}
        report.steps.append((step, {u: n for u, n in units.items() if n is not None}))
    for key, count in sorted(by_key.items(), key=lambda item: str(item[0])):
        kind = key[0]
        if kind == "conflict":
            report.conflicts.append((key[1], count, examples.get(key, [])))
        elif kind == "review":
            what, unit = _review_text(new, key)
            report.review.append((what, unit, count, sorted(set(done.get(key, [])))))
        elif kind == "restored":
            report.restored.append((f"{'.'.join(key[2:])} {key[1]}", count))
        elif kind == "kept":
            if key[1] == "overlap":
                report.kept.append((f"{key[2]} spans that overlap spans made since", count))
            else:
                report.kept.append((f"{key[2]} links over its limit", count))
    return report


def _touched(i: int, change: Change, by_key: dict[Key, Count]) -> Count:
    if counted_on_spans(change) or counted_on_links(change):
        return by_key.get(("change", i), Count())
    n = change.new
    wanted: list[Key] = []
    match change.kind:
        case ChangeKind.ATTRIBUTE_ADDED | ChangeKind.ATTRIBUTE_REQUIRED:
            missing = "link-missing" if change.on_link else "missing"
            wanted = [("review", missing, n[0], n[1])]
        case ChangeKind.LABEL_OVERLAP:
            wanted = [("review", "overlap", n[0])]
        case ChangeKind.RELATION_MAX:
            wanted = [("review", "max", n[0])]
        case ChangeKind.LABEL_ADDED:
            wanted = [("restored", "spans", n[0])]
        case ChangeKind.RELATION_ADDED:
            wanted = [("restored", "links", n[0])]
        case ChangeKind.ATTRIBUTE_TYPE | ChangeKind.RELATION_ENDS:
            kind = "type" if change.kind is ChangeKind.ATTRIBUTE_TYPE else "ends"
            wanted = [
                key
                for key in by_key
                if key[0] == "conflict"
                and isinstance(key[1], Outside)
                and key[1].kind == kind
                and key[1].names[: len(n)] == n
            ]
    total = Count()
    for key in wanted:
        for layer, count in by_key.get(key, Count()).layers.items():
            total.add(layer, count)
    return total


def _review_text(schema: Schema, key: Key) -> tuple[str, str]:
    if key[1] == "missing":
        return f"{key[2]}.{key[3]} is required but not set", "spans"
    if key[1] == "link-missing":
        return f"{key[2]}.{key[3]} is required but not set", "links"
    if key[1] == "overlap":
        return f"{key[2]} spans may not overlap", "spans"
    rel = schema.relation(key[2])
    limit = rel.max if rel is not None else "?"
    source = rel.source if rel is not None else "span"
    return f"{key[2]} allows {limit} {'link' if limit == 1 else 'links'} from one {source}", "links"
