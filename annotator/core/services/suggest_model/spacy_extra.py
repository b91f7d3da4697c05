"""spaCy is an optional extra: the model engine asks for it when it is used, never at import."""

from __future__ import annotations

from types import ModuleType

from annotator.core.domain.errors import AnnotatorError

MISSING = (
    "the suggestion model needs spaCy: install the spacy extra: pip install 'annotator[spacy]'"
)


class ModelUnavailable(AnnotatorError):
    """No model to use: spaCy is missing, or none was trained for this database."""


class TrainingCancelled(AnnotatorError):
    """Training stopped on request; no model was stored and the earlier one is in use."""


def require_spacy() -> ModuleType:
    """spaCy, or ``ModelUnavailable`` saying how to install it."""
    try:
        import spacy
    except ImportError:
        raise ModelUnavailable(MISSING) from None
    return spacy
