"""The dashboard's charts, drawn with pyqtgraph when it is installed (``annotator[charts]``).

pyqtgraph (and numpy under it) is imported here, when the first chart is made, never when the
window starts: annotating needs no charts. Without it the panel says how to get them, and the
tables and their CSV export work the same.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from annotator.gui.dashboard_series import Bars, Lines

INSTALL_HINT = (
    "Charts need the pyqtgraph package: pip install 'annotator[charts]'. "
    "The tables below and their CSV export work without it."
)
# Okabe-Ito: told apart with every kind of colour vision.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def chart_library() -> ModuleType | None:
    """pyqtgraph, or None when it is not installed (or cannot load)."""
    try:
        return importlib.import_module("pyqtgraph")
    except ImportError:
        return None


class ChartPanel(QWidget):
    """One chart: lines or horizontal bars, or the install hint. ``plot`` is the pyqtgraph
    PlotWidget (None without the library); ``items`` what is drawn on it, by series name."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        self.items: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        pg = self._pg = chart_library()
        self.plot: Any = None
        if pg is None:
            self.hint = QLabel(INSTALL_HINT)
            self.hint.setWordWrap(True)
            self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.hint)
            return
        self.plot = pg.PlotWidget(background="w")
        self.plot.setTitle(title, color="k")
        self.plot.setMinimumHeight(220)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.addLegend(offset=(-10, 10), labelTextColor="k")
        self.plot.setMenuEnabled(False)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setTextPen("k")
        layout.addWidget(self.plot)

    def set_title(self, title: str) -> None:
        """What the chart is of, when its choices change (the layer compared)."""
        self.setAccessibleName(title)
        if self.plot is not None:
            self.plot.setTitle(title, color="k")

    @property
    def available(self) -> bool:
        return self.plot is not None

    def _clear(self) -> Any:
        item = self.plot.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.clear()
        self.items = {}
        return item

    def show_lines(self, lines: Lines) -> None:
        """Running totals per name over days (a date axis)."""
        if self._pg is None:
            return
        pg = self._pg
        item = self._clear()
        item.setAxisItems({"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
        for n, (name, points) in enumerate(sorted(lines.points.items())):
            colour = PALETTE[n % len(PALETTE)]
            xs = [x for x, _ in points]
            ys = [y for _, y in points]
            self.items[name] = item.plot(
                xs,
                ys,
                name=name,
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolBrush=colour,
                symbolSize=6,
            )
        item.setLabel("left", "documents done")
        item.enableAutoRange()

    def show_bars(self, bars: Bars) -> None:
        """Horizontal bars, categories top to bottom; several series side by side."""
        if self._pg is None:
            return
        pg = self._pg
        item = self._clear()
        count = max(1, len(bars.series))
        height = 0.8 / count
        for n, (name, values) in enumerate(bars.series.items()):
            kept = [(i, v) for i, v in enumerate(values) if v is not None]
            ys = [i + (n - (count - 1) / 2) * height for i, _ in kept]
            colour = PALETTE[n % len(PALETTE)]
            bar = pg.BarGraphItem(
                x0=0, y=ys, height=height, width=[v for _, v in kept], brush=colour
            )
            item.addItem(bar)
            if item.legend is not None and count > 1:
                item.legend.addItem(bar, name)
            self.items[name] = bar
        axis = item.getAxis("left")
        axis.setTicks([list(enumerate(bars.categories))])
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(c) for c in bars.categories), default=0)
        axis.setWidth(min(320, widest + 16))  # names in full, not clipped to the default
        item.getViewBox().invertY(True)  # the first category on top, as in the table
        item.enableAutoRange()
