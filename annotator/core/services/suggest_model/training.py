"""Training the suggestion model on the team's finished documents, all or nothing.

The data is the project's own split spaCy export (``Workspace.export``), written to a temporary
folder: articles with their span group for the span pipeline, one ``Doc`` per statement for the
stance classifier, and the ``config*.cfg`` files a team lead would train with. Documents are
held back whole, by the export's split (parts ``model_train`` and ``model_heldout``): the
first time a document is seen, the seed and its key deal it; from then on it stays in its part
(the export's split store), so a held-back document is never trained on by a later version and
the scores of successive versions are on the same documents plus new ones.

Both pipelines are trained, scored on the held-back documents (``heldout.py``) and stored with
their ``model.json`` (``store.py``), which is written last: until then the earlier model is
the one in use.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.domain.errors import ExportCancelled
from annotator.core.domain.progress import Progress
from annotator.core.domain.suggesting.frames import frame_roles
from annotator.core.domain.suggesting.model_card import FrameCard, ModelCard, StanceCard
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.suggest_model import heldout
from annotator.core.services.suggest_model.done import PEOPLE, done_documents
from annotator.core.services.suggest_model.engine import SPANS, STANCE, ModelEngine
from annotator.core.services.suggest_model.loop import train_pipeline
from annotator.core.services.suggest_model.spacy_extra import (
    ModelUnavailable,
    TrainingCancelled,
    require_spacy,
)
from annotator.core.services.suggest_model.store import default_model_dir, new_staging, publish
from annotator.core.services.workspace import Workspace

TRAIN, HELD = "model_train", "model_heldout"
MAX_STEPS = 300  # per pipeline: a few minutes on a CPU for a few hundred documents


def train_model(
    workspace: Workspace,
    *,
    layer: str | None = None,
    out_dir: str | Path | None = None,
    held_out: float = 0.2,
    seed: int = 0,
    max_steps: int = MAX_STEPS,
    cancelled: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> ModelCard:
    """Train, score and store a model on the documents marked done; returns its card.

    ``layer``: None for every person's done work, "gold" (or an annotator's name) for that
    layer's. ``out_dir``: the model folder (default: ``store.default_model_dir``). Raises
    ``TrainingCancelled`` when ``cancelled()`` turns true or ``progress`` returns False, and
    ``ModelUnavailable`` without spaCy or with fewer than two done documents; in every such
    case the earlier model stays in use and nothing of the new one is left. ``held_out`` and
    ``seed`` deal the documents never dealt before (see the module): the others keep their part.
    """
    spacy = require_spacy()
    if not 0 < held_out < 1:
        raise ValueError(f"held_out is a share of the documents, between 0 and 1: {held_out}")
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    folder = Path(out_dir) if out_dir is not None else default_model_dir(workspace)
    schema = workspace.active_schema()
    flt = ExportFilter(annotators=() if layer is None else (layer,), statuses=("done",))
    split = SplitSpec(((TRAIN, 1 - held_out), (HELD, held_out)), seed=seed).checked()
    stop = cancelled or (lambda: False)
    done = len(done_documents(workspace, layer))
    if done < 2:
        raise ModelUnavailable(
            f"too few documents marked done to train on ({done}); a model needs at least two"
        )
    staging = new_staging(folder)
    try:
        data = staging / "data"
        try:
            workspace.export(
                data,
                "spacy",
                ExportOptions(filter=flt, split=split),
                schema=schema,
                progress=lambda _done, _total: not stop(),
            )
        except ExportCancelled:
            raise TrainingCancelled(
                "training cancelled; the earlier model (if any) is kept"
            ) from None
        manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
        keys = manifest["document_ids"]
        train_keys, held_keys = tuple(keys.get(TRAIN, ())), tuple(keys.get(HELD, ()))
        if not train_keys:  # only when the split store holds every one of them back
            raise ModelUnavailable("every document marked done is held back: mark more done")
        training = manifest["training"]
        stance = _stance_section(training)
        statements = 0 if stance is None else stance["documents"].get(TRAIN, 0)
        total = max_steps * (2 if statements else 1)
        steps = [0]

        def tick() -> bool:
            steps[0] += 1
            wanted = progress(steps[0], total) if progress is not None else True
            return wanted is not False and not stop()

        version = staging / "version"
        taken = train_pipeline(
            data / training["spans"]["config"],
            data / f"{TRAIN}.spacy",
            data / f"{HELD}.spacy",
            version / SPANS,
            steps=max_steps,
            seed=seed,
            tick=tick,
        )
        stance_file = "" if stance is None else stance["files"].get(TRAIN, "")
        if statements and stance is not None:
            train_pipeline(
                data / stance["config"],
                data / stance_file,
                data / stance["files"].get(HELD, stance_file),
                version / STANCE,
                steps=max_steps,
                seed=seed,
                tick=tick,
            )
        card = ModelCard(
            trained_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            layer=layer or PEOPLE,
            train_documents=train_keys,
            held_out_documents=held_keys,
            records={part: info["records"] for part, info in manifest["splits"].items()},
            labels=tuple(training["spans"]["labels"]),
            scores={},
            stance=None,
            frame=_frame(schema),
            schema=schema.name,
            schema_sha256=schema.sha256,
            spacy_version=spacy.__version__,
            steps=taken,
            seed=seed,
        )
        card = _scored(card, version, data, stance, statements)
        return publish(folder, version, card)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stance_section(training: dict[str, Any]) -> dict[str, Any] | None:
    """The manifest's statement-classifier entry (keyed by its attribute), if any."""
    others = [(k, v) for k, v in training.items() if k != "spans"]
    if not others:
        return None
    attribute, section = others[0]
    return {**section, "attribute": attribute}


def _frame(schema: Any) -> FrameCard | None:
    roles = frame_roles(schema)
    if roles is None:
        return None
    return FrameCard(roles.statement_label, roles.speaker_relation, roles.speaker_label)


def _scored(
    card: ModelCard, version: Path, data: Path, stance: dict[str, Any] | None, statements: int
) -> ModelCard:
    """The card with the held-back scores of the model in ``version``."""
    engine = ModelEngine.from_version(card, version)
    vocab = engine.spans_vocab
    articles = heldout.read_docs(data / f"{HELD}.spacy", vocab)
    scores = heldout.span_scores(engine, articles, card.labels)
    card = replace(card, scores=scores)
    if stance is None or not statements:
        return card
    exclusive = stance["component"] == "textcat"
    held_file = stance["files"].get(HELD)
    held = heldout.read_docs(data / held_file, vocab) if held_file else []
    accuracy, judged = heldout.stance_accuracy(engine.stance_nlp, held, exclusive)
    label = card.frame.statement_label if card.frame is not None else ""
    card_stance = StanceCard(
        label=label,
        attribute=stance["attribute"],
        values=tuple(stance["labels"]),
        exclusive=exclusive,
        accuracy=accuracy,
        judged=judged,
        trained_on=statements,
    )
    return replace(card, stance=card_stance)
