"""What a trained suggestion model says of itself (``model.json``): when, on what, how good.

The window shows it beside the model's suggestions, and ``needs_retraining`` compares the
documents it names with those done since. Plain data, read and written as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from annotator.core.domain.suggesting.scoring import LabelScore
from annotator.core.domain.wording import counted

FORMAT = 1  # model.json's layout; a model of another layout is not loaded


@dataclass(frozen=True)
class HeldOutScore:
    """One label's precision, recall and F1 on the held-back documents."""

    precision: float
    recall: float
    f1: float
    found: int
    suggested: int
    reference: int

    @classmethod
    def of(cls, score: LabelScore) -> HeldOutScore:
        return cls(
            round(score.precision, 4),
            round(score.recall, 4),
            round(score.f1, 4),
            score.found,
            score.suggested,
            score.reference,
        )


@dataclass(frozen=True)
class StanceCard:
    """The statement classifier: which attribute, its values, its accuracy held back."""

    label: str  # the statement label ("STATEMENT")
    attribute: str  # "stance"
    values: tuple[str, ...]
    exclusive: bool
    accuracy: float | None  # None: no held-back statement had a value
    judged: int  # held-back statements it was judged on
    trained_on: int  # statements it learnt from


@dataclass(frozen=True)
class FrameCard:
    """How the engine links its spans: statement -> speaker (``frames.frame_roles``)."""

    statement_label: str
    speaker_relation: str | None
    speaker_label: str | None


@dataclass(frozen=True)
class ModelCard:
    """``model.json``: everything the window and ``needs_retraining`` need to know."""

    trained_at: str  # ISO 8601, UTC
    layer: str  # "people" (every person's done work), "gold", or an annotator's name
    train_documents: tuple[str, ...]  # document keys
    held_out_documents: tuple[str, ...]
    records: Mapping[str, int]  # part -> documents x annotators trained on or scored on
    labels: tuple[str, ...]
    scores: Mapping[str, HeldOutScore]  # per label, and "all" (micro-averaged)
    stance: StanceCard | None
    frame: FrameCard | None
    schema: str  # the schema's name
    schema_sha256: str
    spacy_version: str
    steps: int
    seed: int
    folder: str = ""  # the model's folder, beside model.json
    format: int = FORMAT

    @property
    def documents(self) -> int:
        return len(self.train_documents) + len(self.held_out_documents)

    def new_since(self, done: Iterable[str]) -> set[str]:
        """The done documents (keys) this model never saw, in training or held back."""
        return set(done) - set(self.train_documents) - set(self.held_out_documents)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelCard:
        stance = data.get("stance")
        frame = data.get("frame")
        return cls(
            trained_at=str(data["trained_at"]),
            layer=str(data["layer"]),
            train_documents=tuple(data["train_documents"]),
            held_out_documents=tuple(data["held_out_documents"]),
            records=dict(data["records"]),
            labels=tuple(data["labels"]),
            scores={k: HeldOutScore(**v) for k, v in data["scores"].items()},
            stance=None
            if stance is None
            else StanceCard(**{**stance, "values": tuple(stance["values"])}),
            frame=None if frame is None else FrameCard(**frame),
            schema=str(data["schema"]),
            schema_sha256=str(data["schema_sha256"]),
            spacy_version=str(data["spacy_version"]),
            steps=int(data["steps"]),
            seed=int(data["seed"]),
            folder=str(data.get("folder", "")),
            format=int(data.get("format", FORMAT)),
        )

    def summary(self) -> str:
        """One or two lines for the window: when, on how many documents, how good held back."""
        total = self.scores.get("all")
        held = len(self.held_out_documents)
        line = (
            f"trained {self.trained_at} on {counted(self.documents, 'document')} "
            f"({len(self.train_documents)} learnt from, {held} held back)"
        )
        if total is not None and held:
            line += f"; held back: precision {total.precision:.2f}, recall {total.recall:.2f}, "
            line += f"F1 {total.f1:.2f}"
        if self.stance is not None and self.stance.accuracy is not None:
            line += f"; {self.stance.attribute} accuracy {self.stance.accuracy:.2f}"
        return line
