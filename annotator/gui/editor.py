"""What the annotator's keys and clicks do to the open document.

Select text and press a label's key: a span. With a span selected, value keys set its attributes.
A relation's key starts linking: click or Tab to a span and press Enter, or select new text and
press Enter to create the target span and link it in one step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCursor, QTextDocument, QUndoStack
from PySide6.QtWidgets import QMessageBox, QPlainTextDocumentLayout

from annotator.core.domain import boilerplate
from annotator.core.domain.errors import AnnotatorError, BusyError, NotFoundError
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.domain.schema import (
    Attribute,
    AttributeType,
    Label,
    RelationType,
    Schema,
    Snap,
)
from annotator.core.domain.text import is_word_char, snap_to_words, trim_whitespace
from annotator.core.domain.wording import counted
from annotator.gui import commands
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor_entities import EntityMixin
from annotator.gui.editor_keys import KeyHandler, key_name
from annotator.gui.editor_links import LinkingMixin
from annotator.gui.highlighter import QtSpan, SpanHighlighter
from annotator.gui.link_text import describe_links
from annotator.gui.offsets import OffsetMap
from annotator.gui.span_frames import CANDIDATE, SELECTED, Frame
from annotator.gui.text_moves import UNITS, jump
from annotator.gui.text_view import SpanTextView

EAGER_BLOCKS = 80  # blocks (paragraphs) formatted ahead of being scrolled into view
WAITING = "Waiting for the database (another program is writing)…"
DONE_EDITED = (
    "This document is marked done: the edit is saved and it stays done (Ctrl+R reopens it)"
)


def next_value(attr: Attribute, current: Any, value: Any) -> Any:
    """What a value key or button makes of an attribute (a span's or a link's): a multi
    toggles the value, a chosen optional choice pressed again is cleared."""
    if attr.type is AttributeType.MULTI:
        chosen = list(current or [])
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        return chosen or None
    if attr.type is AttributeType.CHOICE and current == value and not attr.required:
        return None
    return value


class AnnotationEditor(QObject, LinkingMixin, EntityMixin):
    selectionChanged = Signal(object)  # span id or None
    linkModeChanged = Signal(object)  # relation name or None
    message = Signal(str)  # a hint or a refusal: stale once an edit goes through
    prompt = Signal(str)  # what link mode or a wait asks for, while it lasts ("" once over)
    edited = Signal()  # after every committed change, for lists and counters
    waitStatus = Signal(str)  # what waits for the database ("" once nothing does)
    textValueWanted = Signal(str)  # a text attribute's key: the panel opens its editor

    def __init__(self, view: SpanTextView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.keys = KeyHandler(self)
        view.key_handler = self.keys.handle
        view.key_claim = self.keys.claims
        view.clicked.connect(self._on_click)
        view.tooltip_for = self.describe_at
        view.frames = self.frames
        view.updateRequest.connect(self._reveal_visible)
        self.session: DocumentSession | None = None
        self.stack: QUndoStack | None = None
        self.highlighter: SpanHighlighter | None = None
        self.offsets = OffsetMap("")
        self.selected: int | None = None
        self._removed_selected: int | None = None  # deleted while selected: reselected on undo
        self.link_relation: RelationType | None = None
        self.link_source: int | None = None
        self.link_candidate: int | None = None
        # The link whose values the value keys set (one just made, or chosen in the panel);
        # its source span is the selected span.
        self.selected_link: int | None = None
        self.snap_words = True
        self.skip_boilerplate = True  # jumps pass over the site's furniture
        self._units: dict[str, list[tuple[int, int]]] = {}  # sentences, … of the open text

    # -- opening --

    def open(self, session: DocumentSession, stack: QUndoStack) -> None:
        """Show a document; spans are indexed before the first paint."""
        self.close()
        self.session, self.stack = session, stack
        self._units = {}
        text = session.document.text
        self.offsets = OffsetMap(text)
        doc = QTextDocument(self.view)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        doc.setDefaultFont(self.view.font())
        doc.setPlainText(text)
        doc.setDocumentMargin(16)
        colors = {lab.name: QColor(lab.color) for lab in session.schema.labels}
        self.highlighter = SpanHighlighter(doc, colors)
        offsets = self.offsets
        if offsets.identity:  # most articles: no emoji, Qt and Python offsets agree
            qt_spans = [QtSpan(s.id, s.start, s.end, s.label) for s in session.spans.values()]
        else:
            qt_spans = [self._qt(s) for s in session.spans.values()]
        self.highlighter.set_spans(qt_spans)
        self.highlighter.set_dimmed(self._qt_ranges(session.boilerplate))
        # Format the first screens now, the rest as scrolling reveals them.
        self.highlighter.set_window(0, EAGER_BLOCKS)
        self.view.setDocument(doc)
        session.spanAdded.connect(self._on_span_added)
        session.spanRemoved.connect(self._on_span_removed)
        session.spanChanged.connect(self._on_span_changed)
        session.relationAdded.connect(self._on_relations)
        session.relationRemoved.connect(self._on_relations)
        session.relationChanged.connect(self._on_relations)
        session.saved.connect(self.edited)
        session.refused.connect(self._on_refused)
        session.reloaded.connect(self._on_reloaded)
        session.writes.waiting.connect(self._on_waiting)
        session.boilerplateChanged.connect(self._on_boilerplate)
        self.selected = self._removed_selected = self.selected_link = None
        self.selectionChanged.emit(None)

    def close(self) -> None:
        if self.session is not None:
            for sig, slot in (
                (self.session.spanAdded, self._on_span_added),
                (self.session.spanRemoved, self._on_span_removed),
                (self.session.spanChanged, self._on_span_changed),
                (self.session.relationAdded, self._on_relations),
                (self.session.relationRemoved, self._on_relations),
                (self.session.relationChanged, self._on_relations),
                (self.session.saved, self.edited),
                (self.session.refused, self._on_refused),
                (self.session.reloaded, self._on_reloaded),
                (self.session.writes.waiting, self._on_waiting),
                (self.session.boilerplateChanged, self._on_boilerplate),
            ):
                sig.disconnect(slot)
        self.cancel_link()
        self.session = None
        self.stack = None

    @property
    def schema(self) -> Schema | None:
        return self.session.schema if self.session else None

    def _qt(self, span: SpanRecord) -> QtSpan:
        return QtSpan(
            span.id, self.offsets.to_qt(span.start), self.offsets.to_qt(span.end), span.label
        )

    def _qt_ranges(self, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
        to_qt = self.offsets.to_qt
        return [(to_qt(s), to_qt(e)) for s, e in ranges]

    def _on_boilerplate(self) -> None:
        if self.highlighter is not None and self.session is not None:
            self.highlighter.set_dimmed(self._qt_ranges(self.session.boilerplate))

    def toggle_boilerplate(self) -> None:
        """Mark the selected lines (or the caret's line) as boilerplate, or unmark them if
        they are boilerplate already: one undo step; the text never changes."""
        session = self.session
        if session is None:
            return
        chosen = self.text_selection()
        if chosen is None:
            here = self.offsets.from_qt(self.view.textCursor().position())
            chosen = (here, here)
        start, end = boilerplate.whole_lines(session.document.text, *chosen)
        if start >= end:
            self.message.emit("an empty line: select the lines to mark as boilerplate")
            return
        current = session.boilerplate
        unmark = boilerplate.covering(current, start, end)
        marked, unmarked = boilerplate.toggled(current, *session.boilerplate_marks(), (start, end))
        verb = "unmark boilerplate" if unmark else "mark boilerplate"
        self._run(commands.BoilerplateCommand(session, marked, unmarked, verb))

    def _reveal_visible(self, *_: object) -> None:
        if self.highlighter is None:
            return
        view = self.view
        first = view.firstVisibleBlock().blockNumber()
        bottom = view.cursorForPosition(QPoint(0, view.viewport().height() - 1)).blockNumber()
        self.highlighter.reveal(max(0, first - 20), bottom + EAGER_BLOCKS // 2)

    # -- reacting to the session (undo/redo included) --

    def _on_span_added(self, span: SpanRecord) -> None:
        if self.highlighter is not None:
            self.highlighter.add(self._qt(span))
        if span.id == self._removed_selected:  # an undone delete: show what came back
            self._removed_selected = None
            self.select(span.id)

    def _on_span_removed(self, span: SpanRecord) -> None:
        if self.highlighter is not None:
            self.highlighter.remove(span.id)
        if self.selected == span.id:
            self.select(None)
            self._removed_selected = span.id
        if self.link_source == span.id:
            self.cancel_link()

    def _on_span_changed(self, old: SpanRecord, new: SpanRecord) -> None:
        if self.highlighter is not None and (old.start, old.end, old.label) != (
            new.start,
            new.end,
            new.label,
        ):
            self.highlighter.remove(old.id)
            self.highlighter.add(self._qt(new))
            self._emphasise()

    def _on_relations(self, *_rel: RelationRecord) -> None:
        if self.session is not None and self.selected_link not in self.session.relations:
            self.selected_link = None  # the link went (undone, or its span deleted)
        self._emphasise()

    def _on_reloaded(self) -> None:
        if self.highlighter is None or self.session is None:
            return
        self.cancel_link()
        self.highlighter.set_spans([self._qt(s) for s in self.session.spans.values()])
        self.highlighter.rehighlight()
        self.select(self.selected)
        self.edited.emit()

    # -- a refused undo or redo --

    def _on_refused(self, text: str) -> None:
        """The stack has already moved past the command that failed; once Qt is done with
        it, forget the history and show what the database holds."""
        session, stack = self.session, self.stack
        QTimer.singleShot(0, self, lambda: self._recover(session, stack, text))

    def _recover(
        self, session: DocumentSession | None, stack: QUndoStack | None, text: str
    ) -> None:
        if stack is not None:
            stack.clear()
        if session is not None:
            session.reload()
        self.message.emit(f"{text}. The document was reloaded; earlier edits cannot be undone.")

    # -- selection --

    def select(self, span_id: int | None, *, scroll: bool = False) -> None:
        if self.session is None or (span_id is not None and span_id not in self.session.spans):
            span_id = None
        self.selected = span_id
        self.selected_link = None
        self._emphasise()
        if span_id is not None and scroll:
            self._scroll_to(span_id)
        self.selectionChanged.emit(span_id)

    def _emphasise(self) -> None:
        if self.highlighter is None or self.session is None:
            return
        linked = self.session.linked_ids(self.selected) if self.selected is not None else set()
        if self.link_candidate is not None:
            linked = linked | {self.link_candidate}
        self.highlighter.set_emphasis(self.selected, linked)
        self.view.viewport().update()  # the frames move: drawn over the text, not in it

    def frames(self) -> list[Frame]:
        """What the view frames: the selected span, and the link candidate Tab picked."""
        if self.session is None:
            return []
        chosen = ((self.selected, SELECTED), (self.link_candidate, CANDIDATE))
        return [
            Frame(self.offsets.to_qt(span.start), self.offsets.to_qt(span.end), kind)
            for span_id, kind in chosen
            if span_id is not None and (span := self.session.spans.get(span_id)) is not None
        ]

    def _scroll_to(self, span_id: int) -> None:
        assert self.session is not None
        span = self.session.spans[span_id]
        cursor = self.view.textCursor()
        cursor.setPosition(self.offsets.to_qt(span.start))
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()

    def select_link(self, relation_id: int | None) -> None:
        """Choose the link whose values the value keys set (None: back to the span's own);
        its source span becomes the selected span."""
        session = self.session
        if session is None or relation_id not in session.relations:
            relation_id = None
        if relation_id is not None and session is not None:
            source = session.relations[relation_id].source_id
            if source != self.selected:
                self.select(source)
        self.selected_link = relation_id
        self.selectionChanged.emit(self.selected)

    def selected_relation(self) -> RelationRecord | None:
        if self.session is None or self.selected_link is None:
            return None
        return self.session.relations.get(self.selected_link)

    def selected_span(self) -> SpanRecord | None:
        if self.session is None or self.selected is None:
            return None
        return self.session.spans.get(self.selected)

    def text_selection(self) -> tuple[int, int] | None:
        cursor = self.view.textCursor()
        if not cursor.hasSelection():
            return None
        return (
            self.offsets.from_qt(cursor.selectionStart()),
            self.offsets.from_qt(cursor.selectionEnd()),
        )

    def _clear_text_selection(self, at: int) -> None:
        cursor = self.view.textCursor()
        cursor.setPosition(self.offsets.to_qt(at))
        self.view.setTextCursor(cursor)

    # -- edits --

    def _run(self, command: commands.Command, then: Callable[[], None] | None = None) -> bool:
        """Do the edit, then ``then`` (what the screen does next). True if it was stored at
        once; if the database is busy it is stored later, in order, or fails with a message."""
        session, stack = self.session, self.stack
        if session is None or stack is None:
            return False
        if session.writes.busy:  # a click or a button: keys are queued, these are refused
            self.message.emit(f"{WAITING} Wait for the edits before this one to be saved.")
            return False

        def done() -> None:
            if then is not None:
                then()
            if session.status == "done" and not isinstance(command, commands.SetStatusCommand):
                self.message.emit(DONE_EDITED)

        return session.writes.write(
            lambda: commands.run_command(stack, command),
            done,
            self._edit_failed,
            command.text(),
        )

    def run(self, command: commands.Command, then: Callable[[], None] | None = None) -> bool:
        """An edit from beside the editor (the curation panel): same stack, same order."""
        return self._run(command, then)

    def _edit_failed(self, exc: AnnotatorError) -> None:
        if isinstance(exc, NotFoundError):  # another desktop deleted what the screen shows
            self.message.emit(f"{exc}; the document was reloaded")
            if self.session is not None:
                self.session.reload()
        elif isinstance(exc, BusyError) and self.session is not None:
            self.message.emit(str(exc))
            self.alert(str(exc))
        else:
            self.message.emit(str(exc))

    def alert(self, text: str) -> None:
        """An edit given up after waiting: the user may have looked away, so a box."""
        QMessageBox.critical(self.view.window(), "Edit not saved", text[:1].upper() + text[1:])

    # -- waiting for the database --

    @property
    def waiting(self) -> bool:
        """An edit waits for the database, or keys are queued behind one."""
        return self.session is not None and self.session.writes.busy

    def show_wait(self) -> None:
        """Tell the status bar what waits; "" once nothing does."""
        writes = self.session.writes if self.session is not None else None
        if writes is None or not writes.busy:
            self.waitStatus.emit("")
            return
        queued = f" ({writes.queued} more queued)" if writes.queued else ""
        self.waitStatus.emit(f"{WAITING} “{writes.pending_what}”{queued}")

    def may_close(self) -> bool:
        """Closing while an edit waits: the user chooses to keep waiting or to lose it."""
        if not self.waiting or self.session is None:
            return True
        writes = self.session.writes
        lost = writes.queued + 1
        answer = QMessageBox.question(
            self.view.window(),
            "Edits not saved yet",
            f"{counted(lost, 'edit')} {'waits' if lost == 1 else 'wait'} for the database, "
            "which another program is writing to. "
            "Quit anyway and lose them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return False  # keep waiting: the window stays open
        writes.abandon()
        return True

    def _on_waiting(self, waiting: bool) -> None:
        """While an edit waits: a busy cursor, and no undo from the menu (Ctrl+Z is queued)."""
        viewport = self.view.viewport()
        if waiting:
            viewport.setCursor(Qt.CursorShape.BusyCursor)
            self.prompt.emit(WAITING)
        else:
            viewport.setCursor(Qt.CursorShape.IBeamCursor)
            self.prompt.emit("")
        if self.stack is not None:
            self.stack.setActive(not waiting)
        self.show_wait()

    def apply_label(self, label: str, *, exact: bool = False) -> SpanRecord | None:
        """Make a span of ``label`` from the text selection (snapped as the schema says)."""
        if self.session is None:
            return None
        chosen = self.text_selection()
        if chosen is None:
            self.message.emit("select some text first, then press the label's key")
            return None
        text = self.session.document.text
        snap = self.session.schema.snap_for(label)
        if snap is Snap.WORD and self.snap_words and not exact:
            start, end = snap_to_words(text, *chosen)
        else:
            start, end = trim_whitespace(text, *chosen)
        if start >= end:
            self.message.emit("the selection holds only white space")
            return None
        link_from = None
        if (
            self.link_relation is not None
            and self.link_source is not None
            and label == self.link_relation.target
        ):
            link_from = (self.link_source, self.link_relation.name)
        session = self.session
        command = commands.CreateSpanCommand(session, start, end, label, link_from)

        def then() -> None:
            assert command.span_id is not None
            self._clear_text_selection(end)
            if link_from is not None:
                self._after_link(command.span_id)
            else:
                self.select(command.span_id)
            self.prelink(command.span_id)

        if not self._run(command, then):
            return None  # refused, or waiting for the database: made later, then selected
        assert command.span_id is not None
        return session.spans[command.span_id]

    def relabel(self, label: str) -> None:
        """Another label's key on the selected span: it takes that label in one undo step,
        keeping the values the new label has too (the store refuses values that do not fit,
        and a label its links need)."""
        span = self.selected_span()
        if span is None or self.session is None:
            return
        if span.label == label:
            self.message.emit(f"this span is already a {label}: select text to make another")
            return
        new = self.session.schema.label(label)
        dropped = [k for k in span.attributes if new is None or new.attribute(k) is None]

        def then() -> None:
            lost = f"; {', '.join(dropped)} dropped (Ctrl+Z brings it back)" if dropped else ""
            self.message.emit(f"{span.label} → {label}{lost}")

        self._run(commands.UpdateSpanCommand(self.session, span.id, label=label), then)

    def attribute_key(self, attribute: str) -> None:
        """A bool or text attribute's own key: a bool toggles, a text opens its editor."""
        span = self.selected_span()
        label = self.session.schema.label(span.label) if span and self.session else None
        attr = label.attribute(attribute) if label else None
        if span is None or attr is None:
            return
        if attr.type is AttributeType.BOOL:
            self.set_value(attribute, not span.attributes.get(attribute))
        else:
            self.textValueWanted.emit(attribute)

    def set_value(self, attribute: str, value: Any) -> None:
        """Set (or for multi and bool, toggle) an attribute of the selected span."""
        span = self.selected_span()
        if span is None or self.session is None:
            self.message.emit("select a span first")
            return
        label = self.session.schema.label(span.label)
        changed, value = self._value_of(span.label, label, span.attributes, attribute, value)
        if changed:
            self._run(commands.SetAttributeCommand(self.session, span.id, attribute, value))

    def set_link_value(self, attribute: str, value: Any) -> None:
        """Set (or toggle, as for a span) a value of the selected link."""
        link = self.selected_relation()
        if link is None or self.session is None:
            self.message.emit("select a link first")
            return
        rel = self.session.schema.relation(link.label)
        changed, value = self._value_of(link.label, rel, link.attributes, attribute, value)
        if changed:
            self._run(commands.SetLinkAttributeCommand(self.session, link.id, attribute, value))

    def _value_of(
        self,
        name: str,
        kind: Label | RelationType | None,
        values: Mapping[str, Any],
        attribute: str,
        pressed: Any,
    ) -> tuple[bool, Any]:
        """What a value key makes of a span's or a link's attribute: (whether it changes, the
        new value); says why when the schema gives it no such attribute."""
        assert self.session is not None
        attr = kind.attribute(attribute) if kind else None
        if attr is None:
            self.message.emit(
                f"{name} is not in the schema {self.session.schema.name}: its values cannot be set"
                if kind is None
                else f"{name} has no {attribute}"
            )
            return False, None
        current = values.get(attribute)
        value = next_value(attr, current, pressed)
        return value != current, value

    def delete_selected(self) -> None:
        if self.session is not None and self.selected is not None:
            self._run(commands.DeleteSpanCommand(self.session, self.selected))

    def unlink(self, relation_id: int) -> None:
        if self.session is not None:
            self._run(commands.UnlinkCommand(self.session, relation_id))

    def resize(self, edge: str, direction: int) -> None:
        """Move the selected span's start or end edge by a word (or a character)."""
        span = self.selected_span()
        if span is None or self.session is None:
            return
        text = self.session.document.text
        pos = span.start if edge == "start" else span.end
        pos = self._step(text, pos, direction, edge)
        start, end = (pos, span.end) if edge == "start" else (span.start, pos)
        if start >= end or (start, end) == (span.start, span.end):
            return
        self._run(commands.UpdateSpanCommand(self.session, span.id, start=start, end=end))

    def _step(self, text: str, pos: int, direction: int, edge: str = "end") -> int:
        if not self.snap_words:
            return min(max(pos + direction, 0), len(text))
        step = 1 if direction > 0 else -1

        def skip(i: int, word: bool) -> int:
            while (i < len(text) if step > 0 else i > 0) and is_word_char(
                text[i] if step > 0 else text[i - 1]
            ) == word:
                i += step
            return i

        # A start edge stops on a word's first character and an end edge after its last, so
        # shrinking a span never leaves white space or half a combining sequence at its edge.
        word_first = (edge == "start") == (step > 0)
        return skip(skip(pos, word_first), not word_first)

    def set_status(self, status: str, *, force: bool = False) -> bool:
        if self.session is None:
            return False
        return self._run(commands.SetStatusCommand(self.session, status, force=force))

    # -- navigation --

    def move_caret(self, unit: str, forward: bool, extend: bool) -> None:
        """Jump to the next or previous sentence, paragraph or quote (Shift extends the text
        selection, so that a statement can be selected from the keyboard)."""
        if self.session is None:
            return
        units = self._units.get(unit)
        if units is None:
            units = self._units[unit] = list(UNITS[unit](self.session.document.text))
        if self.skip_boilerplate and self.session.boilerplate:
            dims = self.session.boilerplate
            units = [u for u in units if not boilerplate.covering(dims, *u)]
        cursor = self.view.textCursor()
        here = self.offsets.from_qt(cursor.position())
        there = jump(units, here, forward, extend)
        if there == here:
            self.message.emit(f"no {unit} {'after' if forward else 'before'} this one")
            return
        mode = cursor.MoveMode.KeepAnchor if extend else cursor.MoveMode.MoveAnchor
        cursor.setPosition(self.offsets.to_qt(there), mode)
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()

    def cycle(self, forward: bool) -> None:
        """Tab / Shift+Tab: the next or previous span in reading order."""
        if self.session is None or not self.session.spans:
            return
        ordered = sorted(self.session.spans.values(), key=lambda s: (s.start, -s.end, s.id))
        ids = [s.id for s in ordered]
        if self.selected in ids:
            i = ids.index(self.selected) + (1 if forward else -1)
        else:
            i = 0 if forward else -1
        self.select(ids[i % len(ids)], scroll=True)

    def _on_click(self, position: int, _modifiers: object) -> None:
        if self.highlighter is None:
            return
        hits = self.highlighter.spans_at(position)
        if self.link_relation is not None:
            wanted = [h for h in hits if h.label == self.link_relation.target]
            if wanted:
                self.complete_link(wanted[0].id)
            return
        if not hits:
            self.select(None)
            return
        ids = [h.id for h in hits]
        # Clicking again on nested spans walks outwards through them.
        if self.selected in ids:
            self.select(ids[(ids.index(self.selected) + 1) % len(ids)])
        else:
            self.select(ids[0])

    def describe_at(self, position: int) -> str | None:
        """Hover text: the spans under the pointer with their values and links (plain text)."""
        if self.highlighter is None or self.session is None:
            return None
        lines = []
        for hit in self.highlighter.spans_at(position):
            span = self.session.spans.get(hit.id)
            if span is None:
                continue
            values = ", ".join(
                f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                for k, v in span.attributes.items()
            )
            entity = self.session.entities.get(span.id)
            named = f"= {entity.name}" if entity is not None else ""
            lines.append(" · ".join(p for p in (span.label, named, values) if p))
            lines.extend(describe_links(self.session, span))  # to and from, with their text
        return "\n".join(lines) or None


__all__ = ["AnnotationEditor", "QTextCursor", "key_name"]
