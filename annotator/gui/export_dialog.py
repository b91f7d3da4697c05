"""The Export dialog: format, target and filters, the same choices as ``annotator export``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from annotator.core.db import Database
from annotator.core.export.source import ExportFilter, Progress
from annotator.core.schema import Schema

FORMATS = {
    "native": "Native JSONL (one record per document, everything)",
    "statements": "Statements JSONL (speaker, stance, targets, weapons)",
}


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    output: Path
    filter: ExportFilter

    def run(self, db: Database, schema: Schema, progress: Progress) -> str:
        if self.fmt == "statements":
            from annotator.core.export.statements import export_statements

            count = export_statements(db, self.output, schema, self.filter, progress)
            return f"wrote {count} statement(s) to {self.output}"
        from annotator.core.export.native import export_native

        count = export_native(db, self.output, schema, self.filter, progress)
        return f"wrote {count} document(s) to {self.output}"


class ExportDialog(QDialog):
    def __init__(
        self,
        schema: Schema,
        annotators: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        form = QFormLayout(self)
        self.format_box = QComboBox()
        for key, text in FORMATS.items():
            self.format_box.addItem(text, key)
        form.addRow("Format", self.format_box)
        row = QHBoxLayout()
        self.output_edit = QLineEdit(str(Path.home() / "annotations.jsonl"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.output_edit, 1)
        row.addWidget(browse)
        form.addRow("Save to", row)
        self.done_only = QCheckBox("Only documents marked done")
        self.done_only.setChecked(True)
        form.addRow("", self.done_only)
        self.annotator_list = QListWidget()
        for name in annotators:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.annotator_list.addItem(item)
        self.annotator_list.setMaximumHeight(120)
        form.addRow("Annotators", self.annotator_list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.schema = schema

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export to", self.output_edit.text(), "JSON lines (*.jsonl);;All (*)"
        )
        if path:
            self.output_edit.setText(path)

    def request(self) -> ExportRequest:
        chosen = tuple(
            self.annotator_list.item(i).text()
            for i in range(self.annotator_list.count())
            if self.annotator_list.item(i).checkState() == Qt.CheckState.Checked
        )
        everyone = len(chosen) == self.annotator_list.count()
        flt = ExportFilter(
            annotators=() if everyone else chosen,
            statuses=("done",) if self.done_only.isChecked() else (),
        )
        return ExportRequest(self.format_box.currentData(), Path(self.output_edit.text()), flt)
