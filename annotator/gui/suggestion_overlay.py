"""The open document's suggestions as the annotator meets them: drawn, stepped through, decided.

Suggested spans are framed with a dashed outline over the text (never a fill: they are nobody's
annotation yet); one of them is *current*, framed thicker, and the keys act on it:
Enter accepts its whole frame, Shift+Enter just the span, Del rejects it, Esc leaves it.
F4 / Shift+F4 step to the next / previous suggestion; F6 hides or shows them all.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.core.domain.suggesting.stored import ACCEPTED, REJECTED, AcceptResult, Frame
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.offsets import OffsetMap
from annotator.gui.span_frames import SUGGESTED, SUGGESTED_CURRENT
from annotator.gui.span_frames import Frame as DrawnFrame
from annotator.gui.suggestion_commands import AcceptSuggestionCommand, RejectSuggestionCommand

if TYPE_CHECKING:
    from annotator.core.services.suggestions import SuggestionService

KEYS_HINT = "Enter accepts the frame · Shift+Enter the span only · Del rejects · F4 next"


class SuggestionOverlay(QObject):
    """Holds the open document's open suggestions for the editor's layer."""

    changed = Signal()  # the open suggestions or the current one changed
    message = Signal(str)

    def __init__(self, editor: AnnotationEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.service: SuggestionService | None = None
        self.frames: list[Frame] = []  # shown: the open frames the layer does not hold yet
        self._open: list[Frame] = []  # every open frame read (what ``frames`` is filtered from)
        self.current: int | None = None  # index into frames
        self.visible = True
        self._watched: DocumentSession | None = None  # whose span edits mark decisions edited
        self._have: _LayerEdges | None = None  # the layer's spans, by edges
        self._parts: list[Part] | None = None
        self._starts: list[int] = []
        self._longest = 0
        # Each read of the frames (or a refresh) gets a number; a worker's read is shown only
        # if no other came after it: never another document's, never an older one.
        self._generation = 0
        self._states = self._state = 0  # which open frames are shown (``_Undo``)
        self.reading = False  # the open document's frames are being read on a worker
        self._edits = 0  # the watched layer's changes so far
        self._editor_frames = editor.view.frames
        self._editor_keys = editor.view.key_handler
        editor.view.frames = self.drawn_frames
        editor.view.key_handler = self.handle_key

    # -- what there is --

    def set_service(self, service: SuggestionService | None) -> None:
        """A document was opened: its first statement frame is current, so that Enter
        accepts it at once."""
        self.service = service
        self.refresh(0)

    def read_later(
        self,
        service: SuggestionService | None,
        *,
        keep_shown: bool = False,
        keep_position: int | None = 0,
    ) -> Reading:
        """The open document's frames will come from a worker (``loaded``): a long article's
        thousands take too long to read and index on the GUI thread. Until then the frames
        shown are none (a document just opened) or, with ``keep_shown``, those already shown.
        Returns what the worker needs: ``Reading.prepare`` runs there."""
        self.service = service
        if not keep_shown:
            self.refresh(read=[])
        session = self.editor.session
        self._watch(session)
        self._generation += 1
        self.reading = True
        spans = list(session.spans.values()) if session is not None else []
        relations = list(session.relations.values()) if session is not None else []
        return Reading(
            self._generation, self._edits, spans, relations, self.editor.offsets, keep_position
        )

    def loaded(self, reading: Reading, prepared: Prepared) -> bool:
        """Show frames a worker read and prepared for ``reading``, unless another document
        was opened or the frames were read again since (then they are dropped)."""
        if reading.generation != self._generation:
            return False
        if reading.edits != self._edits:  # the layer changed meanwhile: filtered again here
            self.refresh(reading.keep_position, read=prepared.found)
            return True
        self._show(prepared)
        return True

    def is_latest(self, reading: Reading) -> bool:
        """Whether ``reading`` is the read the overlay still waits for."""
        return self.reading and reading.generation == self._generation

    def abandon(self, reading: Reading) -> None:
        """No frames will come for ``reading``: those shown stay, and are decided as usual."""
        if reading.generation == self._generation:
            self.reading = False

    def read_failed(self, reading: Reading, error: object) -> None:
        if reading.generation == self._generation:
            self.reading = False
            self.message.emit(f"suggestions could not be read: {error}")

    def refresh(self, keep_position: int | None = None, *, read: list[Frame] | None = None) -> None:
        """Re-read the open document's open suggestions (after a decision or a computation);
        ``read``: frames a worker thread has read already (a long article's thousands)."""
        session = self.editor.session
        self._watch(session)
        found: list[Frame] = []
        if self.service is not None and session is not None:
            layer = session.service.annotator.name
            try:
                found = (
                    read
                    if read is not None
                    else self.service.open_frames(session.document.id, layer)
                )
            except AnnotatorError as exc:
                self.message.emit(f"suggestions could not be read: {exc}")
        spans = list(session.spans.values()) if session is not None else []
        relations = list(session.relations.values()) if session is not None else []
        self._show(prepare(found, spans, relations, self.editor.offsets, keep_position))

    def _decided(self, closed: Sequence[int], decision: str, keep_position: int) -> _Undo:
        """After a decision: the frames read before it, less what it closed. A long article's
        thousands are not read again at every key; a computation or a read still under way
        reads them (``refresh``). Returns what ``_undecided`` needs to take it back."""
        before, state = self._open, self._state
        if self.service is None or self.reading:
            self.refresh(keep_position)
        else:
            after = self.service.frames_after(before, closed, decision)
            self.refresh(keep_position, read=after)
        return _Undo(state, before, self._state)

    def _undecided(self, undo: _Undo | None, keep_position: int) -> None:
        """After a decision was undone: the frames from before it, if those shown are still
        the ones it left (the undo stack takes back the latest decision first); else read."""
        if undo is not None and undo.after == self._state and not self.reading:
            self.refresh(keep_position, read=undo.frames)
            self._state = undo.before  # as it was: the decision before can be undone alike
        else:
            self.refresh(keep_position)

    def _show(self, prepared: Prepared) -> None:
        self._generation += 1  # a worker's read still under way is older than this
        self._states += 1
        self._state = self._states  # these frames, as opposed to any shown before
        self.reading = False
        self.frames, self._open = prepared.frames, prepared.found
        self.current = prepared.current  # the old index means nothing in the new list
        self._have = prepared.have
        self._parts, self._starts, self._longest = prepared.parts, prepared.starts, prepared.longest
        self.changed.emit()
        self.editor.view.viewport().update()

    def _watch(self, session: DocumentSession | None) -> None:
        if session is self._watched:
            return
        if self._watched is not None:
            self._watched.spanChanged.disconnect(self._on_span_changed)
            self._watched.spanAdded.disconnect(self._on_span_added)
            self._watched.spanRemoved.disconnect(self._on_span_removed)
            self._watched.reloaded.disconnect(self._forget_layer)
            self._watched.saved.disconnect(self._count_edit)
        self._watched = session
        if session is not None:
            session.spanChanged.connect(self._on_span_changed)
            session.spanAdded.connect(self._on_span_added)
            session.spanRemoved.connect(self._on_span_removed)
            session.reloaded.connect(self._forget_layer)
            session.saved.connect(self._count_edit)

    def _count_edit(self) -> None:
        self._edits += 1  # a worker's frames, filtered by the layer before it, are filtered again

    # The layer's edges follow each edit (one span), not read again: 10,000 spans read at
    # every key press cost more than the rest of the edit.

    def _on_span_added(self, span: SpanRecord) -> None:
        if self._have is not None:
            self._have.add(span)

    def _on_span_removed(self, span: SpanRecord) -> None:
        if self._have is not None:
            self._have.remove(span)

    def _on_span_changed(self, old: SpanRecord, new: SpanRecord) -> None:
        """An accepted suggestion whose edges or label the person then changed: its decision
        becomes "edited", so that evaluating the engines counts it as a near miss."""
        if self._have is not None:
            self._have.remove(old)
            self._have.add(new)
        if self.service is None or self._watched is None:
            return
        if (old.start, old.end, old.label) == (new.start, new.end, new.label):
            return  # a value (the stance): not part of what was suggested
        try:
            self.service.span_edited(self._watched.service.annotator.name, new.id)
        except AnnotatorError as exc:  # evaluation bookkeeping: never in the way of the edit
            self.message.emit(f"the suggestion's decision was not updated: {exc}")

    def position(self) -> int:
        """Where the current suggestion starts (0 when none is): kept across a refresh."""
        frame = self.current_frame()
        return self._start(frame) if frame is not None else 0

    def current_frame(self) -> Frame | None:
        if self.current is None or not self.visible or self.current >= len(self.frames):
            return None
        return self.frames[self.current]

    # -- drawing --

    def drawn_frames(self) -> list[DrawnFrame]:
        frames = list(self._editor_frames()) if self._editor_frames is not None else []
        if not self.visible or not self.frames:
            return frames
        current = self.current_frame()
        session = self.editor.session
        if self._have is None:
            self._have = _LayerEdges(session.spans.values() if session is not None else ())
        if self._parts is None:
            self._parts, self._starts, self._longest = _index_parts(
                self.frames, self.editor.offsets
            )
        assert self._parts is not None
        first, last = self._visible_range()
        # Parts sorted by start: only those that can reach the screen are looked at, so a
        # 1 MB article's thousands of suggestions cost a paint no more than a page's.
        lo = bisect_left(self._starts, first - self._longest)
        hi = bisect_right(self._starts, last)
        drawn: list[DrawnFrame] = []
        for start, end, index, key in self._parts[lo:hi]:
            if end < first:
                continue
            frame = self.frames[index]
            if frame is current:
                drawn.append(DrawnFrame(start, end, SUGGESTED_CURRENT))
            elif key not in self._have:  # a part the layer already has: framed only if current
                drawn.append(DrawnFrame(start, end, SUGGESTED))
        return drawn + frames  # the selection is drawn last, on top

    def _forget_layer(self, *_: object) -> None:
        self._have = None  # the layer was re-read: what it holds is read again when drawn
        self._edits += 1

    def _visible_range(self) -> tuple[int, int]:
        """The Qt positions from the first to the last character on screen."""
        view = self.editor.view
        first = view.firstVisibleBlock().position()
        corner = QPoint(view.viewport().width() - 1, view.viewport().height() - 1)
        last_block = view.cursorForPosition(corner).block()
        return first, last_block.position() + last_block.length()

    def set_visible(self, on: bool) -> None:
        self.visible = on
        self.changed.emit()
        self.editor.view.viewport().update()
        self.message.emit("Suggestions shown (F6 hides them)" if on else "Suggestions hidden")

    # -- stepping --

    def step(self, direction: int) -> None:
        """Make the next (1) or previous (-1) suggestion current, from the current one or
        from the caret, and bring it into view."""
        if not self.frames:
            self.message.emit(
                "The suggestions are still being read…"
                if self.reading
                else "No open suggestions in this document"
            )
            return
        if not self.visible:
            self.set_visible(True)
        if self.current is not None and self.current < len(self.frames):
            self.current = (self.current + direction) % len(self.frames)
        else:
            caret = self.editor.offsets.from_qt(self.editor.view.textCursor().position())
            self._go_from(caret, direction, inclusive=False)
        self._show_current()

    def _go_from(
        self, position: int, direction: int, *, inclusive: bool, frames_first: bool = False
    ) -> None:
        self.current = _first_from(self.frames, position, direction, inclusive, frames_first)

    @staticmethod
    def _start(frame: Frame) -> int:
        return _start(frame)

    def _show_current(self) -> None:
        frame = self.current_frame()
        if frame is None or frame.head.span is None:
            return
        self.editor.select(None)
        view = self.editor.view
        cursor = view.textCursor()
        cursor.setPosition(self.editor.offsets.to_qt(frame.head.span.start))
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        view.viewport().update()
        self.changed.emit()
        self.message.emit(f"{describe(frame)} — {KEYS_HINT}")

    def leave(self) -> None:
        self.current = None
        self.changed.emit()
        self.editor.view.viewport().update()

    # -- keys --

    def handle_key(self, event: QKeyEvent) -> bool:
        """Enter and Shift+Enter accept the current suggestion (outside link mode they mean
        nothing else). Del rejects it and Esc leaves it only while no span is selected: with
        one selected they act on the span, as always. Every other key goes to the editor."""
        if self.current_frame() is not None and self.editor.link_relation is None:
            key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            none_selected = self.editor.selected is None and self.editor.text_selection() is None
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.ShiftModifier,
            ):
                self.accept(whole_frame=mods == Qt.KeyboardModifier.NoModifier)
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not mods and none_selected:
                self.reject()
                return True
            if key == Qt.Key.Key_Escape and not mods and none_selected:
                self.leave()
                return True
        return self._editor_keys is not None and self._editor_keys(event)

    # -- deciding --

    def accept(self, *, whole_frame: bool) -> None:
        frame, session = self.current_frame(), self.editor.session
        if frame is None or session is None or self.service is None:
            return
        position = self._start(frame)
        head = frame.head.span
        assert head is not None
        edges = (head.start, head.end, head.label)

        decided: list[_Undo] = []  # for an undo: the frames before

        def then_select(result: AcceptResult, undone: bool) -> None:
            if undone:  # the suggestion is open again, and current, as before
                self._undecided(decided.pop() if decided else None, position)
                return
            # The next frame is current: Enter accepts it next.
            decided.append(self._decided(result.accepted, ACCEPTED, position))
            session = self.editor.session
            mine = session.spans.values() if session is not None else ()
            # The accepted statement (made now, or one the layer had), selected: its value
            # keys (the stance) act on it next.
            made = next((s.id for s in mine if (s.start, s.end, s.label) == edges), None)
            self.editor.select(made)

        command = AcceptSuggestionCommand(
            session, self.service, frame.head.id, whole_frame=whole_frame, after=then_select
        )
        if self.editor.run(command):
            done = len(command.result.accepted) if command.result else 0
            refused = command.result.refused if command.result else ()
            note = f"; left out: {refused[0][1]}" if refused else ""
            self.message.emit(f"Accepted {describe(frame)} ({done} parts){note}")

    def reject(self) -> None:
        frame, session = self.current_frame(), self.editor.session
        if frame is None or session is None or self.service is None:
            return
        position = self._start(frame)

        decided: list[_Undo] = []  # for an undo: the frames before

        def then_show(rejected: tuple[int, ...], undone: bool) -> None:
            if undone:
                self._undecided(decided.pop() if decided else None, position)
            else:
                decided.append(self._decided(rejected, REJECTED, position))

        command = RejectSuggestionCommand(session, self.service, frame.head.id, after=then_show)
        if self.editor.run(command):  # the next suggestion is current now
            self.message.emit(f"Rejected {describe(frame)}")
            self._show_current()


class _Undo(NamedTuple):
    """What undoing a decision needs to show the frames from before it without a read: the
    frames (``frames``, state ``before``) if those shown are still the ones it left (``after``)."""

    before: int
    frames: list[Frame]
    after: int


def _key(span: SpanRecord) -> tuple[int, int, str]:
    return span.start, span.end, span.label


def _start(frame: Frame) -> int:
    return frame.head.span.start if frame.head.span is not None else 0


def _first_from(
    frames: list[Frame], position: int, direction: int, inclusive: bool, frames_first: bool
) -> int | None:
    """The first suggestion from ``position`` on (or before it, going back);
    ``frames_first``: the first statement frame, if one is left, over lone spans."""
    starts = [_start(f) for f in frames]
    if frames_first and any(f.parts for f in frames):
        starts = [s if f.parts else -1 for s, f in zip(starts, frames, strict=True)]
        if direction > 0:
            after = [
                i
                for i, s in enumerate(starts)
                if s >= 0 and (s > position or (inclusive and s == position))
            ]
            return after[0] if after else next(i for i, s in enumerate(starts) if s >= 0)
    if not starts:
        return None
    if direction > 0:
        after = [i for i, s in enumerate(starts) if s > position or (inclusive and s == position)]
        return after[0] if after else 0
    before = [i for i, s in enumerate(starts) if s < position]
    return before[-1] if before else len(starts) - 1


Part = tuple[int, int, int, tuple[int, int, str]]  # Qt start, Qt end, frame index, edges


def _index_parts(frames: list[Frame], offsets: OffsetMap) -> tuple[list[Part], list[int], int]:
    """Every suggested span of the frames, in Qt positions, sorted by start; their starts;
    the longest one's length."""
    to_qt = offsets.to_qt
    parts = [
        (to_qt(span.start), to_qt(span.end), index, _key(span))
        for index, frame in enumerate(frames)
        for part in (frame.head, *(s for _, s in frame.parts))
        if (span := part.span) is not None
    ]
    parts.sort()
    return parts, [p[0] for p in parts], max((p[1] - p[0] for p in parts), default=0)


class Prepared(NamedTuple):
    """Frames ready to show: what a refresh computes, on a worker for a long article."""

    found: list[Frame]  # every open frame read
    frames: list[Frame]  # those the layer does not hold whole
    current: int | None
    have: _LayerEdges | None  # None: read from the layer when first needed
    parts: list[Part]
    starts: list[int]
    longest: int


def prepare(
    found: list[Frame],
    spans: Sequence[SpanRecord],
    relations: Sequence[RelationRecord],
    offsets: OffsetMap,
    keep_position: int | None,
) -> Prepared:
    """Filter, index and choose the current frame; plain Python on records, so that a
    worker thread can do it for the thousands of a long article."""
    if not found:  # nothing to filter: the layer's edges are read when a paint needs them
        return Prepared(found, [], None, None, [], [], 0)
    held = _Held(spans, relations)
    frames = [f for f in found if not held.whole(f)]
    current = (
        _first_from(frames, keep_position, 1, True, True)
        if keep_position is not None and frames
        else None
    )
    parts, starts, longest = _index_parts(frames, offsets)
    return Prepared(found, frames, current, _LayerEdges(spans), parts, starts, longest)


@dataclass(frozen=True)
class Reading:
    """What a worker needs to read the open document's frames for the overlay: the layer as
    it was when the read began (copies), and which read this is."""

    generation: int
    edits: int
    spans: list[SpanRecord]
    relations: list[RelationRecord]
    offsets: OffsetMap
    keep_position: int | None

    def prepare(self, found: list[Frame]) -> Prepared:
        return prepare(found, self.spans, self.relations, self.offsets, self.keep_position)


class _LayerEdges:
    """The edges and labels the layer holds, counted (two spans may share them), kept up to
    date span by span."""

    def __init__(self, spans: Iterable[SpanRecord]) -> None:
        self._count = Counter(_key(s) for s in spans)

    def __contains__(self, key: object) -> bool:
        return key in self._count

    def add(self, span: SpanRecord) -> None:
        self._count[_key(span)] += 1

    def remove(self, span: SpanRecord) -> None:
        key = _key(span)
        left = self._count[key] - 1
        if left > 0:
            self._count[key] = left
        else:
            del self._count[key]


class _Held:
    """What the layer already holds, read once: its spans by edges and label, and its links."""

    def __init__(self, spans: Iterable[SpanRecord], relations: Iterable[RelationRecord]) -> None:
        self.spans = {_key(s): s.id for s in spans}
        self.links = {(r.label, r.source_id, r.target_id) for r in relations}

    def whole(self, frame: Frame) -> bool:
        """Whether the layer holds the whole frame (its spans and their links): accepting it
        would add nothing, so it is neither drawn nor stepped to."""
        head = frame.head.span
        source = self.spans.get(_key(head)) if head is not None else None
        if source is None:
            return False
        for link, part in frame.parts:
            if part.span is None or link.relation is None:
                return False
            target = self.spans.get(_key(part.span))
            if target is None or (link.relation.label, source, target) not in self.links:
                return False
        return True


def describe(frame: Frame) -> str:
    """A suggestion in a few words: its label, engines and confidence, and what it links."""
    head = frame.head
    label = head.span.label if head.span is not None else "link"
    parts = ", ".join(
        f"{link.relation.label if link.relation else '?'} → {span.span.label if span.span else '?'}"
        for link, span in frame.parts
    )
    engines = "+".join(head.engines)
    text = f"suggested {label} ({engines}, {head.confidence:.2f})"
    return f"{text} with {parts}" if parts else text
