"""Several engines' suggestions for one document, made into one set of frames.

Two engines that propose the same span (same edges, same label) make one suggestion: the most
confident version is kept and every engine that proposed it is remembered. A span of a frame's
other labels (WEAPON, TARGET) that lies inside a suggested statement gets the frame's link from
that statement (``about``, ``aimed_at``): the pattern engine finds weapons, the quotes engine
statements, and the frame needs both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.domain.suggesting.frames import FrameRoles, SuggestedSpan, Suggestions

SpanPlace = tuple[int, int, str]  # start, end, label
LinkPlace = tuple[SpanPlace, SpanPlace, str]  # source, target, relation


@dataclass(frozen=True)
class MergedSpan:
    """One suggested span, with every engine that proposed it (most confident version)."""

    span: SuggestedSpan
    engines: tuple[str, ...]

    @property
    def place(self) -> SpanPlace:
        return (self.span.start, self.span.end, self.span.label)


@dataclass(frozen=True)
class MergedLink:
    source: SpanPlace
    target: SpanPlace
    label: str
    confidence: float
    engines: tuple[str, ...]

    @property
    def place(self) -> LinkPlace:
        return (self.source, self.target, self.label)


@dataclass(frozen=True)
class Composition:
    """A document's suggestions from every engine run on it, merged, in text order."""

    spans: tuple[MergedSpan, ...] = ()
    links: tuple[MergedLink, ...] = ()


def _union(a: tuple[str, ...], b: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*a, *b]))


def compose(runs: Sequence[Suggestions], roles: FrameRoles | None) -> Composition:
    """Merge ``runs`` (one per engine) and link spans lying inside statements (see module)."""
    spans: dict[SpanPlace, MergedSpan] = {}
    links: dict[LinkPlace, MergedLink] = {}
    for run in runs:
        where: dict[str, SpanPlace] = {}
        for span in run.spans:
            place = (span.start, span.end, span.label)
            where[span.key] = place
            have = spans.get(place)
            if have is None:
                spans[place] = MergedSpan(span, (span.engine,))
            else:
                best = span if span.confidence > have.span.confidence else have.span
                spans[place] = MergedSpan(best, _union(have.engines, [span.engine]))
        for link in run.links:
            if link.source not in where or link.target not in where:
                continue  # an engine's link to a span it did not return: nothing to link
            _add_link(
                links,
                MergedLink(
                    where[link.source],
                    where[link.target],
                    link.label,
                    link.confidence,
                    (link.engine,),
                ),
            )
    if roles is not None:
        _frame_links(spans, links, roles)
    ordered = sorted(spans.values(), key=lambda m: m.place)
    return Composition(tuple(ordered), tuple(sorted(links.values(), key=lambda m: m.place)))


def _add_link(links: dict[LinkPlace, MergedLink], link: MergedLink) -> None:
    have = links.get(link.place)
    if have is None:
        links[link.place] = link
    else:
        links[link.place] = MergedLink(
            link.source,
            link.target,
            link.label,
            max(have.confidence, link.confidence),
            _union(have.engines, link.engines),
        )


def _frame_links(
    spans: dict[SpanPlace, MergedSpan], links: dict[LinkPlace, MergedLink], roles: FrameRoles
) -> None:
    """Link each span of a frame label to the statements it lies in (the innermost ones
    only when statements nest: a weapon belongs to the claim that names it)."""
    relation_of = {label: relation for relation, label in roles.other_relations.items()}
    statements = [m for m in spans.values() if m.span.label == roles.statement_label]
    for part in spans.values():
        relation = relation_of.get(part.span.label)
        if relation is None:
            continue
        holders = [
            s for s in statements if s.span.start <= part.span.start and part.span.end <= s.span.end
        ]
        inner = [
            s for s in holders if not any(o is not s and _inside(o.span, s.span) for o in holders)
        ]
        for statement in inner:
            _add_link(
                links,
                MergedLink(
                    statement.place,
                    part.place,
                    relation,
                    min(statement.span.confidence, part.span.confidence),
                    _union(statement.engines, part.engines),
                ),
            )


def _inside(inner: SuggestedSpan, outer: SuggestedSpan) -> bool:
    """``inner`` lies within ``outer`` and is not the same span."""
    same = (inner.start, inner.end) == (outer.start, outer.end)
    return not same and outer.start <= inner.start and inner.end <= outer.end
