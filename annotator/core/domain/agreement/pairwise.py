"""Everything two annotators are compared on: spans, attributes of matched spans, relations.

The first annotator of a pair is taken as reference and the second as prediction; F1 and kappa
do not depend on that choice, precision and recall swap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.domain.agreement.items import DocAnnotations, categories_of, category_of
from annotator.core.domain.agreement.links import LinkCounts, link_counts, matched_links
from annotator.core.domain.agreement.measures import Measure, cohen_kappa_table, prf
from annotator.core.domain.agreement.spans import Counts, Indexed, Mode, SpanMatch, match_indexed

Entry = dict[str, Any]
ALL = "*"


@dataclass(frozen=True)
class Options:
    """What to measure: the matching mode, the labels, attributes per label, relation labels."""

    mode: Mode
    labels: Sequence[str]
    attributes: Sequence[tuple[str, str]]  # (label, attribute name)
    relations: Sequence[str]
    # relation -> the (source label, target label) its links connect, over every annotator
    combos: Mapping[str, set[tuple[str, str]]] = field(default_factory=dict)
    link_attributes: Sequence[tuple[str, str]] = ()  # (relation, attribute name)


@dataclass(frozen=True)
class Corpus:
    """The annotations of the compared documents, indexed once for all pairs.

    ``spans``: (annotator, document) -> the spans indexed for matching. ``values``: (annotator,
    document) -> span id -> the categories (``items.category_of``) of its label's measured
    attributes, in the order of ``attributes[label]``.
    """

    annotations: Mapping[str, Mapping[str, DocAnnotations]]
    spans: Mapping[tuple[str, str], Indexed]
    values: Mapping[tuple[str, str], Mapping[int, tuple[Hashable, ...]]]
    attributes: Mapping[str, Sequence[str]]

    @staticmethod
    def of(
        annotations: Mapping[str, Mapping[str, DocAnnotations]],
        holders: Mapping[str, Sequence[str]],
        attributes: Sequence[tuple[str, str]],
    ) -> Corpus:
        wanted: dict[str, list[str]] = {}
        for label, name in attributes:
            wanted.setdefault(label, []).append(name)
        spans = {}
        values = {}
        for doc, members in holders.items():
            for annotator in members:
                found = annotations[annotator][doc].spans
                spans[(annotator, doc)] = Indexed(found)
                values[(annotator, doc)] = categories_of(
                    {
                        s.id: tuple(map(s.attributes.get, wanted[s.label]))
                        for s in found
                        if s.label in wanted
                    }
                )
        return Corpus(annotations, spans, values, wanted)


@dataclass
class PairResult:
    """One pair's report entry, and the matches the multi-annotator measures build on."""

    entry: Entry
    matches: dict[str, SpanMatch]


def put(entry: Entry, key: str, measure: Measure) -> None:
    """Set ``entry[key]``; an undefined value adds "key: reason" to ``entry["undefined"]``."""
    entry[key] = measure.value
    if measure.undefined is not None:
        note = f"{key}: {measure.undefined}"
        entry["undefined"] = f"{entry['undefined']}; {note}" if "undefined" in entry else note


def compare_pair(
    corpus: Corpus, pair: tuple[str, str], documents: Sequence[str], options: Options
) -> PairResult:
    """The entry for ``pair`` over ``documents`` (those both annotators have)."""
    first, second = pair
    matches = {
        doc: match_indexed(corpus.spans[(first, doc)], corpus.spans[(second, doc)], options.mode)
        for doc in documents
    }
    entry: Entry = {"annotators": list(pair), "documents": len(documents)}
    entry["spans"] = _span_section(matches.values(), options.labels)
    entry["attributes"] = _attribute_section(corpus, pair, matches)
    entry["relations"] = _relation_section(corpus, pair, matches, options)
    entry["link_attributes"] = link_attribute_section(corpus, pair, matches, options)
    return PairResult(entry, matches)


def _span_section(matches: Iterable[SpanMatch], labels: Sequence[str]) -> Entry:
    """P/R/F1 per label summed over the documents, and "*": micro over the labels."""
    totals = {label: [0, 0, 0] for label in labels}
    for match in matches:
        for label, counts in match.counts.items():
            if label in totals:
                total = totals[label]
                total[0] += counts.tp
                total[1] += counts.fp
                total[2] += counts.fn
    section: Entry = {label: prf(*total) for label, total in totals.items()}
    section[ALL] = prf(*(sum(t[i] for t in totals.values()) for i in range(3)))
    return section


def _attribute_section(
    corpus: Corpus, pair: tuple[str, str], matches: Mapping[str, SpanMatch]
) -> Entry:
    """Cohen's kappa of each (label, attribute) over the matched spans of that label.

    Matched spans are tallied by their tuples of values first; the tables per attribute are
    summed from the (few) distinct tuples.
    """
    tallies: dict[str, list[tuple[tuple[Hashable, ...], tuple[Hashable, ...]]]] = {
        label: [] for label in corpus.attributes
    }
    for doc, match in matches.items():
        mine, theirs = corpus.values[(pair[0], doc)], corpus.values[(pair[1], doc)]
        for (a, b), label in zip(match.pairs, match.labels, strict=True):
            found = mine.get(a)
            if found is not None:
                tallies[label].append((found, theirs[b]))
    section: Entry = {}
    for label, names in corpus.attributes.items():
        counted = Counter(tallies[label])
        for k, name in enumerate(names):
            table: Counter[tuple[Hashable, Hashable]] = Counter()
            for (mine_values, their_values), count in counted.items():
                table[(mine_values[k], their_values[k])] += count
            kappa = cohen_kappa_table(table)
            item: Entry = {"n": kappa.n}
            put(item, "cohen_kappa", kappa)
            section[f"{label}.{name}"] = item
    return section


def _relation_section(
    corpus: Corpus, pair: tuple[str, str], matches: Mapping[str, SpanMatch], options: Options
) -> Entry:
    """Link F1 and kappa per relation label (see ``links.link_counts``)."""
    totals = dict.fromkeys(options.relations, LinkCounts())
    if options.relations:
        for doc, match in matches.items():
            first, second = (corpus.annotations[name][doc] for name in pair)
            found = link_counts(
                options.relations,
                match.pairs,
                match.labels,
                first.links,
                second.links,
                options.combos,
            )
            for relation, counts in found.items():
                totals[relation] += counts
    section: Entry = {}
    for relation, counts in totals.items():
        item: Entry = dict(prf(counts.tp, counts.fp, counts.fn))
        kappa = cohen_kappa_table(counts.table(relation))
        item["n"] = kappa.n
        put(item, "cohen_kappa", kappa)
        section[relation] = item
    return section


def link_attribute_section(
    corpus: Corpus, pair: tuple[str, str], matches: Mapping[str, SpanMatch], options: Options
) -> Entry:
    """Cohen's kappa of each (relation, attribute) over the links both annotators made between
    the same matched spans: a link's values, compared as a matched span's are."""
    tables: dict[tuple[str, str], Counter[tuple[Hashable, Hashable]]] = {
        key: Counter() for key in options.link_attributes
    }
    if tables:
        for doc, match in matches.items():
            first, second = (corpus.annotations[name][doc] for name in pair)
            for a, b in matched_links(match.pairs, first.links, second.links):
                for relation, name in tables:
                    if a.label == relation:
                        table = tables[(relation, name)]
                        table[(category_of(a.attributes.get(name)),
                               category_of(b.attributes.get(name)))] += 1  # fmt: skip
    section: Entry = {}
    for (relation, name), table in tables.items():
        kappa = cohen_kappa_table(table)
        item: Entry = {"n": kappa.n}
        put(item, "cohen_kappa", kappa)
        section[f"{relation}.{name}"] = item
    return section


def f1_of(counts: Counts | None) -> float | None:
    """F1 of one label's counts; None when neither annotator marked the label."""
    if counts is None:
        return None
    marked = 2 * counts.tp + counts.fp + counts.fn
    return 2 * counts.tp / marked if marked else None
