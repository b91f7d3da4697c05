"""Agreement on relations between two annotators, given how their spans were matched.

A link can only be compared where both its ends exist for both annotators, so links count only
when both end spans are matched pairs; a link whose ends one annotator never marked is a span
disagreement, already counted there, and is not counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from annotator.core.domain.agreement.items import LinkItem

NONE = "none"

Combos = Collection[tuple[str, str]]  # (source label, target label) a relation connects


@dataclass(frozen=True)
class LinkCounts:
    """One relation: link F1 counts, and ``items``, the candidate pairs of spans for kappa."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    items: int = 0

    def __add__(self, other: LinkCounts) -> LinkCounts:
        return LinkCounts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.items + other.items
        )

    def table(self, relation: str) -> dict[tuple[str, str], int]:
        """The kappa confusion table: (first's category, second's category) -> count."""
        return {
            (relation, relation): self.tp,
            (relation, NONE): self.fn,
            (NONE, relation): self.fp,
            (NONE, NONE): self.items - self.tp - self.fn - self.fp,
        }


def relation_combos(
    label_of: Mapping[int, str], links: Sequence[LinkItem], into: dict[str, set[tuple[str, str]]]
) -> None:
    """Add the (source label, target label) of each link, per relation label, to ``into``.

    ``label_of`` maps the annotator's span ids in the document to their labels.
    """
    for link in links:
        source, target = label_of.get(link.source_id), label_of.get(link.target_id)
        if source is not None and target is not None:
            into.setdefault(link.label, set()).add((source, target))


def link_counts(
    relations: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    labels: Sequence[str],
    first: Sequence[LinkItem],
    second: Sequence[LinkItem],
    combos: Mapping[str, Combos],
) -> dict[str, LinkCounts]:
    """Compare the two annotators' links of each relation between matched spans in a document.

    ``pairs`` are the matched (first id, second id) span pairs and ``labels`` their labels.
    F1 counts the links (distinct source, target) whose two ends are both matched, the first
    annotator taken as reference. For kappa every ordered pair of distinct matched spans whose
    labels the relation connects (``combos``, collected over all annotators) is an item, the
    category being the relation or "none"; the many unlinked items are counted, not listed.
    Links of a span to itself are ignored.
    """
    wanted = set(relations)
    firsts, seconds = zip(*pairs, strict=True) if pairs else ((), ())
    mine = _linked(first, dict(zip(firsts, range(len(pairs)), strict=True)), wanted)
    theirs = _linked(second, dict(zip(seconds, range(len(pairs)), strict=True)), wanted)
    per_label = Counter(labels)
    result = {}
    for relation in relations:
        connects = combos.get(relation, ())
        ours, others = mine.get(relation, set()), theirs.get(relation, set())
        for source, target in ours | others:
            if (labels[source], labels[target]) not in connects:
                raise ValueError(
                    f"{relation}: a link from {labels[source]} to {labels[target]}, "
                    "a pair of labels missing from its combos"
                )
        tp = len(ours & others)
        fn = len(ours) - tp
        fp = len(others) - tp
        items = sum(per_label[s] * (per_label[t] - (s == t)) for s, t in connects)
        result[relation] = LinkCounts(tp, fp, fn, items)
    return result


def _linked(
    links: Sequence[LinkItem], matched: Mapping[int, int], relations: Collection[str]
) -> dict[str, set[tuple[int, int]]]:
    """Per relation, the links as (matched pair, matched pair); unmatched ends left out."""
    found: dict[str, set[tuple[int, int]]] = {}
    for link in links:
        if link.label not in relations:
            continue
        source, target = matched.get(link.source_id), matched.get(link.target_id)
        if source is not None and target is not None and source != target:
            found.setdefault(link.label, set()).add((source, target))
    return found


def matched_links(
    pairs: Sequence[tuple[int, int]], first: Sequence[LinkItem], second: Sequence[LinkItem]
) -> list[tuple[LinkItem, LinkItem]]:
    """The links both annotators made, as (first's link, second's link): the same relation
    between spans matched to each other (``pairs``: matched (first id, second id))."""
    theirs_of = {b: a for a, b in pairs}
    by_ends: dict[tuple[str, int, int], LinkItem] = {}
    for link in second:
        source, target = theirs_of.get(link.source_id), theirs_of.get(link.target_id)
        if source is not None and target is not None:
            by_ends.setdefault((link.label, source, target), link)
    found = []
    for link in first:
        other = by_ends.get((link.label, link.source_id, link.target_id))
        if other is not None:
            found.append((link, other))
    return found
