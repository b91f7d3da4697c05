"""How good the quotes engine is against people's annotations, not just on made-up sentences.

Two reference sets: the demo team's finished work (``resources/demo/team.jsonl``, the native
JSONL export of two annotators on three articles, each annotator a reference of their own) and
the test articles of ``articles.py`` (written for these tests, not tuned on). Figures are
computed here with ``scoring``; ``pytest -s`` prints them for direct quotes and for every
statement (direct, indirect, partial).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.core.domain.schema.parser import load_schema
from annotator.core.domain.suggesting import scoring
from annotator.core.domain.suggesting.frames import Suggestions
from annotator.core.domain.suggesting.quote_engine import QuoteEngine
from tests.core.suggest.articles import ARTICLES, locate

REPO = Path(__file__).resolve().parents[3]
QUOTE_MARKS = ("“", '"', "‘")
# the team's two annotators, the demo's pre-annotations (4 articles), the test articles
SETS = ("demo/amira", "demo/tomas", "demo/pre", "articles")

Pair = tuple[scoring.ScoredSpan, scoring.ScoredSpan | None]


@dataclass
class Frames:
    """One document's statements with their speakers, and which are direct quotes."""

    pairs: list[Pair]
    direct: list[bool]

    def only(self, direct: bool) -> list[Pair]:
        return [p for p, d in zip(self.pairs, self.direct, strict=True) if d or not direct]


@dataclass
class Tally:
    found: int = 0
    suggested: int = 0
    reference: int = 0
    right: int = 0
    judged: int = 0

    def add(self, mine: list[Pair], theirs: list[Pair]) -> None:
        label = scoring.score_labels([s for s, _ in mine], [r for r, _ in theirs], 0.5)
        score = label.get("STATEMENT")
        if score is not None:
            self.found += score.found
            self.suggested += score.suggested
            self.reference += score.reference
        speakers = scoring.score_speakers(mine, theirs, 0.5)
        self.right += speakers.right
        self.judged += speakers.judged

    @property
    def label(self) -> scoring.LabelScore:
        return scoring.LabelScore("STATEMENT", self.found, self.suggested, self.reference)

    @property
    def speaker_accuracy(self) -> float:
        return scoring.SpeakerScore(self.right, self.judged).accuracy

    def line(self, name: str) -> str:
        s = self.label
        return (
            f"{name:<28} P {s.precision:.2f}  R {s.recall:.2f}  F1 {s.f1:.2f}  "
            f"({s.found} found / {s.suggested} suggested / {s.reference} reference)  "
            f"speaker {self.speaker_accuracy:.2f} ({self.right}/{self.judged})"
        )


def scored(text: str, start: int, end: int, label: str, refers_to: str = "") -> scoring.ScoredSpan:
    return scoring.ScoredSpan(start, end, label, text[start:end], refers_to)


def suggested_frames(result: Suggestions, text: str) -> Frames:
    spans = {s.key: s for s in result.spans}
    speaker_of = {link.source: spans[link.target] for link in result.links}
    pairs: list[Pair] = []
    direct: list[bool] = []
    for span in result.spans:
        if span.label != "STATEMENT":
            continue
        k = speaker_of.get(span.key)
        speaker = scored(text, k.start, k.end, "SPEAKER", k.refers_to) if k else None
        pairs.append((scored(text, span.start, span.end, "STATEMENT"), speaker))
        direct.append(span.attributes.get("form") == "direct")
    return Frames(pairs, direct)


def demo_references(file: str) -> dict[str, list[tuple[str, Frames]]]:
    """Per annotator: (text, their frames) for each annotated document of a demo JSONL file
    (``articles.jsonl``'s pre-annotations have no annotator: they count as "pre")."""
    out: dict[str, list[tuple[str, Frames]]] = defaultdict(list)
    for line in (REPO / "resources" / "demo" / file).read_text("utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        by_annotator: dict[str, list[dict]] = defaultdict(list)
        for span in record["spans"]:
            by_annotator[span.get("annotator", "pre")].append(span)
        for annotator, spans in by_annotator.items():
            ids = {s["id"]: s for s in spans}
            said_by = {
                r["from"]: ids[r["to"]]
                for r in record["relations"]
                if r["label"] == "said_by" and r.get("annotator", "pre") == annotator
            }
            pairs: list[Pair] = []
            direct: list[bool] = []
            for span in spans:
                if span["label"] != "STATEMENT":
                    continue
                k = said_by.get(span["id"])
                speaker = scored(text, k["start"], k["end"], "SPEAKER") if k else None
                pairs.append((scored(text, span["start"], span["end"], "STATEMENT"), speaker))
                direct.append(
                    text[span["start"]] in QUOTE_MARKS
                    or span.get("attributes", {}).get("form") == "direct"
                )
            out[f"demo/{annotator}"].append((text, Frames(pairs, direct)))
    return out


def article_references() -> list[tuple[str, Frames]]:
    out = []
    for article in ARTICLES:
        text = article.text
        pairs: list[Pair] = []
        direct: list[bool] = []
        for ref in locate(article):
            speaker = (
                scored(text, ref.speaker[0], ref.speaker[1], "SPEAKER", ref.name)
                if ref.speaker
                else None
            )
            pairs.append((scored(text, ref.start, ref.end, "STATEMENT"), speaker))
            direct.append(ref.form == "direct" or text[ref.start] in QUOTE_MARKS)
        out.append((text, Frames(pairs, direct)))
    return out


def evaluate(engine: QuoteEngine, docs: Iterable[tuple[str, Frames]]) -> tuple[Tally, Tally]:
    """(direct quotes, all statements) over a set of documents, micro-averaged."""
    direct, every = Tally(), Tally()
    for text, reference in docs:
        mine = suggested_frames(engine.suggest(text), text)
        direct.add(mine.only(direct=True), reference.only(direct=True))
        every.add(mine.pairs, reference.pairs)
    return direct, every


@pytest.fixture(scope="module")
def engine() -> QuoteEngine:
    return QuoteEngine.from_schema(load_schema(REPO / "label_schemas" / "defence_statements.yaml"))


@pytest.fixture(scope="module")
def figures(engine: QuoteEngine) -> dict[str, tuple[Tally, Tally]]:
    sets = {
        **demo_references("team.jsonl"),
        **demo_references("articles.jsonl"),
        "articles": article_references(),
    }
    assert set(sets) == set(SETS)
    results = {name: evaluate(engine, docs) for name, docs in sorted(sets.items())}
    print()
    for name, (direct, every) in results.items():
        print(direct.line(f"{name} direct quotes"))
        print(every.line(f"{name} all statements"))
    return results


@pytest.mark.parametrize("name", SETS)
def test_direct_quotes_are_found(figures: dict[str, tuple[Tally, Tally]], name: str) -> None:
    direct, _ = figures[name]
    assert direct.reference >= 9, "too few direct quotes in the reference to judge"
    assert direct.label.recall >= 0.9, direct.line(name)
    assert direct.label.precision >= 0.8, direct.line(name)


@pytest.mark.parametrize("name", SETS)
def test_speakers_of_direct_quotes(figures: dict[str, tuple[Tally, Tally]], name: str) -> None:
    direct, _ = figures[name]
    assert direct.judged >= 9
    assert direct.speaker_accuracy >= 0.8, direct.line(name)


@pytest.mark.parametrize("name", SETS)
def test_speakers_of_every_statement_found(
    figures: dict[str, tuple[Tally, Tally]], name: str
) -> None:
    _, every = figures[name]
    assert every.speaker_accuracy >= 0.8, every.line(name)


def test_a_broken_engine_would_fail_these_checks(engine: QuoteEngine) -> None:
    """The measure can fail: quotes shifted by half their length are not found."""
    text, reference = article_references()[0]
    mine = suggested_frames(engine.suggest(text), text)
    shifted = [
        (
            scoring.ScoredSpan(s.start + (s.end - s.start) // 2 + 1, s.end * 2, s.label),
            k,
        )
        for s, k in mine.only(direct=True)
    ]
    tally = Tally()
    tally.add(shifted, reference.only(direct=True))
    assert tally.label.recall < 0.5
