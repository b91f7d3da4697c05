"""The agreement report: every pair of annotators, all of them at once, and each document.

Built from plain data and returned as a JSON-ready dict, so the command line can print it as a
table or write it as JSON, and a test can check it without a database.

The choices, made once here so that every figure means the same thing:

- Documents: a pair is compared on the documents both annotators have. A document missing for
  an annotator is not an empty one; the caller decides which documents count (e.g. done ones).
- Spans: matched by ``spans.match_spans`` (exact boundaries or overlap, one-to-one); the first
  annotator of a pair is the reference, so precision and recall swap with the order, F1 does
  not. "*" sums the counts over the measured labels (micro).
- Attributes: compared on matched spans. Unset (None, missing, an empty multi-choice) is a
  category of its own: "unset" against "supports" is a disagreement, unset against unset an
  agreement (see ``items.category_of``).
- Relations: a link agrees when the other annotator has a link of the same label between the
  matched partners of both its ends. F1 counts only links whose two ends are both matched
  (unmatched ends are span disagreements, already counted); kappa takes every ordered pair of
  matched spans the relation can connect as an item (see ``links.link_counts``).
- All annotators: Fleiss' kappa and Krippendorff's alpha take as items the spans that several
  annotators share: the same (label, start, end) in exact mode, chains of pairwise matches in
  overlap mode (see ``groups``). alpha_u uses the documents every annotator has, laid end to
  end; an annotator's overlapping spans of one label count as their union there.

Every value that cannot be computed is ``None``, and its entry carries ``"undefined"``: "key:
reason" for each such key, joined by "; ". Nothing is ever NaN or a made-up 1.0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from itertools import combinations
from typing import Any

from annotator.core.domain.agreement.items import DocAnnotations
from annotator.core.domain.agreement.links import relation_combos
from annotator.core.domain.agreement.overall import (
    add_pair_alpha_u,
    overall_attributes,
    overall_link_attributes,
    overall_relations,
    overall_spans,
    pair_unitized,
    span_entry,
    unitized,
)
from annotator.core.domain.agreement.pairwise import (
    ALL,
    Corpus,
    Entry,
    Options,
    PairResult,
    compare_pair,
    f1_of,
)
from annotator.core.domain.agreement.spans import MODES, Mode
from annotator.core.domain.agreement.unitizing import UnitizingResult
from annotator.core.domain.collector import collector_paused

Report = dict[str, Any]


def agreement_report(
    annotations: Mapping[str, Mapping[str, DocAnnotations]],
    *,
    mode: Mode = "exact",
    labels: Collection[str] | None = None,
    attributes: Mapping[str, Sequence[str]] | None = None,
    relations: Sequence[str] = (),
    link_attributes: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """Agreement of ``annotations`` (annotator -> document key -> what they marked there).

    ``labels`` limits the span measures to those labels (default: every label marked); spans
    are matched on all labels regardless, so that attributes and relations always see every
    match. ``attributes`` names, per label, the attributes to compare on matched spans;
    ``relations`` the relation labels to compare; ``link_attributes``, per relation, the
    attributes to compare on the links both annotators made between matched spans.

    Pairs: P/R/F1 per label (the first annotator as reference), Cohen's kappa per attribute,
    link F1 and kappa per relation. Overall: the mean of the pairs' F1 and alpha_u per label
    (over the documents every annotator has), Fleiss' kappa and Krippendorff's alpha per
    attribute (items from ``groups.span_groups``), mean relation F1 and kappa. Per document:
    the mean F1 of the pairs and alpha_u of the annotators that have it.
    """
    if mode not in MODES:
        raise ValueError(f"unknown matching mode {mode!r}; use one of {', '.join(MODES)}")
    with collector_paused():
        return _report(
            annotations, mode, labels, attributes or {}, relations, link_attributes or {}
        )


def _report(
    annotations: Mapping[str, Mapping[str, DocAnnotations]],
    mode: Mode,
    labels: Collection[str] | None,
    attributes: Mapping[str, Sequence[str]],
    relations: Sequence[str],
    link_attributes: Mapping[str, Sequence[str]],
) -> Report:
    names = sorted(annotations)
    holders = _holders(annotations)
    wanted = [(label, name) for label in sorted(attributes) for name in attributes[label]]
    corpus = Corpus.of(annotations, holders, wanted)
    combos: dict[str, set[tuple[str, str]]] = {}
    for (name, doc), indexed in corpus.spans.items():
        relation_combos(indexed.label_of, annotations[name][doc].links, combos)
    seen = {label for indexed in corpus.spans.values() for label in indexed.totals}
    options = Options(
        mode=mode,
        labels=sorted(labels if labels is not None else seen),
        attributes=wanted,
        relations=list(relations),
        combos=combos,
        link_attributes=[(r, name) for r in sorted(link_attributes) for name in link_attributes[r]],
    )
    pairs = {
        pair: compare_pair(
            corpus, pair, [d for d, m in holders.items() if pair[0] in m and pair[1] in m], options
        )
        for pair in combinations(names, 2)
    }
    for pair, result in pairs.items():
        shared = [d for d, m in holders.items() if pair[0] in m and pair[1] in m]
        add_pair_alpha_u(result.entry, pair_unitized(corpus, pair, shared, set(options.labels)))
    everyone = [doc for doc, members in holders.items() if len(members) == len(names)]
    overall_u, per_doc_u = unitized(corpus, holders, everyone, set(options.labels))
    return {
        "mode": mode,
        "annotators": names,
        "documents": len(holders),
        "labels": list(options.labels),
        "pairs": [result.entry for result in pairs.values()],
        "overall": {
            "documents_all_annotators": len(everyone),
            "spans": overall_spans(pairs, overall_u, options),
            "attributes": overall_attributes(corpus, holders, pairs, options),
            "relations": overall_relations(pairs, options),
            "link_attributes": overall_link_attributes(pairs, options),
        },
        "per_document": _per_document(holders, pairs, per_doc_u, options),
    }


def _holders(annotations: Mapping[str, Mapping[str, DocAnnotations]]) -> dict[str, list[str]]:
    """Document key -> the annotators that have it, for documents at least two have."""
    found: dict[str, list[str]] = defaultdict(list)
    for name in sorted(annotations):
        for doc in annotations[name]:
            found[doc].append(name)
    return {doc: found[doc] for doc in sorted(found) if len(found[doc]) >= 2}


def _per_document(
    holders: Mapping[str, list[str]],
    pairs: Mapping[tuple[str, str], PairResult],
    unitized: Mapping[str, UnitizingResult],
    options: Options,
) -> Entry:
    """Per document: the pairs' mean F1 and alpha_u of its annotators, per label and "*"."""
    chosen = set(options.labels)
    section: Entry = {}
    for doc, members in holders.items():
        matches = [r.matches[doc] for r in pairs.values() if doc in r.matches]
        labels = {}
        for label in options.labels:
            f1s = [f1_of(m.counts.get(label)) for m in matches]
            labels[label] = span_entry(f1s, unitized[doc], label)
        micro = [_micro_f1(m.counts, chosen) for m in matches]
        labels[ALL] = span_entry(micro, unitized[doc], ALL)
        section[doc] = {"annotators": members, "spans": labels}
    return section


def _micro_f1(counts: Mapping[str, Any], labels: Collection[str]) -> float | None:
    """F1 of the counts summed over ``labels``; None when neither annotator marked any."""
    tp = sum(c.tp for label, c in counts.items() if label in labels)
    marked = sum(2 * c.tp + c.fp + c.fn for label, c in counts.items() if label in labels)
    return 2 * tp / marked if marked else None
