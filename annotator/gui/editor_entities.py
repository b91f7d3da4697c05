"""Linking mentions to the entity registry from the editor: E opens the type-ahead for the
selected mention, and a new mention whose text is a known name or alias is linked at once
(its own undo step, so Ctrl+Z takes the link back and keeps the span)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.gui import commands
from annotator.gui.entity_picker import EntityPicker

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import SignalInstance

    from annotator.core.domain.records import SpanRecord
    from annotator.gui.document_session import DocumentSession
    from annotator.gui.text_view import SpanTextView

ENTITY_KEY = "E"  # free in the window and in the bundled schemas; a schema's own E wins


class EntityMixin:
    """The entity half of ``AnnotationEditor`` (which supplies the attributes below)."""

    session: DocumentSession | None
    view: SpanTextView
    _picker: EntityPicker | None = None

    if TYPE_CHECKING:
        message: SignalInstance

        def selected_span(self) -> SpanRecord | None: ...

        def _run(
            self, command: commands.Command, then: Callable[[], None] | None = None
        ) -> bool: ...

    def names_entity(self, span: SpanRecord | None) -> bool:
        """Whether ``span`` is a mention the registry can link (its label ``entity: true``)."""
        session = self.session
        return (
            span is not None
            and session is not None
            and session.registry is not None
            and span.label in session.schema.entity_labels
        )

    def choose_entity(self) -> None:
        """Open the type-ahead under the selected mention."""
        span = self.selected_span()
        session = self.session
        if session is None or session.registry is None or not self.names_entity(span):
            self.message.emit("select a mention that names an entity (e.g. a SPEAKER) first")
            return
        assert span is not None
        if self._picker is None:
            self._picker = EntityPicker(self.view)
            self._picker.chosen.connect(self.link_entity)
        rect = self.view.cursorRect(self.view.textCursor())
        at = self.view.viewport().mapTo(self.view, rect.bottomLeft())
        text = session.document.text[span.start : span.end]
        linked = span.id in session.entities
        self._picker.start(session.registry, span.id, span.label, text, at, linked)

    def link_entity(self, span_id: int, entity: str, new: bool) -> None:
        """Link the mention to ``entity`` (a key, or a new name); "" unlinks it."""
        if self.session is not None:
            command = commands.EntityCommand(self.session, span_id, entity or None, new=new)
            self._run(command)

    def prelink(self, span_id: int) -> None:
        """A new mention whose text is exactly one entity's name or alias is linked to it."""
        session = self.session
        span = session.spans.get(span_id) if session is not None else None
        if session is None or session.registry is None or not self.names_entity(span):
            return
        assert span is not None
        found = session.registry.match(session.document.text[span.start : span.end])
        if found is not None and self._run(commands.EntityCommand(session, span_id, found.key)):
            self.message.emit(f"linked to {found.name} (Ctrl+Z to undo, E to choose another)")
