"""The curation view's rows: each span any annotator made on a document, how they agree, and
whether gold already holds it.

A row is a span identity (boundaries and label). Its state says what a curator must do:
``agreed`` (every annotator who finished the document has it with the same values),
``disagreed`` (some lack it, or their values differ), ``single`` (only one annotator has it),
``gold`` (gold holds it already). Rows come in text order, so "next disagreement" is a walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotator.core.domain.adjudicating import Layer, SpanKey, span_key, values_key

AGREED, DISAGREED, SINGLE, IN_GOLD = "agreed", "disagreed", "single", "gold"
STATES = (AGREED, DISAGREED, SINGLE, IN_GOLD)


@dataclass(frozen=True)
class Version:
    """One annotator's version of a row's span."""

    annotator: str
    span_id: int
    attributes: dict[str, Any]


@dataclass(frozen=True)
class CurationRow:
    key: SpanKey
    state: str
    versions: tuple[Version, ...]  # by annotator name
    gold_span_id: int | None
    of: int  # how many annotators' work is compared

    @property
    def start(self) -> int:
        return self.key[0]

    @property
    def end(self) -> int:
        return self.key[1]

    @property
    def label(self) -> str:
        return self.key[2]

    @property
    def needs_decision(self) -> bool:
        return self.state in (DISAGREED, SINGLE)


def curation_rows(layers: Mapping[str, Layer], gold: Layer) -> list[CurationRow]:
    """Every span identity in ``layers`` or gold, with its state, in text order."""
    in_gold = {span_key(s): s.id for s in gold.spans}
    found: dict[SpanKey, list[Version]] = {}
    for name in sorted(layers):
        for span in layers[name].spans:
            found.setdefault(span_key(span), []).append(
                Version(name, span.id, dict(span.attributes))
            )
    rows = []
    for key in sorted(set(found) | set(in_gold)):
        versions = tuple(found.get(key, ()))
        holders = {v.annotator for v in versions}
        if key in in_gold:
            state = IN_GOLD
        elif len(holders) == 1 and len(layers) > 1:
            state = SINGLE
        elif len(holders) == len(layers) and len({values_key(v.attributes) for v in versions}) == 1:
            state = AGREED
        else:
            state = DISAGREED
        rows.append(CurationRow(key, state, versions, in_gold.get(key), len(layers)))
    return rows
