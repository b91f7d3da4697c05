"""Which documents a model can learn from: those marked done, with spans, in its layer.

A document counts once it is done and has spans in the layer: the export a model trains on
leaves out documents without annotations, so a model never knows those.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from annotator.core.domain.layers import PERSON
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Annotator, Document, DocumentStatus, Span

PEOPLE = "people"  # the layer name model.json gives every person's done work


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
