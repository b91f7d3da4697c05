"""The window's Edit → Search corpus… (Ctrl+Shift+F): a dock made on first use, and a hit
opened in the article with its text selected (its span, when it is the open layer's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDockWidget

if TYPE_CHECKING:
    from annotator.core.domain.searching import Hit
    from annotator.gui.corpus_search import CorpusSearchPanel
    from annotator.gui.main_window import MainWindow


class WindowSearch(QObject):
    """The search dock of one window (whose database never changes: File > Open makes a new
    window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel: CorpusSearchPanel | None = None
        self.dock: QDockWidget | None = None

    def show(self) -> CorpusSearchPanel:
        """Show the dock (made the first time: start-up never pays for it), focused on its
        query with the last one selected, ready to type over."""
        window = self.window
        if self.panel is None or self.dock is None:
            from annotator.gui.corpus_search import CorpusSearchPanel

            # The window's job list: closing the window stops a search still running.
            self.panel = CorpusSearchPanel(window.workspace, window.schema, window._jobs)
            self.panel.hitChosen.connect(self.open_hit)
            self.dock = QDockWidget("Search corpus", window)
            self.dock.setObjectName("searchDock")
            self.dock.setWidget(self.panel)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        else:
            self.panel.set_schema(window.schema)  # the labels and annotators of now
        self.dock.show()
        self.dock.raise_()
        self.panel.query_edit.setFocus()
        self.panel.query_edit.selectAll()
        return self.panel

    def open_hit(self, hit: Hit) -> None:
        """Open the hit's document and select the hit: its span when the open layer owns it,
        else its text (a label key then annotates it)."""
        window = self.window
        window.open_document(hit.document_id)
        session = window.session
        if session is None or session.document.id != hit.document_id:
            return  # the open waits behind an edit being saved: it opens, unselected
        editor, view = window.editor, window.text_view
        if hit.span_id is not None and hit.span_id in session.spans:
            editor.select(hit.span_id, scroll=True)
            return
        editor.select(None)
        cursor = view.textCursor()
        cursor.setPosition(editor.offsets.to_qt(hit.start))
        cursor.setPosition(editor.offsets.to_qt(hit.end), QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
