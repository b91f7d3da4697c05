"""Accepting versions into gold as one undoable step.

The accept itself is the core's (``CurationService.accept_many``: one transaction); undo deletes
what it made in one transaction (links go with their spans), redo puts it back under the same
ids. The open gold document's session is told of each, so the editor and lists follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.records import DeletedSpan
from annotator.gui.commands import Command
from annotator.gui.document_session import DocumentSession

if TYPE_CHECKING:  # curation's services come with the first curation, not at start-up
    from annotator.core.services.curation import Acceptance


class AcceptCommand(Command):
    """Accept one or more versions into the gold layer the session shows."""

    def __init__(
        self, session: DocumentSession, accept: Callable[[], Acceptance], text: str
    ) -> None:
        super().__init__(session, text)
        self._accept = accept
        self.acceptance: Acceptance | None = None
        self._deleted: tuple[DeletedSpan, ...] | None = None

    def do(self) -> None:
        if self._deleted is not None:
            self.session.restore_spans(self._deleted)
            return
        acceptance = self._accept()
        if not acceptance.accepted:
            reasons = {why for _, why in acceptance.refused}
            raise ValidationError("gold took none of them: " + "; ".join(sorted(reasons)[:3]))
        self.acceptance = acceptance
        made = acceptance.accepted
        self.session.adopt([a.span for a in made], [r for a in made for r in a.relations])

    def reverse(self) -> None:
        assert self.acceptance is not None
        self._deleted = self.session.delete_spans([a.span.id for a in self.acceptance.accepted])
