"""One ``QUndoCommand`` per kind of edit. Do and undo both go through the store."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.domain.records import DeletedSpan, RelationRecord
from annotator.gui.document_session import DocumentSession


class Command(QUndoCommand):
    """Runs once before it is pushed, so a refused edit never reaches the undo stack."""

    _ran = False

    def do(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._ran:
            self._ran = False  # the push after run_command(): already done
            return
        self.do()


def run_command(stack: QUndoStack, command: Command) -> None:
    """Do the edit; only if the store accepted it, put it on the undo stack."""
    command.do()
    command._ran = True
    stack.push(command)


class CreateSpanCommand(Command):
    """Create a span, optionally linking it from a source span in the same step."""

    def __init__(
        self,
        session: DocumentSession,
        start: int,
        end: int,
        label: str,
        link_from: tuple[int, str] | None = None,
    ) -> None:
        super().__init__(f"add {label}")
        self.session = session
        self.args = (start, end, label)
        self.link_from = link_from
        self.span_id: int | None = None
        self._deleted: DeletedSpan | None = None

    def do(self) -> None:
        if self._deleted is None:
            span = self.session.create_span(*self.args)
            self.span_id = span.id
            if self.link_from is not None:
                source_id, relation = self.link_from
                try:
                    self.session.link(source_id, span.id, relation)
                except Exception:
                    self.session.delete_span(span.id)  # all of the step, or none of it
                    raise
        else:
            self.session.restore_span(self._deleted)

    def undo(self) -> None:
        assert self.span_id is not None
        self._deleted = self.session.delete_span(self.span_id)


class DeleteSpanCommand(Command):
    def __init__(self, session: DocumentSession, span_id: int) -> None:
        super().__init__(f"delete {session.spans[span_id].label}")
        self.session = session
        self.span_id = span_id
        self._deleted: DeletedSpan | None = None

    def do(self) -> None:
        self._deleted = self.session.delete_span(self.span_id)

    def undo(self) -> None:
        assert self._deleted is not None
        self.session.restore_span(self._deleted)


class UpdateSpanCommand(Command):
    """Move a span's edges (or relabel it)."""

    def __init__(self, session: DocumentSession, span_id: int, **changes: Any) -> None:
        super().__init__("resize span" if "label" not in changes else "relabel span")
        self.session = session
        self.span_id = span_id
        old = session.spans[span_id]
        self.before = {"start": old.start, "end": old.end, "label": old.label}
        self.after = changes
        self._old_attributes = dict(old.attributes)

    def do(self) -> None:
        self.session.update_span(self.span_id, **self.after)

    def undo(self) -> None:
        self.session.update_span(self.span_id, **self.before)
        current = self.session.spans[self.span_id].attributes
        for name, value in self._old_attributes.items():
            if current.get(name) != value:
                self.session.set_attribute(self.span_id, name, value)


class SetAttributeCommand(Command):
    def __init__(self, session: DocumentSession, span_id: int, name: str, value: Any) -> None:
        super().__init__(f"set {name}")
        self.session = session
        self.span_id = span_id
        self.name = name
        self.value = value
        self.old = session.spans[span_id].attributes.get(name)

    def do(self) -> None:
        self.session.set_attribute(self.span_id, self.name, self.value)

    def undo(self) -> None:
        self.session.set_attribute(self.span_id, self.name, self.old)


class LinkCommand(Command):
    """Link two spans; where the relation allows one link only, it replaces the old one."""

    def __init__(
        self, session: DocumentSession, source_id: int, target_id: int, relation: str
    ) -> None:
        super().__init__(f"link {relation}")
        self.session = session
        self.args = (source_id, target_id, relation)
        rel_type = session.schema.relation(relation)
        existing = session.links_from(source_id, relation)
        self.replaced: list[RelationRecord] = (
            existing
            if rel_type is not None and rel_type.max is not None and len(existing) >= rel_type.max
            else []
        )
        self.relation: RelationRecord | None = None

    def do(self) -> None:
        for rel in self.replaced:
            self.session.unlink(rel.id)
        if self.relation is None:
            self.relation = self.session.link(*self.args)
        else:
            self.session.restore_relation(self.relation)

    def undo(self) -> None:
        assert self.relation is not None
        self.session.unlink(self.relation.id)
        for rel in self.replaced:
            self.session.restore_relation(rel)


class UnlinkCommand(Command):
    def __init__(self, session: DocumentSession, relation_id: int) -> None:
        super().__init__("remove link")
        self.session = session
        self.relation = session.relations[relation_id]

    def do(self) -> None:
        self.session.unlink(self.relation.id)

    def undo(self) -> None:
        self.session.restore_relation(self.relation)


class SetStatusCommand(Command):
    def __init__(self, session: DocumentSession, status: str, *, force: bool = False) -> None:
        super().__init__(f"mark {status.replace('_', ' ')}")
        self.session = session
        self.status = status
        self.old = session.status
        self.force = force

    def do(self) -> None:
        self.session.set_status(self.status, force=self.force)

    def undo(self) -> None:
        self.session.set_status(self.old, force=True)
