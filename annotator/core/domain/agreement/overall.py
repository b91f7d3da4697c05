"""The measures over all annotators at once: mean pairwise F1, alpha_u, Fleiss and alpha.

alpha_u needs every annotator on every text, so the overall figure uses the documents all of
them have; each document also gets its own, over the annotators that have it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence

from annotator.core.domain.agreement.continuum import Interval
from annotator.core.domain.agreement.groups import span_groups
from annotator.core.domain.agreement.measures import (
    ONE_ANNOTATOR,
    Measure,
    fleiss_kappa_counted,
    krippendorff_alpha_counted,
)
from annotator.core.domain.agreement.pairwise import ALL, Corpus, Entry, Options, PairResult, put
from annotator.core.domain.agreement.unitizing import (
    NO_UNITS,
    Grouped,
    UnitizingResult,
    alpha_u,
    alpha_u_each,
)

NOT_ALL = "no document annotated by all annotators"
NO_PAIR = "no pair of annotators marked it"


def _mean(values: Sequence[float | None], reason: str) -> Measure:
    """The mean of the defined values, ``n`` of them: an undefined F1 is not an F1 of 0."""
    defined = [v for v in values if v is not None]
    if not defined:
        return Measure.none(0, reason)
    return Measure(sum(defined) / len(defined), len(defined))


def unitized(
    corpus: Corpus,
    holders: Mapping[str, list[str]],
    everyone: Sequence[str],
    labels: Collection[str],
) -> tuple[UnitizingResult, dict[str, UnitizingResult]]:
    """alpha_u over the documents every annotator has, and per document over its annotators.

    A text is as long as the longest length any annotator gives for it; spans that do not lie
    within it (not possible for stored ones) are left out. An annotator's overlapping spans of
    one label count as their union (see ``unitizing.alpha_u``).
    """
    continua = {}
    for doc, members in holders.items():
        length = max(corpus.annotations[name][doc].length for name in members)
        grouped: dict[Hashable, list[list[Interval]]] = {}
        for r, name in enumerate(members):
            indexed = corpus.spans[(name, doc)]
            inside = indexed.reach[0] >= 0 and indexed.reach[1] <= length
            for label, intervals in indexed.intervals.items():
                if label in labels:
                    if label not in grouped:
                        grouped[label] = [[] for _ in members]
                    grouped[label][r] = (
                        intervals if inside else [iv for iv in intervals if _fits(iv, length)]
                    )
        continua[doc] = Grouped(length, grouped)
    if not everyone:
        reason = ONE_ANNOTATOR if len(corpus.annotations) < 2 else NOT_ALL
        overall, each = UnitizingResult(Measure.none(0, reason)), list[UnitizingResult]()
    else:
        overall, each = alpha_u_each([continua[doc] for doc in everyone], holders[everyone[0]])
    per_doc = dict(zip(everyone, each, strict=True))
    for doc, members in holders.items():
        if doc not in per_doc:
            per_doc[doc] = alpha_u([continua[doc]], members)
    return overall, per_doc


def pair_unitized(
    corpus: Corpus, pair: tuple[str, str], documents: Sequence[str], labels: Collection[str]
) -> UnitizingResult:
    """alpha_u of two annotators over the documents both have: defined even when no document
    has every annotator (each document dealt to 2 of 3, say)."""
    continua = []
    for doc in documents:
        length = max(corpus.annotations[name][doc].length for name in pair)
        grouped: dict[Hashable, list[list[Interval]]] = {}
        for r, name in enumerate(pair):
            indexed = corpus.spans[(name, doc)]
            inside = indexed.reach[0] >= 0 and indexed.reach[1] <= length
            for label, intervals in indexed.intervals.items():
                if label in labels:
                    per_rater = grouped.setdefault(label, [[], []])
                    per_rater[r] = (
                        intervals if inside else [iv for iv in intervals if _fits(iv, length)]
                    )
        continua.append(Grouped(length, grouped))
    if not continua:
        return UnitizingResult(Measure.none(0, NO_UNITS))
    return alpha_u(continua, list(pair))


def add_pair_alpha_u(entry: Entry, result: UnitizingResult) -> None:
    """Put a pair's alpha_u beside its F1, per label and for all labels ("*")."""
    for label, section in entry["spans"].items():
        alpha = result.overall if label == ALL else result.categories.get(label)
        if alpha is None:
            alpha = Measure.none(0, result.overall.undefined or NO_UNITS)
        put(section, "alpha_u", alpha)


def _fits(interval: Interval, length: int) -> bool:
    return interval[0] >= 0 and interval[1] <= length


def span_entry(f1s: Sequence[float | None], unitized: UnitizingResult, label: str) -> Entry:
    """One label's (or "*"'s) mean pairwise F1 and alpha_u, with the counts behind them."""
    entry: Entry = {}
    mean = _mean(f1s, NO_PAIR if f1s else ONE_ANNOTATOR)
    put(entry, "f1_mean", mean)
    entry["pairs"] = mean.n
    alpha = unitized.overall if label == ALL else unitized.categories.get(label)
    if alpha is None:
        alpha = Measure.none(0, unitized.overall.undefined or "no units")
    put(entry, "alpha_u", alpha)
    entry["units"] = alpha.n
    return entry


def overall_spans(
    pairs: Mapping[tuple[str, str], PairResult], unitized: UnitizingResult, options: Options
) -> Entry:
    entries = [p.entry for p in pairs.values()]
    return {
        label: span_entry([e["spans"][label]["f1"] for e in entries], unitized, label)
        for label in [*options.labels, ALL]
    }


def overall_relations(pairs: Mapping[tuple[str, str], PairResult], options: Options) -> Entry:
    entries = [p.entry for p in pairs.values()]
    section: Entry = {}
    for relation in options.relations:
        item: Entry = {}
        for key, source in (("f1_mean", "f1"), ("cohen_kappa_mean", "cohen_kappa")):
            values = [e["relations"][relation][source] for e in entries]
            put(item, key, _mean(values, NO_PAIR if values else ONE_ANNOTATOR))
        section[relation] = item
    return section


def overall_link_attributes(pairs: Mapping[tuple[str, str], PairResult], options: Options) -> Entry:
    """Per relation attribute, the mean of the pairs' Cohen's kappa over their shared links."""
    entries = [p.entry for p in pairs.values()]
    section: Entry = {}
    for relation, name in options.link_attributes:
        key = f"{relation}.{name}"
        values = [e["link_attributes"][key]["cohen_kappa"] for e in entries]
        item: Entry = {"pairs": sum(v is not None for v in values)}
        put(item, "cohen_kappa_mean", _mean(values, NO_PAIR if values else ONE_ANNOTATOR))
        section[key] = item
    return section


def overall_attributes(
    corpus: Corpus,
    holders: Mapping[str, list[str]],
    pairs: Mapping[tuple[str, str], PairResult],
    options: Options,
) -> Entry:
    """Fleiss' kappa and Krippendorff's alpha per attribute over the span groups."""
    # label -> items as the tuples of values of the group's spans, tallied when all are in.
    tallies: dict[str, list[tuple[tuple[Hashable, ...], ...]]] = {
        label: [] for label in corpus.attributes
    }
    for doc, members in holders.items():
        indexed = {name: corpus.spans[(name, doc)] for name in members}
        matches = {
            pair: result.matches[doc].pairs
            for pair, result in pairs.items()
            if doc in result.matches
        }
        values = {name: corpus.values[(name, doc)] for name in members}
        for label, group in span_groups(indexed, matches, options.mode):
            if label in tallies:
                tallies[label].append(tuple([values[n][ident] for n, ident in group.items()]))
    section: Entry = {}
    for label, names in corpus.attributes.items():
        counted = Counter(tallies[label])
        for k, name in enumerate(names):
            items: Counter[tuple[Hashable, ...]] = Counter()
            for item, count in counted.items():
                items[tuple([of_span[k] for of_span in item])] += count
            entry: Entry = {}
            fleiss = fleiss_kappa_counted(items)
            alpha = krippendorff_alpha_counted(items)
            put(entry, "fleiss_kappa", fleiss)
            entry["fleiss_n"] = fleiss.n
            put(entry, "krippendorff_alpha", alpha)
            entry["n"] = alpha.n
            section[f"{label}.{name}"] = entry
    return section
