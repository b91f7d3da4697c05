"""When the model is out of date: enough documents were marked done since it was trained.

The documents a model knows are the keys in its ``model.json`` (trained on or held back); the
done set is read from the statuses now (``done.py``).
"""

from __future__ import annotations

from pathlib import Path

from annotator.core.services.suggest_model.done import done_documents
from annotator.core.services.suggest_model.store import default_model_dir, read_card
from annotator.core.services.workspace import Workspace


def needs_retraining(
    workspace: Workspace,
    every: int = 10,
    *,
    layer: str | None = None,
    out_dir: str | Path | None = None,
) -> bool:
    """Whether ``every`` or more documents were marked done since the model was trained.

    Without a model, every done document is new. The layer is the model's own (``layer`` is
    for when there is no model yet). A model of another schema than the active one is out of
    date whatever was done since.
    """
    folder = Path(out_dir) if out_dir is not None else default_model_dir(workspace)
    card = read_card(folder)
    if card is None:
        return len(done_documents(workspace, layer)) >= every
    if card.schema_sha256 != workspace.active_schema().sha256:
        return True
    return len(card.new_since(done_documents(workspace, card.layer))) >= every
