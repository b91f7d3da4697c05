"""Deciding on a suggestion as one undoable step each: accept (a frame or a span), reject.

The decision itself is the core's (``SuggestionService``: one transaction each, its inverse one
transaction too); the open document's session is told what appeared or went, so the editor and
lists follow. Redo decides again (an accepted span comes back under a new id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.suggesting.stored import AcceptResult
from annotator.gui.commands import Command
from annotator.gui.document_session import DocumentSession

if TYPE_CHECKING:
    from annotator.core.services.suggestions import SuggestionService


class AcceptSuggestionCommand(Command):
    """Accept a suggested frame (statement, its linked spans, links and implied values), or
    just one suggested span, into the layer the session shows."""

    def __init__(
        self,
        session: DocumentSession,
        service: SuggestionService,
        suggestion_id: int,
        *,
        whole_frame: bool,
        after: Callable[[AcceptResult, bool], None] | None = None,
    ) -> None:
        what = "suggested frame" if whole_frame else "suggested span"
        super().__init__(session, f"accept {what}")
        self.service = service
        self.suggestion_id = suggestion_id
        self.whole_frame = whole_frame
        self.after = after
        self.result: AcceptResult | None = None

    def do(self) -> None:
        layer = self.session.service.annotator.name
        if self.whole_frame:
            result = self.service.accept_frame(layer, self.suggestion_id, skip_refused=True)
        else:
            result = self.service.accept_span(layer, self.suggestion_id)
        if not result.accepted:
            reasons = sorted({why for _, why in result.refused})
            raise ValidationError("nothing was accepted: " + "; ".join(reasons[:3]))
        self.result = result
        self.session.adopt(result.spans, result.relations)
        if self.after is not None:
            self.after(result, False)

    def reverse(self) -> None:
        assert self.result is not None
        self.service.undo_accept(self.result)
        self.session.forget(self.result.spans, self.result.relations)
        if self.after is not None:
            self.after(self.result, True)


class RejectSuggestionCommand(Command):
    """Reject a suggestion (a statement's frame with it); undo opens it again."""

    def __init__(
        self,
        session: DocumentSession,
        service: SuggestionService,
        suggestion_id: int,
        after: Callable[[tuple[int, ...], bool], None] | None = None,
    ) -> None:
        """``after(rejected ids, undone)`` runs once the rejection is stored or undone."""
        super().__init__(session, "reject suggestion")
        self.service = service
        self.suggestion_id = suggestion_id
        self.after = after
        self.rejected: tuple[int, ...] = ()

    def do(self) -> None:
        layer = self.session.service.annotator.name
        self.rejected = self.service.reject(layer, self.suggestion_id)
        self.session.saved.emit()
        if self.after is not None:
            self.after(self.rejected, False)

    def reverse(self) -> None:
        self.service.reopen(self.session.service.annotator.name, self.rejected)
        self.session.saved.emit()
        if self.after is not None:
            self.after(self.rejected, True)
