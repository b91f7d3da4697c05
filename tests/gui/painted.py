"""What the screen really shows, read back from the window's backing store.

``QWidget.grab()`` paints the widget afresh, so it would hide a view that was never told to
repaint; ``QScreen.grabWindow`` returns what was last painted, as a user sees it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot


def window_image(widget: QWidget, qtbot: QtBot) -> QImage:
    """The window as last painted, once pending paints are done."""
    qtbot.wait(40)
    window = widget.window()
    screen = window.screen() or QApplication.primaryScreen()
    return screen.grabWindow(window.winId()).toImage()


def highlight_colors(view: QWidget) -> set[str]:
    palette = view.palette()
    return {
        palette.color(group, QPalette.ColorRole.Highlight).name()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    }


def painted_rows(view: QAbstractItemView, qtbot: QtBot) -> list[int]:
    """Rows painted in the selection colour (sampled at the left edge of the first column,
    where no text is drawn), among the rows inside the viewport."""
    image = window_image(view, qtbot)
    colours = highlight_colors(view)
    viewport, model = view.viewport(), view.model()
    rows = []
    for row in range(model.rowCount()):
        rect = view.visualRect(model.index(row, 0))
        middle = rect.top() + rect.height() // 2
        if not 0 <= middle < viewport.height():
            continue
        at = viewport.mapTo(view.window(), rect.topLeft())
        if QColor(image.pixel(at.x() + 1, at.y() + rect.height() // 2)).name() in colours:
            rows.append(row)
    return rows


def fully_visible(view: QAbstractItemView, row: int) -> bool:
    """Whether the whole height of ``row`` lies inside the view's viewport."""
    rect: QRect = view.visualRect(view.model().index(row, 0))
    inside = view.viewport().rect()
    return inside.top() <= rect.top() and rect.bottom() <= inside.bottom()
