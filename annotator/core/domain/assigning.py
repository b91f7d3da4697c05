"""Dealing documents to annotators: how many each, how many see the same document, seeded.

Pure and deterministic: the same documents, people, holdings and seed give the same deal, and
a document's place in the deal depends only on its key and the seed, so adding documents to a
project does not reshuffle the ones already there. Holdings (documents someone was given or has
worked on) count towards a document's annotators and are never dealt again or taken back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotator.core.domain.errors import ValidationError


@dataclass(frozen=True)
class DealSpec:
    """``overlap`` annotators for a share (``overlap_share``, 0-1) of documents, one for the rest.

    ``per_person`` caps how many new documents each person gets in this deal (None: no cap).
    """

    people: tuple[str, ...]
    per_person: int | None = None
    overlap: int = 1
    overlap_share: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.people:
            raise ValidationError("name at least one annotator to assign documents to")
        if len(set(self.people)) != len(self.people):
            raise ValidationError("an annotator is named twice")
        if self.per_person is not None and self.per_person < 1:
            raise ValidationError("the number of documents per annotator must be at least 1")
        if not 1 <= self.overlap <= len(self.people):
            raise ValidationError(
                f"overlap {self.overlap} needs between 1 and {len(self.people)} annotators "
                f"(the number named)"
            )
        if not 0.0 <= self.overlap_share <= 1.0:
            raise ValidationError("the overlap share must be between 0 and 100 %")


def _rank(seed: int, key: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{key}".encode()).digest()


def wanted_annotators(spec: DealSpec, keys: Sequence[str]) -> dict[str, int]:
    """How many annotators each document should have: ``overlap`` for the seeded share."""
    if spec.overlap == 1 or spec.overlap_share == 0:
        return dict.fromkeys(keys, 1)
    ordered = sorted(keys, key=lambda k: _rank(spec.seed, "overlap\x00" + k))
    doubled = set(ordered[: round(len(ordered) * spec.overlap_share)])
    return {k: spec.overlap if k in doubled else 1 for k in keys}


def deal(
    spec: DealSpec,
    keys: Sequence[str],
    held: Mapping[str, frozenset[str]],
) -> dict[str, list[str]]:
    """New documents for each person: key lists, in dealing order.

    ``held`` maps a document key to the people who already have it (assigned or worked on);
    they count towards its wanted annotators. Each document goes to the people with the fewest
    documents so far in this deal (ties broken by a seeded order of the people), never to one
    who holds it, and never beyond a person's cap.
    """
    wanted = wanted_annotators(spec, keys)
    order = sorted(keys, key=lambda k: _rank(spec.seed, k))
    tiebreak = {p: _rank(spec.seed, "person\x00" + p) for p in spec.people}
    given: dict[str, list[str]] = {p: [] for p in spec.people}
    for key in order:
        holders = held.get(key, frozenset())
        need = wanted[key] - len(holders)
        if need <= 0:
            continue
        free = [
            p
            for p in spec.people
            if p not in holders and (spec.per_person is None or len(given[p]) < spec.per_person)
        ]
        if not free:
            if spec.per_person is not None and all(
                len(g) >= spec.per_person for g in given.values()
            ):
                break
            continue
        free.sort(key=lambda p: (len(given[p]), tiebreak[p]))
        for person in free[:need]:
            given[person].append(key)
    return given
