"""Keys pressed while the window is still opening its database are dropped, not replayed.

The frame is on screen before the workspace is open (``annotator.gui.startup``), and a user
may type before the first document shows. Those keys are ignored rather than replayed: a
Ctrl+Enter typed blind would mark done a document nobody has seen, and a label key has no
selection to act on. Until then the window's actions and filter boxes are disabled and the
article has no document, so a key that arrives then does nothing; the keys typed while the
database opened (the GUI thread busy) wait in the window system's queue, and ``drop_pending``
delivers them to a filter that drops them, just before the first document opens (with the
document list filled by then, an arrow key would otherwise open another document). Keys typed
during the last step, opening that document (tens of ms), reach the window once it is ready.

The filter sits on the application only for that moment: a Python filter on every event of a
window being built costs more than the start-up it would guard.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride})


class KeysBeforeReady(QObject):
    """Drops the key events bound for ``window`` that wait in the queue."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dropped = 0  # key presses dropped, for the tests and the curious

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in KEY_EVENTS
            and isinstance(watched, QWidget)
            and watched.window() is self.window
        ):
            if event.type() == QEvent.Type.KeyPress:
                self.dropped += 1
            return True
        return False

    def drop_pending(self) -> None:
        """Deliver, and so drop, the keys typed while the database was opening."""
        app = QCoreApplication.instance()
        if app is None:
            return
        app.installEventFilter(self)
        try:
            QApplication.processEvents()
        finally:
            app.removeEventFilter(self)
