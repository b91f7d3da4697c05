"""What a key press on the article means, and what becomes of it while a write waits.

While an edit waits for the database (another program holds the write lock), every key that
edits or moves the editor's selection is queued and replayed in order once the edit is stored:
the user's keystrokes are kept, never dropped, never reordered. Scrolling and moving the text
cursor still work at once. A key replayed later sees the state the edits before it left (the
span just made is selected), except for what the user changed between two keys (a new text
selection, a clicked span): that is put back before the key is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

from annotator.gui.editor_entities import ENTITY_KEY

if TYPE_CHECKING:
    from annotator.gui.editor import AnnotationEditor

_MODS = (
    ("Ctrl", Qt.KeyboardModifier.ControlModifier),
    ("Alt", Qt.KeyboardModifier.AltModifier),
    ("Shift", Qt.KeyboardModifier.ShiftModifier),
    ("Meta", Qt.KeyboardModifier.MetaModifier),
)
_ALT, _CTRL = Qt.KeyboardModifier.AltModifier.value, Qt.KeyboardModifier.ControlModifier.value
_SHIFT = Qt.KeyboardModifier.ShiftModifier
# Caret jumps (not edits), with or without Shift: (key, modifier) -> unit, forward.
_MOVES: dict[tuple[int, int], tuple[str, bool]] = {
    (Qt.Key.Key_Down, _ALT): ("sentence", True),
    (Qt.Key.Key_Up, _ALT): ("sentence", False),
    (Qt.Key.Key_Down, _CTRL): ("paragraph", True),
    (Qt.Key.Key_Up, _CTRL): ("paragraph", False),
    (Qt.Key.Key_PageDown, _ALT): ("quote", True),
    (Qt.Key.Key_PageUp, _ALT): ("quote", False),
}
_EDIT_KEYS = {
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
}


def key_name(event: QKeyEvent) -> str | None:
    """The schema's spelling ("Shift+K", "1") of a key press, or None for other keys."""
    key = event.key()
    if (
        Qt.Key.Key_A.value <= key <= Qt.Key.Key_Z.value
        or Qt.Key.Key_0.value <= key <= Qt.Key.Key_9.value
    ):
        name = chr(key)
    elif Qt.Key.Key_F1.value <= key <= Qt.Key.Key_F12.value:
        name = f"F{key - Qt.Key.Key_F1.value + 1}"
    else:
        return None
    mods = event.modifiers()
    return "+".join([m for m, flag in _MODS if mods & flag] + [name])


def _is_undo(event: QKeyEvent) -> bool:
    return event.matches(QKeySequence.StandardKey.Undo)


def _is_redo(event: QKeyEvent) -> bool:
    return event.matches(QKeySequence.StandardKey.Redo) or (
        event.key() == Qt.Key.Key_Z
        and event.modifiers()
        == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )


@dataclass(frozen=True)
class _Press:
    """A key press kept for later: the key, and where the user's text cursor and selected
    span were when it was pressed (a QKeyEvent does not outlive its handler)."""

    key: int
    mods: Qt.KeyboardModifier
    text: str
    anchor: int
    position: int
    selected: int | None


class KeyHandler:
    """The editor's keys: acts on them, or queues them behind a write that waits."""

    def __init__(self, editor: AnnotationEditor) -> None:
        self.editor = editor
        self._last: _Press | None = None  # the previous edit key, for replaying the next

    def _press(self, event: QKeyEvent) -> _Press:
        cursor = self.editor.view.textCursor()
        return _Press(
            event.key(),
            event.modifiers(),
            event.text(),
            cursor.anchor(),
            cursor.position(),
            self.editor.selected,
        )

    def _waiting(self) -> bool:
        session = self.editor.session
        return session is not None and session.writes.busy

    def handle(self, event: QKeyEvent) -> bool:
        editor = self.editor
        if editor.session is None:
            return False
        if not self._queueable(event):
            return False if self._waiting() else self._act(event)
        press, before = self._press(event), self._last
        self._last = press
        if not self._waiting():
            return self._act(event)
        editor.session.writes.later(lambda: self._replay(press, before))
        editor.show_wait()
        return True

    def claims(self, event: QKeyEvent) -> bool:
        """Whether a key press is a schema hotkey here: it then beats a window shortcut or a
        menu mnemonic (Alt+D must make an exact DATE span, not open the Document menu).
        While a write waits, Ctrl+Z and every edit key are claimed too, to be queued."""
        if self._waiting():
            return self._queueable(event)
        name = key_name(event)
        return self.editor.session is not None and name is not None and self._hotkey(name, False)

    def _replay(self, press: _Press, before: _Press | None) -> None:
        editor = self.editor
        if editor.session is None:
            return
        if before is None or (press.anchor, press.position) != (before.anchor, before.position):
            cursor = editor.view.textCursor()
            cursor.setPosition(press.anchor)
            cursor.setPosition(press.position, cursor.MoveMode.KeepAnchor)
            editor.view.setTextCursor(cursor)
        if before is None or press.selected != before.selected:
            editor.select(press.selected)
        event = QKeyEvent(QEvent.Type.KeyPress, press.key, press.mods, press.text)
        self._act(event)
        editor.show_wait()

    def _queueable(self, event: QKeyEvent) -> bool:
        """Keys that edit, or change what the next key edits; not scrolling or the cursor."""
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in _EDIT_KEYS:
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and mods & Qt.KeyboardModifier.AltModifier:
            return True
        if _is_undo(event) or _is_redo(event):
            return self._waiting()  # else the window's undo action takes it
        name = key_name(event)
        return name is not None and self._any_hotkey(name)

    def _any_hotkey(self, name: str) -> bool:
        """A key the schema gives any meaning (a value key may apply to a span still being
        made, so it is kept whichever span is selected now)."""
        session = self.editor.session
        if session is None:
            return False
        schema = session.schema
        bare = name[4:] if name.startswith("Alt+") else None
        for label in schema.labels:
            if label.hotkey in (name, bare):
                return True
            for attr in label.attributes:
                if attr.hotkey == name or any(value.hotkey == name for value in attr.values):
                    return True
        return any(
            rel.hotkey == name
            or any(value.hotkey == name for attr in rel.attributes for value in attr.values)
            for rel in schema.relations
        )

    def _act(self, event: QKeyEvent) -> bool:
        editor = self.editor
        if editor.session is None:
            return False
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if _is_undo(event) or _is_redo(event):  # only a replayed one gets here
            if editor.stack is not None:
                editor.stack.undo() if _is_undo(event) else editor.stack.redo()
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            forward = key == Qt.Key.Key_Tab and not mods & Qt.KeyboardModifier.ShiftModifier
            if editor.link_relation is not None:
                editor.cycle_link_candidate(forward)
            else:
                editor.cycle(forward)
            return True
        if key == Qt.Key.Key_Escape:
            if editor.link_relation is not None:
                editor.cancel_link()
            elif editor.selected_link is not None:
                editor.select_link(None)  # back to the span's own values
            else:
                editor.select(None)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if editor.link_relation is None or mods:
                return False
            if editor.text_selection() is not None:
                editor.apply_label(editor.link_relation.target)
            elif editor.link_candidate is not None:
                editor.complete_link(editor.link_candidate)
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not mods:
            if editor.link_relation is not None:
                editor.unlink_chosen()
            else:
                editor.delete_selected()
            return True
        move = _MOVES.get((key, (mods & ~_SHIFT).value))
        if move is not None:
            editor.move_caret(*move, extend=bool(mods & _SHIFT))
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and mods & Qt.KeyboardModifier.AltModifier:
            edge = "start" if mods & Qt.KeyboardModifier.ShiftModifier else "end"
            editor.resize(edge, 1 if key == Qt.Key.Key_Right else -1)
            return True
        name = key_name(event)
        return name is not None and self._hotkey(name)

    def _hotkey(self, name: str, act: bool = True) -> bool:
        editor = self.editor
        assert editor.session is not None
        schema = editor.session.schema
        for label in schema.labels:
            if label.hotkey == name:
                if (
                    act
                    and editor.link_relation is None
                    and editor.selected is not None
                    and editor.text_selection() is None
                ):
                    editor.relabel(label.name)  # a label's key on a span: it takes the label
                elif act:
                    editor.apply_label(label.name)
                return True
        for rel in schema.relations:
            if rel.hotkey == name:
                if act:
                    editor.begin_link(rel.name)
                return True
        link = editor.selected_relation()
        if link is not None and editor.text_selection() is None:
            # A link just made or chosen: its value keys win over its source span's.
            link_type = schema.relation(link.label)
            for attr in link_type.attributes if link_type is not None else ():
                for value in attr.values:
                    if value.hotkey == name:
                        if act:
                            editor.set_link_value(attr.name, value.name)
                        return True
        span = editor.selected_span()
        if span is not None and editor.text_selection() is None:
            own = schema.label(span.label)
            if own is None:  # a span kept from an earlier schema: shown, not editable
                plain = "+" not in name.replace("Shift+", "")  # never Ctrl+C and the like
                if act and plain:
                    editor.message.emit(
                        f"{span.label} is not in the schema {schema.name}: its values cannot "
                        "be set (delete it, or switch back to its schema)"
                    )
                return act and plain
            for attr in own.attributes:
                if attr.hotkey == name:
                    if act:
                        editor.attribute_key(attr.name)
                    return True
                for value in attr.values:
                    if value.hotkey == name:
                        if act:
                            editor.set_value(attr.name, value.name)
                        return True
        if name == ENTITY_KEY and editor.names_entity(span) and editor.text_selection() is None:
            if act:
                editor.choose_entity()
            return True
        if name.startswith("Alt+"):
            # Alt + a label's key: the span takes exactly the selected characters.
            for label in schema.labels:
                if label.hotkey == name[4:]:
                    if act:
                        editor.apply_label(label.name, exact=True)
                    return True
        return False
