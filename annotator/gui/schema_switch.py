"""File > Switch schema…: the change is shown before it is made, with the same diff and counts
as ``annotator schema diff``, and made only when the user says so.

A schema that would leave annotations outside it is refused with the report (what it lacks,
how many, where, and the migration steps that would settle it), as ``schema use`` refuses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.schema import Schema

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace

REFUSED = "Schema not switched"
ASK = "Switch schema?"


def switch_with_preview(parent: QWidget, workspace: Workspace, schema: Schema, who: str) -> bool:
    """Preview the change to ``schema``, ask, and apply it; False if refused or declined."""
    try:
        report = workspace.schema_changes.preview(schema)
    except AnnotatorError as exc:
        QMessageBox.critical(parent, REFUSED, str(exc))
        return False
    lines = "\n".join(report.lines())
    if report.conflicted:
        QMessageBox.critical(
            parent,
            REFUSED,
            f"{schema.name} {schema.version} would leave annotations outside the schema; "
            f"nothing was changed.\n\n{lines}",
        )
        return False
    answer = QMessageBox.question(
        parent,
        ASK,
        f"Switch every annotator on this database to {schema.name} {schema.version}?\n\n"
        f"{lines}\n\nThe change is recorded in the schema history, and what it archives comes "
        "back when a later schema brings it back.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:  # planned again in its own transaction: another desktop may have written meanwhile
        workspace.schema_changes.apply(schema, who)
    except AnnotatorError as exc:
        QMessageBox.critical(parent, REFUSED, str(exc))
        return False
    return True
