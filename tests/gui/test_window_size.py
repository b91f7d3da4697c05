"""The window works at 1024x700 (issue 13, defect 9): every part keeps a usable size, F1's
guidelines take no room from the list, and the docks' layout comes back after a restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QDockWidget, QLabel
from pytestqt.qtbot import QtBot

from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, User


def shown_at_1024(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1024, 700)
    window.reset_layout()  # the default layout, for this width
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 700)
    qtbot.wait(50)


def inside(child: QRect, parent: QRect) -> bool:
    return parent.contains(child.topLeft()) and parent.contains(child.bottomRight())


def test_every_part_is_usable_at_1024_by_700(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-01")  # pre-annotated: the annotation list is full
    shown_at_1024(window, qtbot)
    assert window.minimumSizeHint().width() <= 1024
    assert window.minimumSizeHint().height() <= 700

    # The document list: titles, not "Ira…".
    docs = window.doc_view
    assert docs.columnWidth(0) >= 140
    assert docs.horizontalHeader().length() <= docs.viewport().width()  # no sideways scrolling

    # The article: a readable column, and the header wraps instead of widening the window.
    assert window.text_view.width() >= 400 and window.text_view.height() >= 300

    # The annotation list: every column in view (Links too), and five rows at least.
    spans = window.ann_view
    header = spans.horizontalHeader()
    assert header.length() <= spans.viewport().width()
    assert header.sectionViewportPosition(3) + header.sectionSize(3) <= spans.viewport().width()
    assert min(header.sectionSize(c) for c in (1, 2, 3)) >= 80
    rows = spans.viewport().height() // spans.verticalHeader().defaultSectionSize()
    assert rows >= 5 and window.ann_model.rowCount() > rows

    # The label panel: every label's and value's button whole, its text not cut.
    statements = [s for s in window.session.spans.values() if s.label == "STATEMENT"]
    me.click_span(min(statements, key=lambda s: s.start))
    panel = window.label_panel

    def buttons() -> list[QAbstractButton]:
        found = panel.findChildren(QAbstractButton)  # type: ignore[type-abstract]
        return [b for b in found if b.isVisibleTo(panel) and b.text()]

    qtbot.waitUntil(lambda: len(buttons()) > 8)  # the labels, stances, forms and links
    shown = window.labels_dock.rect()
    for button in buttons():
        area = QRect(button.mapTo(window.labels_dock, QPoint(0, 0)), button.size())
        assert shown.left() <= area.left() and area.right() <= shown.right(), button.text()
        assert button.width() >= button.fontMetrics().horizontalAdvance(button.text()) + 8

    # The status bar: its texts side by side, none over another, all inside the window.
    window.wait_status.setText("Waiting for the database (another program is writing)… " * 3)
    qtbot.wait(50)
    assert window.width() == 1024
    labels = [
        QRect(lab.mapTo(window, QPoint(0, 0)), lab.size())
        for lab in window.statusBar().findChildren(QLabel)
        if lab.isVisible() and lab.text()
    ]
    for n, one in enumerate(labels):
        assert inside(one, window.rect())
        assert not any(one.intersects(other) for other in labels[n + 1 :])
    window.wait_status.setText("")

    # F1: the guidelines open as a tab over the labels, and take nothing from the list.
    list_width, text_width = docs.width(), window.text_view.width()
    me.key(Key.Key_F1)
    qtbot.waitUntil(lambda: window.guidelines.isVisible())
    assert docs.width() == list_width and window.text_view.width() == text_width
    assert window.guidelines.width() >= 240
    me.key(Key.Key_F1)
    qtbot.waitUntil(lambda: window.label_panel.isVisible())


# A floating dock is raised, which the offscreen platform cannot do.
@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$")
def test_the_docks_layout_is_kept_between_sessions(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    shown_at_1024(window, qtbot)
    dock = window.documents_dock
    assert dock.features() & QDockWidget.DockWidgetFeature.DockWidgetMovable
    # A double click on its title bar floats the document list, as a user would move it out.
    title = dock.titleBarWidget() or dock
    qtbot.mouseDClick(title, Qt.MouseButton.LeftButton, pos=QPoint(30, 8))
    qtbot.waitUntil(dock.isFloating)
    split = window.text_split.sizes()
    window.close()

    again = open_main()
    qtbot.waitUntil(lambda: again.documents_dock.isFloating())
    assert again.text_split.sizes() == split
    # View → the default layout brings the list back beside the article.
    again.findChild(type(again.documents_dock.toggleViewAction()), "resetLayout").trigger()
    assert not again.documents_dock.isFloating()
    assert again.dockWidgetArea(again.documents_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
