"""A list's selection that always equals what the window has open or selected.

Setting a selection with the selection model's signals blocked leaves the view unaware: on
screen the old row stays highlighted and the new one is not. And when rows move (a resized span
sorts elsewhere) or go (a deleted span), Qt moves the current row to a neighbour by itself.
So the selection is set with signals on, and set again after every change to the rows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject
from PySide6.QtWidgets import QAbstractItemView

Flag = QItemSelectionModel.SelectionFlag


class SelectionFollower(QObject):
    """Keeps ``view`` on the single row ``wanted()`` names (None: no row), scrolled into view."""

    def __init__(self, view: QAbstractItemView, wanted: Callable[[], int | None]) -> None:
        super().__init__(view)
        self.view = view
        self.wanted = wanted
        model = view.model()
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.rowsMoved,
            model.layoutChanged,
        ):
            signal.connect(self.follow)

    def follow(self, *_: object) -> None:
        """Select the wanted row only (or none) and scroll it into view."""
        selection = self.view.selectionModel()
        row = self.wanted()
        if row is None:
            if selection.hasSelection() or selection.currentIndex().isValid():
                selection.clear()
            return
        index = self.view.model().index(row, 0)
        selected = selection.selectedRows()
        if selection.currentIndex().row() != row or [i.row() for i in selected] != [row]:
            selection.setCurrentIndex(index, Flag.ClearAndSelect | Flag.Rows)
        self.view.scrollTo(index)
