"""Training one spaCy pipeline from an export's ``config*.cfg`` for a fixed number of steps.

The config is the one the spaCy export writes for a team lead's own ``spacy train`` (blank
English, CPU, nothing downloaded); this runs the same components on the same files, but with
a step budget and a check between steps, so that a training in the background can be
cancelled and report its progress. The weights saved are the optimizer's averages, as
``spacy train`` saves them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotator.core.services.suggest_model.spacy_extra import TrainingCancelled

Tick = Callable[[], bool]
"""Called after each step; returning False stops the training (``TrainingCancelled``)."""


def train_pipeline(
    config_path: Path, train: Path, dev: Path, out: Path, *, steps: int, seed: int, tick: Tick
) -> int:
    """Train ``config_path`` on ``train`` for ``steps`` steps into ``out``; the steps taken."""
    from spacy import util
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import create_train_batches

    overrides = {
        "paths.train": str(train),
        "paths.dev": str(dev),
        "training.seed": seed,
        "training.max_steps": steps,
    }
    config = util.load_config(config_path, overrides=overrides, interpolate=False)
    nlp = init_nlp(config)
    resolved = nlp.config.interpolate()
    training = util.registry.resolve(resolved["training"], schema=ConfigSchemaTraining)
    (corpus,) = util.resolve_dot_names(resolved, [training["train_corpus"]])
    optimizer = training["optimizer"]
    batches = create_train_batches(nlp, corpus, training["batcher"], training["max_epochs"])
    taken = 0
    for _epoch, batch in batches:
        if taken >= steps:
            break
        nlp.update(
            batch,
            drop=training["dropout"],
            sgd=optimizer,
            annotates=training["annotating_components"],
            exclude=training["frozen_components"],
        )
        optimizer.step_schedules()
        taken += 1
        if not tick():
            raise TrainingCancelled("training cancelled; the earlier model (if any) is kept")
    out.parent.mkdir(parents=True, exist_ok=True)
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(out)
    return taken
