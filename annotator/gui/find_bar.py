"""Ctrl+F: find words in the open article (plain text, any case), without leaving the keyboard.

Enter finds the next match, Shift+Enter the previous one, Esc closes the bar and gives the
article back its focus. A match becomes the text selection, so a label's key marks it at once.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget


class FindBar(QWidget):
    def __init__(self, view: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.view = view
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 10, 2)
        self.edit = QLineEdit()
        self.edit.setObjectName("findText")
        self.edit.setPlaceholderText("Find in the article (Enter next, Shift+Enter previous)")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.edit.textEdited.connect(lambda _text: self.find_next(True, from_start_of_match=True))
        self.result = QLabel()
        self.result.setObjectName("findResult")
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.result)
        for text, tip, forward in (("↑", "Previous (Shift+Enter)", False), ("↓", "Next", True)):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, f=forward: self.find_next(f))
            layout.addWidget(button)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.close_bar)
        layout.addWidget(close)
        self.hide()

    def open_bar(self) -> None:
        """Show the bar; words selected in the article become what is looked for."""
        chosen = self.view.textCursor().selectedText()
        if chosen and "\u2029" not in chosen:
            self.edit.setText(chosen)
        self.result.setText("")
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus()

    def find_next(self, forward: bool, *, from_start_of_match: bool = False) -> bool:
        """Select the next (or previous) match after the caret, wrapping round once."""
        needle = self.edit.text()
        if not needle:
            self.result.setText("")
            return False
        doc = self.view.document()
        cursor = self.view.textCursor()
        if from_start_of_match:  # typing more letters keeps the match where it is
            cursor.setPosition(cursor.selectionStart())
        flags = QTextDocument.FindFlag(0)
        if not forward:
            flags |= QTextDocument.FindFlag.FindBackward
        found = doc.find(needle, cursor, flags)
        if found.isNull():
            restart = QTextCursor(doc)
            restart.movePosition(
                QTextCursor.MoveOperation.Start if forward else QTextCursor.MoveOperation.End
            )
            found = doc.find(needle, restart, flags)
        if found.isNull():
            self.result.setText("not found")
            return False
        self.view.setTextCursor(found)
        self.view.centerCursor()
        self.result.setText(self._count(needle, found.selectionStart()))
        return True

    def _count(self, needle: str, at: int) -> str:
        """“3 of 7”: which match is selected, of how many in the article."""
        text = self.view.document().toPlainText().casefold()
        needle = needle.casefold()
        starts, i = [], text.find(needle)
        while i >= 0:
            starts.append(i)
            i = text.find(needle, i + 1)
        shown = starts.index(at) + 1 if at in starts else "?"
        return f"{shown} of {len(starts)}"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.find_next(not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
