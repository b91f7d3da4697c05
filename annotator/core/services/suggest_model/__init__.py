"""The ``model`` suggestion engine: a spaCy model trained on the team's finished documents.

Qt-free and importable without spaCy: spaCy is imported when a model is trained or used, and
its absence is a ``ModelUnavailable`` saying how to install it.

Each name is imported from its module when first asked for (PEP 562): opening a document
needs only ``store.default_model_dir``, and training would bring the export writers with it
(60-80 ms of the window's start-up, issue 13).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.core.services.suggest_model.done import done_documents
    from annotator.core.services.suggest_model.engine import ModelEngine
    from annotator.core.services.suggest_model.freshness import needs_retraining
    from annotator.core.services.suggest_model.spacy_extra import (
        MISSING,
        ModelUnavailable,
        TrainingCancelled,
    )
    from annotator.core.services.suggest_model.store import default_model_dir
    from annotator.core.services.suggest_model.training import train_model

_WHERE = {
    "MISSING": "spacy_extra",
    "ModelEngine": "engine",
    "ModelUnavailable": "spacy_extra",
    "TrainingCancelled": "spacy_extra",
    "default_model_dir": "store",
    "done_documents": "done",
    "needs_retraining": "freshness",
    "train_model": "training",
}

__all__ = [
    "MISSING",
    "ModelEngine",
    "ModelUnavailable",
    "TrainingCancelled",
    "default_model_dir",
    "done_documents",
    "needs_retraining",
    "train_model",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
