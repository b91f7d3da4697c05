"""The status bar's passing messages, so that none outlives what it describes (issue 13).

Three kinds:
- a *hint* (a refusal, "select some text first"): it goes after a few seconds, or as soon as
  an edit goes through or another document opens, since it no longer applies then;
- a *prompt* (what link mode asks for, a wait for the database): it stays while the mode or
  the wait lasts and goes when it ends, and comes back once a hint shown over it has gone;
- the window's own reports ("imported 3 documents"), shown for a fixed time by their callers.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QStatusBar

HINT_MS = 6000


class StatusFeedback(QObject):
    def __init__(
        self,
        bar: QStatusBar,
        hints: SignalInstance,
        prompts: SignalInstance,
        undo_group: QUndoGroup,
    ) -> None:
        super().__init__(bar)
        self._bar = bar
        self._hint = ""
        self._prompt = ""
        hints.connect(self.hint)
        prompts.connect(self.prompt)
        # The active stack moved (an edit, an undo) or another document's stack became active.
        undo_group.indexChanged.connect(self.settled)
        undo_group.activeStackChanged.connect(self.settled)
        bar.messageChanged.connect(self._changed)

    def hint(self, text: str) -> None:
        """Something to read now; stale once an edit goes through."""
        self._hint = text
        self._bar.showMessage(text, HINT_MS)

    def prompt(self, text: str) -> None:
        """What the current mode asks for, until it ends ("" ends it)."""
        if text:
            self._prompt = text
            self._bar.showMessage(text)
            return
        ended, self._prompt = self._prompt, ""
        if ended and self._bar.currentMessage() == ended:
            self._bar.clearMessage()

    def settled(self, *_: object) -> None:
        """An edit went through, or another document opened: a hint shown before is stale."""
        hint, self._hint = self._hint, ""
        if hint and self._bar.currentMessage() == hint:
            self._bar.clearMessage()

    def _changed(self, text: str) -> None:
        if not text and self._prompt:  # a hint over the prompt has gone: the mode goes on
            self._bar.showMessage(self._prompt)
