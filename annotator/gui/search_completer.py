"""Completion of the search line's filters (``label:``, ``stance:denies``, ``speaker:``) as they
are typed: the filters a schema offers are not to be remembered, they are offered.

A ``QCompleter`` completes a whole line; this one completes the term being typed (the text after
the last space) and keeps the rest of the line as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit


class TermCompleter(QCompleter):
    """Offers the filters that start with the term being typed, in any case."""

    def __init__(self, edit: QLineEdit) -> None:
        self._terms = QStringListModel()
        super().__init__(self._terms, edit)
        self._terms.setParent(self)
        self._edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)
        edit.setCompleter(self)

    def set_terms(self, terms: list[str]) -> None:
        self._terms.setStringList(terms)

    def splitPath(self, path: str) -> list[str]:
        """What is matched: the term being typed (nothing right after a space)."""
        return [path.rsplit(" ", 1)[-1]]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        """The line with the term being typed replaced by the chosen filter."""
        head = self._edit.text().rsplit(" ", 1)[0] + " " if " " in self._edit.text() else ""
        return head + str(index.data())
