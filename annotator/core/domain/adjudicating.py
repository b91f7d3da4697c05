"""What annotators agree on, as the automatic step of adjudication decides it.

A span is identified by its boundaries and label; it is agreed when at least ``min_agree``
layers hold it with the same values (attributes, unset ones ignored). A link is agreed when
that many layers link the same two spans (by identity) with the same relation and the same
values of its own (stance toward its target). Everything else is left for a person to decide,
with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

SpanKey = tuple[int, int, str]  # start, end, label
LinkKey = tuple[SpanKey, SpanKey, str]  # source, target, relation


class SpanLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, Any]: ...


class LinkLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def source_id(self) -> int: ...
    @property
    def target_id(self) -> int: ...
    @property
    def attributes(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Layer:
    spans: Sequence[SpanLike]
    links: Sequence[LinkLike]


@dataclass(frozen=True)
class AgreedSpan:
    key: SpanKey
    attributes: dict[str, Any]
    supporters: tuple[str, ...]


@dataclass(frozen=True)
class Undecided:
    """Something annotators did not agree on (enough), and why."""

    what: str  # "span" or "link"
    key: SpanKey | LinkKey
    holders: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Decision:
    spans: list[AgreedSpan]
    links: list[LinkKey]
    undecided: list[Undecided]
    link_values: dict[LinkKey, dict[str, Any]] = field(default_factory=dict)  # agreed ones


def values_key(attributes: Mapping[str, Any]) -> bytes:
    """Attributes compared as values: unset (None) ones ignored, key order irrelevant."""
    return orjson.dumps(
        {k: v for k, v in attributes.items() if v is not None}, option=orjson.OPT_SORT_KEYS
    )


def span_key(span: SpanLike) -> SpanKey:
    return (span.start, span.end, span.label)


def link_keys(layer: Layer) -> set[LinkKey]:
    return set(link_values(layer))


def link_values(layer: Layer) -> dict[LinkKey, Mapping[str, Any]]:
    """Each link of the layer by its key, with its own values."""
    by_id = {s.id: span_key(s) for s in layer.spans}
    return {
        (by_id[r.source_id], by_id[r.target_id], r.label): r.attributes
        for r in layer.links
        if r.source_id in by_id and r.target_id in by_id
    }


def decide(layers: Mapping[str, Layer], gold: Layer, min_agree: int) -> Decision:
    """What goes into gold from ``layers`` (people's work), given what gold already holds."""
    in_gold = {span_key(s) for s in gold.spans}
    gold_links = link_keys(gold)
    holders: dict[SpanKey, dict[bytes, list[str]]] = defaultdict(lambda: defaultdict(list))
    values: dict[bytes, dict[str, Any]] = {}
    for name, layer in sorted(layers.items()):
        for span in layer.spans:
            vkey = values_key(span.attributes)
            values.setdefault(vkey, {k: v for k, v in span.attributes.items() if v is not None})
            holders[span_key(span)][vkey].append(name)
    agreed: list[AgreedSpan] = []
    undecided: list[Undecided] = []
    for key in sorted(holders):
        if key in in_gold:
            continue
        by_value = holders[key]
        everyone = tuple(sorted({n for names in by_value.values() for n in names}))
        best_value, best = max(by_value.items(), key=lambda kv: (len(set(kv[1])), kv[0]))
        if len(set(best)) >= min_agree:
            agreed.append(AgreedSpan(key, values[best_value], tuple(sorted(set(best)))))
        elif len(everyone) >= min_agree:
            undecided.append(Undecided("span", key, everyone, "same span, different values"))
        else:
            undecided.append(
                Undecided("span", key, everyone, f"{len(everyone)} of {min_agree} needed")
            )
    present = in_gold | {a.key for a in agreed}
    link_holders: dict[LinkKey, dict[bytes, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, layer in sorted(layers.items()):
        for link, attributes in link_values(layer).items():
            vkey = values_key(attributes)
            values.setdefault(vkey, {k: v for k, v in attributes.items() if v is not None})
            link_holders[link][vkey].append(name)
    links: list[LinkKey] = []
    chosen: dict[LinkKey, dict[str, Any]] = {}
    for link in sorted(link_holders):
        if link in gold_links:
            continue
        by_value = link_holders[link]
        names = tuple(sorted({n for held in by_value.values() for n in held}))
        best_value, best = max(by_value.items(), key=lambda kv: (len(kv[1]), kv[0]))
        if len(best) >= min_agree and link[0] in present and link[1] in present:
            links.append(link)
            chosen[link] = values[best_value]
        else:
            reason = (
                f"{len(names)} of {min_agree} needed"
                if len(names) < min_agree
                else "same link, different values"
                if len(best) < min_agree
                else "its spans are not both agreed"
            )
            undecided.append(Undecided("link", link, names, reason))
    return Decision(agreed, links, undecided, chosen)
