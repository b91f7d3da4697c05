"""The bundled demo corpus, so a first start opens on real-looking work."""

from __future__ import annotations

from annotator.core.services.bundled import demo_corpus, demo_team_work
from annotator.core.services.importing import ImportReport, import_paths
from annotator.core.services.workspace import Workspace

TEAM = ("amira", "tomas")  # the demo's two annotators who finished three articles


def load_demo(workspace: Workspace, annotator: str, *, team: bool = True) -> ImportReport:
    """Import the demo articles; their pre-annotations become ``annotator``'s. Safe to repeat.

    With ``team``, two more annotators' finished work on three articles comes too (merged onto
    the same texts), so that agreement, adjudication and curation have something to show.
    """
    schema = workspace.active_schema()
    ref = workspace.schemas.register(schema)
    report = import_paths(
        workspace.db,
        [demo_corpus()],
        schema=schema,
        schema_ref=ref,
        annotator=annotator,
        skip_bad=False,
    )
    if team and annotator not in TEAM:
        import_paths(
            workspace.db,
            [demo_team_work()],
            schema=schema,
            schema_ref=ref,
            annotator=annotator,
            skip_bad=False,
        )
    return report
