"""Agreement between annotators on the database's work: read once, measured in the domain.

The measures themselves are ``annotator.core.domain.agreement`` (pure, checked against
scikit-learn, statsmodels and the krippendorff package); this module chooses the work (which
annotators, which documents: done by default, which labels) and what to compare (the schema's
choice and yes/no attributes, its relations), so the CLI and the window report the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from annotator.core.domain.agreement import (
    DocAnnotations,
    Mode,
    agreement_report,
    prf,
)
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.schema import Schema
from annotator.core.domain.schema.model import AttributeType
from annotator.core.services.team_reading import DocumentWork, choose_layers, read_work
from annotator.core.storage.db import Database

COMPARED_TYPES = (AttributeType.CHOICE, AttributeType.MULTI, AttributeType.BOOL)


def compared_attributes(schema: Schema) -> dict[str, list[str]]:
    """Per label, the attributes whose values agreement compares (categories, not free text)."""
    return {
        label.name: [a.name for a in label.attributes if a.type in COMPARED_TYPES]
        for label in schema.labels
        if any(a.type in COMPARED_TYPES for a in label.attributes)
    }


def compared_link_attributes(schema: Schema) -> dict[str, list[str]]:
    """Per relation, the attributes of its links that agreement compares (stance toward)."""
    return {
        rel.name: [a.name for a in rel.attributes if a.type in COMPARED_TYPES]
        for rel in schema.relations
        if any(a.type in COMPARED_TYPES for a in rel.attributes)
    }


def as_items(work: Sequence[DocumentWork]) -> dict[str, dict[str, DocAnnotations]]:
    """Annotator -> document key -> their spans and links, as the domain's measures take them."""
    found: dict[str, dict[str, DocAnnotations]] = {}
    for doc in work:
        for name, layer in doc.layers.items():
            found.setdefault(name, {})[doc.key] = DocAnnotations(
                doc.length, layer.spans, layer.relations
            )
    return found


def worked_on(statuses: Sequence[str] | None) -> Sequence[str]:
    """The statuses compared; None ("any") means every document the layer worked on. One it
    never opened ("new") holds nothing of theirs: read as an empty annotation it would count
    as shared with everyone, and lower every figure with documents nobody compared."""
    return [s for s in STATUSES if s != "new"] if statuses is None else statuses


def measure_agreement(
    db: Database,
    schema: Schema,
    *,
    annotators: Sequence[str] | None = None,
    statuses: Sequence[str] | None = ("done",),
    documents: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    mode: Mode = "exact",
    checkpoint: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The agreement report (see ``agreement_report``) plus what was selected.

    ``checkpoint`` is called between reading the work and measuring it: a caller that may be
    cancelled raises there rather than wait for the measures."""
    for label in labels or ():
        if schema.label(label) is None:
            raise ValidationError(f"label {label!r} is not in schema {schema.name!r}")
    people = choose_layers(db, annotators)
    work = read_work(db, people, statuses=worked_on(statuses), documents=documents, labels=None)
    if checkpoint is not None:
        checkpoint()
    report = agreement_report(
        as_items(work),
        mode=mode,
        labels=list(labels) if labels else [label.name for label in schema.labels],
        attributes=compared_attributes(schema),
        relations=[r.name for r in schema.relations],
        link_attributes=compared_link_attributes(schema),
    )
    report["selection"] = {
        "annotators": [p.name for p in people],
        "statuses": list(statuses) if statuses is not None else "any",
        "documents": list(documents) if documents else "all",
        "labels": list(labels) if labels else "all",
        "schema": {"name": schema.name, "version": schema.version},
    }
    return report


def partners(db: Database, chosen: Sequence[str]) -> list[tuple[str, str]]:
    """Each chosen layer paired with every person and every other chosen layer, each pair once:
    what a team lead asks about one annotator (or gold) — whom they agree with, and how far."""
    layers = [p.name for p in choose_layers(db, chosen)]
    people = [p.name for p in choose_layers(db, None)]
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for name in layers:
        for other in dict.fromkeys([*layers, *people]):
            if other != name:
                pairs.setdefault(frozenset((name, other)), (name, other))
    return list(pairs.values())


def with_reference_swapped(entry: Any) -> Any:
    """A pair's entry measured with the other annotator as the reference: each count of
    P/R/F1 with false positives and false negatives exchanged (so precision and recall, and
    their notes, swap); F1, kappa and alpha_u do not depend on the order and stay."""
    if isinstance(entry, list):
        return [with_reference_swapped(item) for item in entry]
    if not isinstance(entry, dict):
        return entry
    if {"tp", "fp", "fn", "precision", "recall"} <= entry.keys():
        kept = {k: v for k, v in entry.items() if k != "undefined"}
        return {**kept, **prf(entry["tp"], entry["fn"], entry["fp"])}
    return {key: with_reference_swapped(value) for key, value in entry.items()}


def measure_pairs(
    db: Database,
    schema: Schema,
    pairs: Sequence[tuple[str, str]],
    *,
    statuses: Sequence[str] | None = ("done",),
    checkpoint: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """The agreement report of each pair on its own (the pair's entry: span P/R/F1, alpha_u per
    label), the work read once; pairs without a document in common are left out. People are
    read on the documents they have in ``statuses``; gold (or suggestions), which has no "done"
    of its own, wherever it was written.

    Only the pairs asked for are measured (not every pair among everyone), and ``checkpoint``
    is called after reading and after each pair, so a cancel does not wait for the rest."""
    names = list(dict.fromkeys(name for pair in pairs for name in pair))
    layers = choose_layers(db, names)
    people = [a for a in layers if a.is_person]
    items = as_items(read_work(db, people, statuses=worked_on(statuses), labels=None))
    others = [a for a in layers if not a.is_person]
    if others:  # gold has no "done" of its own: wherever it was written (a status set)
        items.update(as_items(read_work(db, others, statuses=worked_on(None), labels=None)))
    if checkpoint is not None:
        checkpoint()
    entries = []
    for first, second in pairs:
        shared = set(items.get(first, {})) & set(items.get(second, {}))
        if shared:
            report = agreement_report(
                {first: items[first], second: items[second]},
                labels=[label.name for label in schema.labels],
            )
            entry = report["pairs"][0]
            if sorted((first, second))[0] != first:  # the report's reference is the first
                entry = with_reference_swapped(entry)  # by name: the chosen layer's, here
            entry["annotators"] = [first, second]  # the chosen layer first, as asked
            entries.append(entry)
        if checkpoint is not None:
            checkpoint()
    return entries
