"""The ``model`` suggestion engine: a spaCy model trained on the team's finished documents.

Qt-free and importable without spaCy: spaCy is imported when a model is trained or used, and
its absence is a ``ModelUnavailable`` saying how to install it.
"""

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
