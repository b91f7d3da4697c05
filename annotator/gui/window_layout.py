"""The window's layout: the article in the centre, docks around it, kept between sessions.

Issue 13 found the fixed three-pane splitter unusable at 1024x700: a URL in the meta line
forced the centre to 767 px, so the document list shrank to "Ira…", the annotation list's
Links column hid behind a scrollbar, and F1's guidelines squeezed the list further. Now the
document list and the label panel are docks (movable, floatable, closable, back from the View
menu), the guidelines open as a tab over the label panel, nothing has a minimum width wider
than it needs, and the layout is restored from QSettings.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTextBrowser,
    QWidget,
)

LAYOUT_VERSION = 2  # version 1 was the splitter: its saved state is not restored into docks
DEFAULT_SIZE = (1400, 860)
ANNOTATION_ROWS = 5  # the annotation list shows at least this many rows


class WindowLayout(QMainWindow):
    """Mixed into ``MainWindow``: docks, their menu, and saving and restoring the layout."""

    # Provided by MainWindow.
    settings: QSettings
    guidelines: QTextBrowser
    meta_label: QLabel
    title_label: QLabel
    ann_view: QTableView
    doc_view: QTableView
    text_split: QSplitter

    def _arrange(self, documents: QWidget, article: QWidget, labels: QWidget) -> None:
        """Put the article in the centre and the rest in docks, at sizes that fit 1024x700."""
        self.setCentralWidget(article)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.documents_dock = self._dock("Documents", "documentsDock", documents, left)
        self.labels_dock = self._dock("Labels", "labelsDock", labels, right)
        self.guidelines_dock = self._dock("Guidelines", "guidelinesDock", self.guidelines, right)
        # F1 opens the guidelines as a tab over the labels, never a third column.
        self.tabifyDockWidget(self.labels_dock, self.guidelines_dock)
        self.guidelines_dock.hide()
        self.labels_dock.raise_()
        # A long URL or headline wraps or is cut, and never sets the window's minimum width.
        for label in (self.title_label, self.meta_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._fit_annotation_list()
        # The status bar's labels shrink (their text cut short) rather than
        # widen the window: a long wait message once pushed the window past 1024 px.
        for label in self.statusBar().findChildren(QLabel):
            label.setMinimumWidth(24)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() knows docks by name
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _fit_annotation_list(self) -> None:
        """Columns that share the width (Links never behind a scrollbar), and enough rows."""
        header = self.ann_view.horizontalHeader()
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, self.ann_view.fontMetrics().horizontalAdvance("STATEMENT") + 40)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        rows = self.ann_view.verticalHeader().defaultSectionSize()
        self.ann_view.setMinimumHeight(header.sizeHint().height() + ANNOTATION_ROWS * rows + 4)
        self.text_split.setStretchFactor(0, 3)
        self.text_split.setStretchFactor(1, 1)
        self.text_split.setChildrenCollapsible(False)

    def _build_view_menu(self, menu_bar: QMenuBar) -> QMenu:
        """Each dock can be closed; this menu brings it back, or the whole default layout."""
        view = menu_bar.addMenu("&View")
        for dock in (self.documents_dock, self.labels_dock, self.guidelines_dock):
            action = dock.toggleViewAction()
            action.setObjectName(f"show{dock.objectName()}")
            view.addAction(action)
        view.addSeparator()
        reset = view.addAction("Reset layout")
        reset.setObjectName("resetLayout")
        reset.triggered.connect(self.reset_layout)
        return view

    def toggle_guidelines(self) -> None:
        """F1: the guidelines in front (as a tab over the labels), or away again."""
        dock = self.guidelines_dock
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            dock.hide()
            self.labels_dock.raise_()
        else:
            dock.show()
            dock.raise_()

    def reset_layout(self) -> None:
        for dock, area in (
            (self.documents_dock, Qt.DockWidgetArea.LeftDockWidgetArea),
            (self.labels_dock, Qt.DockWidgetArea.RightDockWidgetArea),
            (self.guidelines_dock, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self.tabifyDockWidget(self.labels_dock, self.guidelines_dock)
        self.guidelines_dock.hide()
        self.labels_dock.raise_()
        self._size_docks()

    def _size_docks(self) -> None:
        """The docks' share of the window's width: the list and the labels get room on a wide
        screen, and the article keeps more than 400 px at 1024."""
        width = self.width()
        sizes = [max(280, width * 22 // 100), max(285, width * 20 // 100)]
        self.resizeDocks([self.documents_dock, self.labels_dock], sizes, Qt.Orientation.Horizontal)

    # -- kept between sessions --

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            available = self.screen().availableGeometry().size()
            if available.width() >= 1024 and available.height() >= 700:
                self.resize(
                    min(DEFAULT_SIZE[0], available.width()),
                    min(DEFAULT_SIZE[1], available.height()),
                )
            else:  # smaller than any screen the window is made for (or a headless one)
                self.resize(*DEFAULT_SIZE)
        state = self.settings.value("window/state")
        if not (
            isinstance(state, QByteArray)
            and not state.isEmpty()
            and self.restoreState(state, LAYOUT_VERSION)
        ):
            self._size_docks()
        split = self.settings.value("window/textSplit")
        if isinstance(split, QByteArray) and not split.isEmpty():
            self.text_split.restoreState(split)

    def _save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self.settings.setValue("window/textSplit", self.text_split.saveState())
