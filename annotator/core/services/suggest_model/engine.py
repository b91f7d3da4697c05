"""The ``model`` engine: spans, stance and confidence from the model trained on the team's work.

It loads the database's stored model (``store.py``) at the first suggestion, not before, so
making one costs nothing and needs no spaCy. Spans and their confidence come from the span
categorizer (its score per span); a statement's stance is the statement classifier's best value
on the statement's own words, its score in ``evidence``; a statement is linked ``said_by`` to
the nearest speaker of its sentence (``domain/suggesting/nearest_speaker.py``). ``cancelled`` is
checked before the spans and before the stances (spaCy runs a document in one call).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.domain.suggesting.frames import (
    Cancelled,
    SuggestedLink,
    SuggestedSpan,
    Suggestions,
)
from annotator.core.domain.suggesting.model_card import ModelCard
from annotator.core.domain.suggesting.nearest_speaker import link_speakers
from annotator.core.domain.text import trim_whitespace
from annotator.core.services.suggest_model.spacy_extra import ModelUnavailable, require_spacy
from annotator.core.services.suggest_model.store import default_model_dir, read_card
from annotator.core.services.workspace import Workspace

NAME = "model"
SPANS, STANCE = "spans", "stance"  # the two pipelines in a model version's folder


def model_dir(where: Workspace | Path | str) -> Path:
    """A workspace's default model folder, or the folder given."""
    return default_model_dir(where) if isinstance(where, Workspace) else Path(where)


class ModelEngine:
    """A suggestion engine (``frames.Engine``) backed by a trained spaCy model."""

    name = NAME

    def __init__(self, where: Workspace | Path | str) -> None:
        self.folder = model_dir(where)
        self._card: ModelCard | None = None
        self._spans: Any = None
        self._stance: Any = None

    @staticmethod
    def model_info(where: Workspace | Path | str) -> ModelCard | None:
        """The stored model's card (``model.json``), or None; needs no spaCy."""
        return read_card(model_dir(where))

    @staticmethod
    def available(where: Workspace | Path | str) -> bool:
        """Whether suggestions can be made: a model is stored and spaCy is installed."""
        if read_card(model_dir(where)) is None:
            return False
        try:
            require_spacy()
        except ModelUnavailable:
            return False
        return True

    @property
    def card(self) -> ModelCard:
        self._load()
        assert self._card is not None
        return self._card

    @classmethod
    def from_version(cls, card: ModelCard, version: Path) -> ModelEngine:
        """An engine on a version folder not (yet) in use: how training scores its model."""
        engine = cls(version.parent)
        engine._open(card, version)
        return engine

    @property
    def spans_vocab(self) -> Any:
        """The span pipeline's vocabulary (to read exported Docs with)."""
        self._load()
        return self._spans.vocab

    @property
    def stance_nlp(self) -> Any:
        """The statement classifier's pipeline, or None when the model has none."""
        self._load()
        return self._stance

    def _load(self) -> None:
        if self._spans is not None:
            return
        require_spacy()
        card = read_card(self.folder)
        if card is None:
            raise ModelUnavailable(
                f"no suggestion model in {self.folder}: train one first (annotator suggest --train)"
            )
        self._open(card, self.folder / card.folder)

    def _open(self, card: ModelCard, version: Path) -> None:
        spacy = require_spacy()
        try:
            spans = spacy.load(version / SPANS)
        except OSError:  # replaced by a newer version between reading the card and loading
            newer = read_card(self.folder)
            if newer is None or newer.folder == card.folder:
                raise
            card, version = newer, self.folder / newer.folder
            spans = spacy.load(version / SPANS)
        spans.max_length = max(spans.max_length, 10_000_000)
        self._stance = spacy.load(version / STANCE) if (version / STANCE).is_dir() else None
        self._card, self._spans = card, spans

    def suggest(self, text: str, *, cancelled: Cancelled | None = None) -> Suggestions:
        """The model's spans on ``text`` (those its span categorizer keeps), with links."""
        if cancelled is not None and cancelled():
            return Suggestions()
        self._load()
        card = self.card
        doc = self._spans(text)
        group = doc.spans[self._spans.get_pipe("spancat").key]
        scores = group.attrs.get("scores")
        found = sorted(
            (
                (
                    *trim_whitespace(text, span.start_char, span.end_char),
                    span.label_,
                    _score(scores, i),
                )
                for i, span in enumerate(group)
            ),
            key=lambda s: (s[0], -s[1], s[2]),
        )
        stances = self._stances(text, found, cancelled)
        spans = []
        for n, (start, end, label, confidence) in enumerate(found, start=1):
            attributes, evidence = stances.get((start, end, label), ({}, ""))
            spans.append(
                SuggestedSpan(
                    key=f"m{n}",
                    start=start,
                    end=end,
                    label=label,
                    confidence=confidence,
                    engine=NAME,
                    attributes=attributes,
                    evidence="; ".join(filter(None, [f"model score {confidence:.2f}", evidence])),
                )
            )
        frame = card.frame
        links: tuple[SuggestedLink, ...] = ()
        if frame is not None and frame.speaker_label and frame.speaker_relation:
            links = link_speakers(
                text,
                spans,
                frame.statement_label,
                frame.speaker_label,
                frame.speaker_relation,
                NAME,
            )
        return Suggestions(tuple(spans), links)

    def _stances(
        self, text: str, found: list[tuple[int, int, str, float]], cancelled: Cancelled | None
    ) -> dict[tuple[int, int, str], tuple[dict[str, Any], str]]:
        """Each statement's stance (as its attribute) and why, by (start, end, label)."""
        stance = self.card.stance
        if self._stance is None or stance is None or (cancelled is not None and cancelled()):
            return {}
        statements = [s for s in found if s[2] == stance.label]
        result: dict[tuple[int, int, str], tuple[dict[str, Any], str]] = {}
        for (start, end, label, _), doc in zip(
            statements, self._stance.pipe(text[s[0] : s[1]] for s in statements), strict=True
        ):
            value, why = stance_value(doc.cats, stance.exclusive)
            if value is not None:
                result[(start, end, label)] = (
                    {stance.attribute: value},
                    f"{stance.attribute} {why}",
                )
        return result


def stance_value(cats: dict[str, float], exclusive: bool) -> tuple[Any, str]:
    """The classifier's value (the best one; every one over 0.5 for a multi) and its scores."""
    if not cats:
        return None, ""
    if exclusive:
        best = max(cats, key=lambda v: cats[v])
        return best, f"{best} {cats[best]:.2f}"
    chosen = [v for v, p in cats.items() if p >= 0.5]
    return chosen, ", ".join(f"{v} {cats[v]:.2f}" for v in chosen) or "none over 0.50"


def _score(scores: Any, i: int) -> float:
    if scores is None:
        return 1.0
    return min(max(float(scores[i]), 0.0), 1.0)
