"""How good a freshly trained model is, on the documents held back from its training.

Spans: the engine is run on each held-back document's text and its spans are compared with
each annotator's spans of that document (``scoring.score_labels``: same label, overlap of at
least half the longer span), the counts added up over documents and annotators. Stance: the
classifier's value for each held-back statement (one ``Doc`` per statement, as exported)
against the annotator's value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.domain.suggesting.model_card import HeldOutScore
from annotator.core.domain.suggesting.scoring import LabelScore, ScoredSpan, score_labels, totals
from annotator.core.services.suggest_model.engine import ModelEngine, stance_value


def read_docs(path: Path, vocab: Any) -> list[Any]:
    """The Docs of an exported DocBin (none when the split wrote no file)."""
    from spacy.tokens import DocBin

    if not path.is_file():
        return []
    return list(DocBin().from_disk(path).get_docs(vocab))


def span_scores(
    engine: ModelEngine, articles: Iterable[Any], labels: Sequence[str]
) -> dict[str, HeldOutScore]:
    """Per label and ``all``: the engine's spans against every held-back record's."""
    by_key: dict[str, tuple[str, list[list[ScoredSpan]]]] = {}
    for doc in articles:
        data = doc.user_data
        reference = [ScoredSpan(s["start"], s["end"], s["label"]) for s in data["spans"]]
        by_key.setdefault(data["document_id"], (doc.text, []))[1].append(reference)
    counts: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for text, references in by_key.values():
        found = engine.suggest(text)
        suggested = [ScoredSpan(s.start, s.end, s.label) for s in found.spans]
        for reference in references:
            for label, score in score_labels(suggested, reference).items():
                counts.setdefault(label, Counter()).update(
                    found=score.found, suggested=score.suggested, reference=score.reference
                )
    scores = [
        LabelScore(label, c["found"], c["suggested"], c["reference"]) for label, c in counts.items()
    ]
    result = {s.label: HeldOutScore.of(s) for s in scores}
    result["all"] = HeldOutScore.of(totals(scores))
    return result


def stance_accuracy(
    stance_nlp: Any, statements: Sequence[Any], exclusive: bool
) -> tuple[float | None, int]:
    """(accuracy, statements judged) of the classifier on the held-back statements."""
    if not statements:
        return None, 0
    right = 0
    for gold, predicted in zip(
        statements, stance_nlp.pipe(d.text for d in statements), strict=True
    ):
        mine, _ = stance_value(predicted.cats, exclusive)
        theirs, _ = stance_value(gold.cats, exclusive)
        right += mine == theirs
    return round(right / len(statements), 4), len(statements)
