"""How good suggestions are, measured against a reference layer (gold or an annotator).

A suggested span counts as found when a reference span of the same label overlaps it by at least
half of the longer of the two (``min_overlap``); each reference span is matched at most once,
best overlap first. A found statement's speaker is right when the suggested speaker mention
overlaps the reference one, or when both name the same person: the same entity id when both
have one, else the same surname (the last word of the name a mention refers to, or of its text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PRONOUNS = frozenset(
    ["he", "she", "they", "it", "him", "her", "them", "his", "its", "their", "we", "i", "you"]
)


@dataclass(frozen=True)
class ScoredSpan:
    """One span to compare: where it is, its label, and who it names (for speakers)."""

    start: int
    end: int
    label: str
    text: str = ""
    refers_to: str = ""  # the full name the mention resolves to, when known
    entity: str = ""  # a registry entity id, when linked


@dataclass(frozen=True)
class LabelScore:
    label: str
    found: int  # suggested spans matched to a reference span
    suggested: int
    reference: int

    @property
    def precision(self) -> float:
        return self.found / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.reference if self.reference else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class SpeakerScore:
    right: int  # found statements whose suggested speaker names the reference speaker
    judged: int  # found statements that have a reference speaker

    @property
    def accuracy(self) -> float:
        return self.right / self.judged if self.judged else 0.0


def overlap_share(a: ScoredSpan, b: ScoredSpan) -> float:
    """The overlap of two spans as a share of the longer one (0 when apart)."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    longest = max(a.end - a.start, b.end - b.start)
    return inter / longest if inter > 0 and longest > 0 else 0.0


def match(
    suggested: Sequence[ScoredSpan], reference: Sequence[ScoredSpan], min_overlap: float = 0.5
) -> dict[int, int]:
    """Suggested index -> reference index, one to one, same label, best overlap first."""
    pairs = sorted(
        (
            (overlap_share(s, r), i, j)
            for i, s in enumerate(suggested)
            for j, r in enumerate(reference)
            if s.label == r.label
        ),
        reverse=True,
    )
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for share, i, j in pairs:
        if share < min_overlap:
            break
        if i in matched or j in taken:
            continue
        matched[i] = j
        taken.add(j)
    return matched


def score_labels(
    suggested: Sequence[ScoredSpan], reference: Sequence[ScoredSpan], min_overlap: float = 0.5
) -> dict[str, LabelScore]:
    """Precision, recall and F1 per label (every label either side has)."""
    matched = match(suggested, reference, min_overlap)
    labels = sorted({s.label for s in suggested} | {r.label for r in reference})
    return {
        label: LabelScore(
            label=label,
            found=sum(1 for i in matched if suggested[i].label == label),
            suggested=sum(1 for s in suggested if s.label == label),
            reference=sum(1 for r in reference if r.label == label),
        )
        for label in labels
    }


def surname(name: str) -> str:
    """The last word of a name without a possessive, casefolded ("Gen. Ali Demir" -> demir)."""
    words = [w.strip(".,;:'’\"“”()") for w in name.split()]
    words = [w for w in words if w]
    if not words:
        return ""
    last = words[-1]
    for tail in ("'s", "’s"):
        if last.endswith(tail):
            last = last[: -len(tail)]
    return last.casefold()


def same_speaker(suggested: ScoredSpan, reference: ScoredSpan) -> bool:
    """Whether a suggested speaker mention names the reference one (see the module's rule)."""
    if overlap_share(suggested, reference) > 0:
        return True
    if suggested.entity and reference.entity:
        return suggested.entity == reference.entity
    mine = surname(suggested.refers_to or suggested.text)
    theirs = surname(reference.refers_to or reference.text)
    return bool(mine) and mine not in PRONOUNS and mine == theirs


def score_speakers(
    statements: Sequence[tuple[ScoredSpan, ScoredSpan | None]],
    reference: Sequence[tuple[ScoredSpan, ScoredSpan | None]],
    min_overlap: float = 0.5,
) -> SpeakerScore:
    """Speaker attribution over (statement, its speaker or None) pairs, suggested vs reference."""
    matched = match([s for s, _ in statements], [r for r, _ in reference], min_overlap)
    right = judged = 0
    for i, j in matched.items():
        ref_speaker = reference[j][1]
        if ref_speaker is None:
            continue
        judged += 1
        mine = statements[i][1]
        right += mine is not None and same_speaker(mine, ref_speaker)
    return SpeakerScore(right=right, judged=judged)


def totals(scores: Iterable[LabelScore]) -> LabelScore:
    """Micro-averaged totals over labels."""
    items = list(scores)
    return LabelScore(
        label="all",
        found=sum(s.found for s in items),
        suggested=sum(s.suggested for s in items),
        reference=sum(s.reference for s in items),
    )
