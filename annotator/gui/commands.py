"""One ``QUndoCommand`` per user action; each step is one service call, one transaction.

A command's undo or redo that the database refuses (another desktop changed or deleted the same
span) is reported through ``DocumentSession.refused``; the editor then clears the undo stack and
reloads the document, so that the stack and the screen never disagree with the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.domain.boilerplate import Range
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.records import DeletedSpan, RelationRecord, SpanRecord
from annotator.gui.document_session import DocumentSession

if TYPE_CHECKING:
    from annotator.core.services.entity_links import LinkChange


class Command(QUndoCommand):
    """Runs once before it is pushed, so a refused edit never reaches the undo stack."""

    _ran = False

    def __init__(self, session: DocumentSession, text: str) -> None:
        super().__init__(text)
        self.session = session

    def do(self) -> None:
        raise NotImplementedError

    def reverse(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._ran:
            self._ran = False  # the push after run_command(): already done
            return
        self._guarded(self.do, "redo")

    def undo(self) -> None:
        self._guarded(self.reverse, "undo")

    def _guarded(self, step: Callable[[], None], verb: str) -> None:
        """Qt cannot be told that an undo failed: report it, and let the editor recover. A
        step the busy database refuses is retried (in order) until it goes through or the
        runner gives up; only then is it reported."""

        def refused(exc: AnnotatorError) -> None:
            self.session.refused.emit(f"cannot {verb} “{self.text()}”: {exc}")

        self.session.writes.write(step, lambda: None, refused, f"{verb} {self.text()}")


def run_command(stack: QUndoStack, command: Command) -> None:
    """Do the edit; only if the store accepted it, put it on the undo stack."""
    command.do()
    command._ran = True
    stack.push(command)


class CreateSpanCommand(Command):
    """Create a span, optionally linking it from a source span in the same transaction."""

    def __init__(
        self,
        session: DocumentSession,
        start: int,
        end: int,
        label: str,
        link_from: tuple[int, str] | None = None,
    ) -> None:
        super().__init__(session, f"add {label}")
        self.args = (start, end, label)
        self.link_from = link_from
        self.span_id: int | None = None
        self._deleted: DeletedSpan | None = None

    def do(self) -> None:
        if self._deleted is not None:
            self.session.restore_span(self._deleted)  # the span with its link, in one step
        elif self.link_from is not None:
            span, _ = self.session.create_linked_span(*self.args, self.link_from)
            self.span_id = span.id
        else:
            self.span_id = self.session.create_span(*self.args).id

    def reverse(self) -> None:
        assert self.span_id is not None
        self._deleted = self.session.delete_span(self.span_id)


class DeleteSpanCommand(Command):
    def __init__(self, session: DocumentSession, span_id: int) -> None:
        super().__init__(session, f"delete {session.spans[span_id].label}")
        self.span_id = span_id
        self._deleted: DeletedSpan | None = None

    def do(self) -> None:
        self._deleted = self.session.delete_span(self.span_id)

    def reverse(self) -> None:
        assert self._deleted is not None
        self.session.restore_span(self._deleted)


R = TypeVar("R", SpanRecord, RelationRecord)


class StateCommand(Command, Generic[R]):
    """An edit of one record (a span, a link): undo and redo put back the whole record as it
    was, in one transaction, whatever the schema says now."""

    before: R
    after: R | None = None

    def edit(self) -> R:
        raise NotImplementedError

    def restore(self, record: R) -> None:
        raise NotImplementedError

    def do(self) -> None:
        if self.after is None:
            self.after = self.edit()
        else:
            self.restore(self.after)

    def reverse(self) -> None:
        self.restore(self.before)


class SpanStateCommand(StateCommand[SpanRecord]):
    """An edit of one span's edges, label or values."""

    def __init__(self, session: DocumentSession, span_id: int, text: str) -> None:
        super().__init__(session, text)
        self.before = session.spans[span_id]

    def restore(self, record: SpanRecord) -> None:
        self.session.restore_span_state(record)


class UpdateSpanCommand(SpanStateCommand):
    """Move a span's edges (or relabel it)."""

    def __init__(self, session: DocumentSession, span_id: int, **changes: Any) -> None:
        super().__init__(
            session, span_id, "resize span" if "label" not in changes else "relabel span"
        )
        self.changes = changes

    def edit(self) -> SpanRecord:
        return self.session.update_span(self.before.id, **self.changes)


class SetAttributeCommand(SpanStateCommand):
    def __init__(self, session: DocumentSession, span_id: int, name: str, value: Any) -> None:
        super().__init__(session, span_id, f"set {name}")
        self.name = name
        self.value = value

    def edit(self) -> SpanRecord:
        return self.session.set_attribute(self.before.id, self.name, self.value)


class SetLinkAttributeCommand(StateCommand[RelationRecord]):
    """One value of a link (stance toward its target)."""

    def __init__(self, session: DocumentSession, relation_id: int, name: str, value: Any) -> None:
        super().__init__(session, f"set {name}")
        self.before = session.relations[relation_id]
        self.name = name
        self.value = value

    def edit(self) -> RelationRecord:
        return self.session.set_relation_attribute(self.before.id, self.name, self.value)

    def restore(self, record: RelationRecord) -> None:
        self.session.restore_relation_state(record)


class LinkCommand(Command):
    """Link two spans; where the relation allows one link only, it replaces the old one in
    the same transaction."""

    def __init__(
        self, session: DocumentSession, source_id: int, target_id: int, relation: str
    ) -> None:
        super().__init__(session, f"link {relation}")
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
        if self.relation is not None:
            self.session.swap_relations(self.replaced, [self.relation])
        elif self.replaced:
            self.relation = self.session.replace_link(self.replaced, *self.args)
        else:
            self.relation = self.session.link(*self.args)

    def reverse(self) -> None:
        assert self.relation is not None
        self.session.swap_relations([self.relation], self.replaced)


class UnlinkCommand(Command):
    def __init__(self, session: DocumentSession, relation_id: int) -> None:
        super().__init__(session, "remove link")
        self.relation = session.relations[relation_id]

    def do(self) -> None:
        self.session.unlink(self.relation.id)

    def reverse(self) -> None:
        self.session.restore_relation(self.relation)


class BoilerplateCommand(Command):
    """Mark or unmark boilerplate by hand: undo puts the document's earlier marks back."""

    def __init__(
        self, session: DocumentSession, marked: list[Range], unmarked: list[Range], text: str
    ) -> None:
        super().__init__(session, text)
        self.before = session.boilerplate_marks()
        self.after = (marked, unmarked)

    def do(self) -> None:
        self.session.set_boilerplate_marks(*self.after)

    def reverse(self) -> None:
        self.session.set_boilerplate_marks(*self.before)


class SetStatusCommand(Command):
    def __init__(self, session: DocumentSession, status: str, *, force: bool = False) -> None:
        super().__init__(session, f"mark {status.replace('_', ' ')}")
        self.status = status
        self.old = session.status
        self.force = force

    def do(self) -> None:
        self.session.set_status(self.status, force=self.force)

    def reverse(self) -> None:
        self.session.set_status(self.old, force=True)


class EntityCommand(Command):
    """Link a mention to an entity (a known one, a new one, or none): undo puts back the
    link it had, and takes away the alias or the entity the link made."""

    def __init__(
        self, session: DocumentSession, span_id: int, entity: str | None, *, new: bool = False
    ) -> None:
        super().__init__(session, "unlink entity" if entity is None else f"link {entity}"[:60])
        self.args = (span_id, entity, new)
        self.changes: list[LinkChange] | None = None

    def do(self) -> None:
        if self.changes is not None:
            self.session.redo_entities(self.changes)
            return
        span_id, entity, new = self.args
        if entity is None:
            self.changes = self.session.unlink_entity(span_id)
        else:
            self.changes = self.session.link_entity(span_id, entity, new=new)

    def reverse(self) -> None:
        assert self.changes is not None
        self.session.undo_entities(self.changes)
