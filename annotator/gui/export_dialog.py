"""The Export dialog: the same choices as ``annotator export``, run by ``export_dataset``."""

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
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QWidget,
)

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.layers import SPECIAL_LAYERS
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.formats.options import NESTED, SCHEME
from annotator.core.services.exporting.dataset import (
    NESTED_DEFAULT,
    WRITERS,
    ExportOptions,
    SplitSpec,
    default_filter,
    plan_output,
    stratify_choices,
)
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.workspace import Workspace
from annotator.gui.export_plan import (
    Choices,
    command_line,
    default_layers,
    layer_filter,
    layout_line,
    proposed_output,
)


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog asked for; ``run`` is called on the worker thread."""

    fmt: str
    output: Path
    filter: ExportFilter | None = None
    split: SplitSpec | None = None
    scheme: str = "BIO"
    nested: str = NESTED_DEFAULT
    allow_outside_schema: bool = False

    def run(self, workspace: Workspace, schema: Schema, progress: Progress) -> str:
        options = ExportOptions(
            filter=self.filter,
            split=self.split,
            scheme=self.scheme,
            nested=self.nested,
            allow_outside_schema=self.allow_outside_schema,
        )
        return workspace.export(
            self.output, self.fmt, options, schema=schema, progress=progress
        ).summary()


class ExportDialog(QDialog):
    def __init__(
        self,
        schema: Schema,
        annotators: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export dataset")
        self.setMinimumWidth(560)
        self.schema = schema
        form = QFormLayout(self)
        self.format_box = QComboBox()
        self.format_box.setObjectName("exportFormat")
        for name, entry in WRITERS.items():
            reason = entry.why_not(schema)  # a missing extra, or a schema it cannot hold
            self.format_box.addItem(entry.title, name)
            index = self.format_box.count() - 1
            self.format_box.setItemData(
                index, reason or entry.description, Qt.ItemDataRole.ToolTipRole
            )
            if reason:
                self.format_box.model().item(index).setEnabled(False)  # type: ignore[attr-defined]
        form.addRow("Format", self.format_box)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #555;")
        form.addRow("", self.description)

        row = QHBoxLayout()
        self._proposed = proposed_output(Path.home(), self.fmt, split=False)
        self.output_edit = QLineEdit(str(self._proposed))
        self.output_edit.setObjectName("exportTarget")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.output_edit, 1)
        row.addWidget(browse)
        form.addRow("Save to", row)
        self.layout_hint = QLabel()
        self.layout_hint.setObjectName("exportLayout")
        self.layout_hint.setStyleSheet("color: #555;")
        self.layout_hint.setWordWrap(True)
        form.addRow("", self.layout_hint)
        self.command = QLabel()  # the same export from a terminal: one behaviour, shown
        self.command.setObjectName("exportCommand")
        self.command.setTextFormat(Qt.TextFormat.PlainText)
        self.command.setWordWrap(True)
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command.setStyleSheet("color: #555; font-family: monospace;")
        form.addRow("Same as", self.command)

        self.done_only = QCheckBox("Only documents marked done")
        form.addRow("Documents", self.done_only)
        self.annotator_list = QListWidget()
        for name in annotators:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)  # ticked as the format's default
            if name in SPECIAL_LAYERS:
                item.setToolTip(f"The {name} layer")
            self.annotator_list.addItem(item)
        self.annotator_list.setMaximumHeight(110)
        form.addRow("Annotators", self.annotator_list)

        self.split_box = QCheckBox("Split by document")
        self.split_edit = QLineEdit("train=0.8,dev=0.1,test=0.1")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setValue(13)
        self.stratify_box = QComboBox()
        self.stratify_box.addItem("not stratified", None)
        for choice in stratify_choices(schema):  # exactly what the export accepts
            self.stratify_box.addItem(f"stratify by {choice}", choice)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_box)
        split_row.addWidget(self.split_edit, 1)
        split_row.addWidget(QLabel("seed"))
        split_row.addWidget(self.seed_box)
        form.addRow("Splits", split_row)
        form.addRow("", self.stratify_box)

        self.scheme_box = QComboBox()
        self.scheme_box.addItems(list(SCHEME.choices))
        self.nested_box = QComboBox()
        # The default first: one column per label keeps nested labels (WEAPON in STATEMENT).
        self.nested_box.addItem("one column per label", "layers")
        self.nested_box.addItem("outermost span wins (drops nested labels)", "outermost")
        token_row = QHBoxLayout()
        token_row.addWidget(self.scheme_box)
        token_row.addWidget(self.nested_box, 1)
        self.token_label = QLabel("Tags")
        form.addRow(self.token_label, token_row)

        # Annotations the schema lacks (kept from an earlier schema) refuse an export, naming
        # them; ticked, they go out as they are and the manifest records it (as on the CLI).
        self.outside_box = QCheckBox("Also annotations the schema lacks (the manifest says so)")
        form.addRow("Outside the schema", self.outside_box)

        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form.addRow("", self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.split_box.toggled.connect(self._layout_changed)
        for changed in (
            self.output_edit.textChanged,
            self.done_only.toggled,
            self.annotator_list.itemChanged,
            self.split_edit.textChanged,
            self.seed_box.valueChanged,
            self.stratify_box.currentIndexChanged,
            self.scheme_box.currentIndexChanged,
            self.nested_box.currentIndexChanged,
            self.outside_box.toggled,
        ):
            changed.connect(self._update_hint)
        self._format_changed()

    @property
    def fmt(self) -> str:
        return str(self.format_box.currentData())

    def _format_changed(self) -> None:
        info = WRITERS[self.fmt]
        self.description.setText(f"{info.description} One record per {info.record}.")
        self.done_only.setChecked(bool(default_filter(self.fmt).statuses))
        ticked = default_layers(self.fmt, self._annotators())
        self.annotator_list.blockSignals(True)  # one hint update, below
        for i in range(self.annotator_list.count()):
            item = self.annotator_list.item(i)
            checked = item.text() in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.annotator_list.blockSignals(False)
        self.scheme_box.setVisible(info.accepts(SCHEME.name))
        self.nested_box.setVisible(info.accepts(NESTED.name))
        self.token_label.setVisible(info.accepts(SCHEME.name) or info.accepts(NESTED.name))
        self._layout_changed()

    def _layout_changed(self) -> None:
        """A new format or split: the proposed path follows (a file for one file, a folder
        otherwise), and a path of the user's keeps its name with the format's extension."""
        info = WRITERS[self.fmt]
        current = Path(self.output_edit.text())
        if self.output_edit.text() == str(self._proposed):
            self._proposed = proposed_output(current.parent, self.fmt, self.split_box.isChecked())
            self.output_edit.setText(str(self._proposed))
        elif current.suffix and not info.folder:
            self.output_edit.setText(str(current.with_suffix(info.extension)))
        self._update_hint()

    def _target(self) -> Path:
        return Path(self.output_edit.text()).expanduser()

    def _update_hint(self, *_: object) -> None:
        try:
            options = self._options()
            layout = plan_output(self._target(), self.fmt, options)
        except (AnnotatorError, ValueError) as exc:
            self.layout_hint.setText(str(exc))
            self.command.setText("")
            return
        self.layout_hint.setText(layout_line(layout))
        split = self.split_edit.text() if self.split_box.isChecked() else None
        self.command.setText(
            command_line(
                Choices(
                    self.fmt,
                    self.output_edit.text(),
                    options.filter or ExportFilter(),
                    split,
                    self.seed_box.value(),
                    self.stratify_box.currentData(),
                    options.scheme,
                    options.nested,
                    options.allow_outside_schema,
                )
            )
        )

    def _browse(self) -> None:
        info = WRITERS[self.fmt]
        if info.folder or self.split_box.isChecked():
            path = QFileDialog.getExistingDirectory(self, "Export into folder")
        else:
            # A name typed without its extension gets it, as on the command line's habit of
            # out.jsonl: without one, the export would be a folder.
            picker = QFileDialog(self, "Export to", self.output_edit.text())
            picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            picker.setNameFilters([f"{info.title} (*{info.extension})", "All (*)"])
            picker.setDefaultSuffix(info.extension.lstrip("."))
            path = picker.selectedFiles()[0] if picker.exec() else ""
        if path:
            self.output_edit.setText(path)

    def _annotators(self) -> tuple[str, ...]:
        return tuple(self.annotator_list.item(i).text() for i in range(self.annotator_list.count()))

    def _checked_annotators(self) -> tuple[str, ...]:
        items = [self.annotator_list.item(i) for i in range(self.annotator_list.count())]
        return tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)

    def _filter(self) -> ExportFilter:
        statuses = ("done",) if self.done_only.isChecked() else ()
        return layer_filter(self.fmt, self._checked_annotators(), self._annotators(), statuses)

    def _options(self) -> ExportOptions:
        split = None
        if self.split_box.isChecked():
            split = SplitSpec.parse(
                self.split_edit.text(),
                seed=self.seed_box.value(),
                stratify=self.stratify_box.currentData(),
            )
        # A format's own options only when it takes them (a hidden choice must not refuse).
        info = WRITERS[self.fmt]
        scheme = self.scheme_box.currentText() if info.accepts(SCHEME.name) else SCHEME.default
        nested = self.nested_box.currentData() if info.accepts(NESTED.name) else NESTED.default
        return ExportOptions(
            filter=self._filter(),
            split=split,
            scheme=str(scheme),
            nested=str(nested),
            allow_outside_schema=self.outside_box.isChecked(),
        )

    def _accept(self) -> None:
        if self.annotator_list.count() and not self._checked_annotators():
            self.error.setText("choose at least one annotator")
            return
        try:
            self.request()
        except (AnnotatorError, ValueError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def request(self) -> ExportRequest:
        """The export asked for; raises with a readable message if a field is wrong."""
        options = self._options()
        return ExportRequest(
            self.fmt,
            self._target(),
            options.filter,
            options.split,
            options.scheme,
            options.nested,
            options.allow_outside_schema,
        )
