"""Which spans of several annotators mark "the same" span, for the multi-annotator measures.

Fleiss' kappa and Krippendorff's alpha compare all annotators at once, so they need items that
hold one span per annotator, not pairs. In exact mode the item is the (label, start, end)
itself. In overlap mode there is no such key, so the pairwise matches are chained into clusters
(A's span matched B's, B's matched C's: one item); a cluster that chains two spans of the same
annotator has no single value per annotator and is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from annotator.core.domain.agreement.spans import Indexed, Mode

Node = tuple[str, int]  # (annotator, span id)
Group = tuple[str, dict[str, int]]  # (label, annotator -> span id)


def span_groups(
    spans: Mapping[str, Indexed],
    matches: Mapping[tuple[str, str], Sequence[tuple[int, int]]],
    mode: Mode,
) -> list[Group]:
    """Groups of two or more annotators' spans in one document, each annotator at most once.

    ``spans`` maps annotator -> indexed spans, ``matches`` (first, second) annotator -> matched
    id pairs (used in overlap mode only). The order of the groups carries no meaning.
    """
    if mode == "exact":
        return _by_identity(spans)
    return _by_chains(spans, matches)


def _by_identity(spans: Mapping[str, Indexed]) -> list[Group]:
    found: dict[tuple[int, int, str], dict[str, int]] = {}
    for name, indexed in spans.items():
        for key, ids in indexed.by_key.items():
            # An annotator's identical duplicates (impossible in a stored document): the first.
            found.setdefault(key, {})[name] = min(ids)
    return [(key[2], group) for key, group in found.items() if len(group) >= 2]


def _by_chains(
    spans: Mapping[str, Indexed], matches: Mapping[tuple[str, str], Sequence[tuple[int, int]]]
) -> list[Group]:
    """Connected components of the matches; each node keeps the list of its component."""
    component: dict[Node, list[Node]] = {}
    for (first, second), pairs in matches.items():
        for a, b in pairs:
            node_a, node_b = (first, a), (second, b)
            of_a, of_b = component.get(node_a), component.get(node_b)
            if of_a is None:
                if of_b is None:
                    of_b = component[node_b] = [node_b]
                of_b.append(node_a)
                component[node_a] = of_b
            elif of_b is None:
                of_a.append(node_b)
                component[node_b] = of_a
            elif of_a is not of_b:
                small, large = sorted((of_a, of_b), key=len)
                for node in small:
                    component[node] = large
                large.extend(small)
    groups = []
    seen: set[int] = set()
    for members in component.values():
        if id(members) in seen:
            continue
        seen.add(id(members))
        group = dict(members)
        if len(group) == len(members):  # no annotator twice
            name, ident = members[0]
            groups.append((spans[name].label_of[ident], group))
    return groups
