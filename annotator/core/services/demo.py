"""The bundled demo corpus, so a first start opens on real-looking work."""

from __future__ import annotations

from annotator.core.services.bundled import demo_corpus
from annotator.core.services.importing import ImportReport, import_paths
from annotator.core.services.workspace import Workspace


def load_demo(workspace: Workspace, annotator: str) -> ImportReport:
    """Import the demo articles; their pre-annotations become ``annotator``'s. Safe to repeat."""
    schema = workspace.active_schema()
    ref = workspace.schemas.register(schema)
    return import_paths(
        workspace.db,
        [demo_corpus()],
        schema=schema,
        schema_ref=ref,
        annotator=annotator,
        skip_bad=False,
    )
