"""The curation view's rows: each span any annotator made on a document, how they agree, and
whether gold already holds it.

A row is a span identity (boundaries and label). Its state says what a curator must do:
``agreed`` (every annotator who finished the document has it with the same values),
``disagreed`` (some lack it, or their values differ), ``single`` (only one annotator has it),
``gold`` (gold holds it already). Rows come in text order, so "next disagreement" is a walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from annotator.core.domain.adjudicating import Layer, SpanKey, values_key
from annotator.core.domain.collector import collector_paused

AGREED, DISAGREED, SINGLE, IN_GOLD = "agreed", "disagreed", "single", "gold"
STATES = (AGREED, DISAGREED, SINGLE, IN_GOLD)


class Version(NamedTuple):
    """One annotator's version of a row's span. (Named tuples: a document of three annotators'
    10,000 spans each makes 30,000 of these whenever the curation view opens it.)"""

    annotator: str
    span_id: int
    attributes: Mapping[str, Any]


class CurationRow(NamedTuple):
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
    with collector_paused():  # tens of thousands of small tuples, no cycles
        return _rows(layers, gold)


def _rows(layers: Mapping[str, Layer], gold: Layer) -> list[CurationRow]:
    in_gold = {(s.start, s.end, s.label): s.id for s in gold.spans}
    found: dict[SpanKey, list[Version]] = {}
    # Readers share one dict per distinct attribute text: compare each of those once.
    value_keys: dict[int, bytes] = {}
    for name in sorted(layers):
        for span in layers[name].spans:
            key = (span.start, span.end, span.label)
            version = Version(name, span.id, span.attributes)
            versions = found.get(key)
            if versions is None:
                found[key] = [version]
            else:
                versions.append(version)
    everyone = len(layers)
    rows = []
    for key in sorted(found.keys() | in_gold.keys()):
        versions = found.get(key, [])
        if key in in_gold:
            state = IN_GOLD
        elif len(versions) == 1 and everyone > 1:
            state = SINGLE
        elif len({v.annotator for v in versions}) == everyone and _same_values(
            versions, value_keys
        ):
            state = AGREED
        else:
            state = DISAGREED
        rows.append(CurationRow(key, state, tuple(versions), in_gold.get(key), everyone))
    return rows


def _same_values(versions: list[Version], cache: dict[int, bytes]) -> bool:
    first = versions[0].attributes
    if all(v.attributes is first for v in versions):
        return True
    seen = set()
    for v in versions:
        ident = id(v.attributes)
        vkey = cache.get(ident)
        if vkey is None:
            vkey = cache[ident] = values_key(v.attributes)
        seen.add(vkey)
    return len(seen) == 1
