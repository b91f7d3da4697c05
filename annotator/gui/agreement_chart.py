"""A small bar chart of agreement per label, painted with QPainter.

Two bars per label (span F1 mean, alpha_u) on a 0-1 scale; an undefined measure is written as
text in place of its bar, never drawn as zero. Colours from the Okabe-Ito palette, and each bar
carries its number, so colour is never the only cue.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from annotator.gui.agreement_model import Bar

COLOURS = {"F1": QColor("#0072B2"), "alpha_u": QColor("#E69F00")}


class AgreementChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Agreement per label")

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 6

    def sizeHint(self) -> QSize:
        return QSize(420, max(60, (len(self.bars) + 1) * self._row_height() + 8))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        row = self._row_height()
        names = [f"{b.label} {b.measure}" for b in self.bars]
        left = max((metrics.horizontalAdvance(n) for n in names), default=0) + 12
        width = max(40, self.width() - left - 60)
        palette = self.palette()
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No agreement to show")
            return
        for n, (bar, name) in enumerate(zip(self.bars, names, strict=True)):
            y = 4 + n * row
            painter.setPen(palette.windowText().color())
            painter.drawText(
                QRectF(0, y, left - 6, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            if bar.value is None:
                painter.drawText(
                    QRectF(left, y, width + 60, row),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"undefined ({bar.undefined})",
                )
                continue
            length = max(0.0, min(1.0, bar.value)) * width
            painter.fillRect(QRectF(left, y + 3, length, row - 6), COLOURS[bar.measure])
            painter.drawText(
                QRectF(left + length + 4, y, 60, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{bar.value:.3f}",
            )
        painter.end()
