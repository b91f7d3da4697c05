"""When the model is out of date: enough documents were marked done since it was trained.

The documents a model knows are the keys in its ``model.json`` (trained on or held back); the
done set is read from the statuses now. A document counts once it is done and has spans in the
layer (the export leaves out documents without annotations, so a model never knows those).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exists, select

from annotator.core.domain.layers import PERSON
from annotator.core.services.suggest_model.store import default_model_dir, read_card
from annotator.core.services.suggest_model.training import PEOPLE
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Annotator, Document, DocumentStatus, Span


def done_documents(workspace: Workspace, layer: str | None = None) -> set[str]:
    """Keys of the documents marked done, with spans, by any person (or by ``layer``)."""
    layers = select(Annotator.id)
    if layer is None or layer == PEOPLE:
        layers = layers.where(Annotator.kind == PERSON)
    else:
        layers = layers.where(Annotator.name == layer)
    has_spans = exists().where(
        Span.document_id == DocumentStatus.document_id,
        Span.annotator_id == DocumentStatus.annotator_id,
    )
    query = (
        select(Document.key)
        .join(DocumentStatus, DocumentStatus.document_id == Document.id)
        .where(DocumentStatus.status == "done", DocumentStatus.annotator_id.in_(layers), has_spans)
        .distinct()
    )
    with workspace.db.read() as s:
        return set(s.scalars(query))


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
