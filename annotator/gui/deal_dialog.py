"""Dealing documents to people: how many each, how many people share a document, seeded.

The deal is previewed first (a dry run that writes nothing); "Deal" stores exactly what the
preview showed, for as long as nothing in the form changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.assigning import DealSpec
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.wording import counted
from annotator.core.services.assignments import DealReport
from annotator.core.services.workspace import Workspace


def describe(report: DealReport) -> str:
    """A deal's outcome in plain words."""
    verb = "would get" if report.dry_run else "got"
    lines = [
        f"{name} {verb} {counted(len(keys), 'document')}" for name, keys in report.given.items()
    ]
    lines.append(
        f"{counted(report.total, 'assignment')} over {counted(report.documents, 'document')}"
    )
    if report.short:
        gets = "gets" if report.short == 1 else "get"
        lines.append(
            f"{counted(report.short, 'document')} {gets} fewer annotators than wanted "
            "(each person's limit, or too few people)"
        )
    return "\n".join(lines)


class DealDialog(QDialog):
    def __init__(
        self, workspace: Workspace, lead: str, people: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dealDialog")
        self.setWindowTitle("Deal documents")
        self.workspace = workspace
        self.lead = lead
        self._previewed: DealSpec | None = None
        box = QGroupBox("People")
        box_layout = QVBoxLayout(box)
        self.people: dict[str, QCheckBox] = {}
        for name in people:
            check = QCheckBox(name)
            check.setChecked(True)
            check.toggled.connect(self._changed)
            box_layout.addWidget(check)
            self.people[name] = check
        self.others = QLineEdit()
        self.others.setObjectName("dealOthers")
        self.others.setPlaceholderText("more people, comma-separated")
        self.others.textChanged.connect(self._changed)
        box_layout.addWidget(self.others)
        self.per_person = self._spin(0, 1_000_000, 0, "dealCount")
        self.per_person.setSpecialValueText("no limit")
        self.overlap = self._spin(1, 50, 1, "dealOverlap")
        self.share = self._spin(0, 100, 100, "dealShare")
        self.share.setSuffix(" %")
        self.seed = self._spin(0, 2**31 - 1, 0, "dealSeed")
        form = QFormLayout()
        form.addRow("Documents each", self.per_person)
        form.addRow("People per shared document", self.overlap)
        form.addRow("Shared documents", self.share)
        form.addRow("Seed", self.seed)
        self.preview_label = QLabel("Preview the deal before making it.")
        self.preview_label.setObjectName("dealPreview")
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_label.setWordWrap(True)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("dealPreviewButton")
        self.preview_button.clicked.connect(self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.deal_button = buttons.addButton("Deal", QDialogButtonBox.ButtonRole.ActionRole)
        self.deal_button.setObjectName("dealRunButton")
        self.deal_button.setEnabled(False)
        self.deal_button.clicked.connect(self.run_deal)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(form)
        layout.addWidget(self.preview_button)
        layout.addWidget(self.preview_label, 1)
        layout.addWidget(buttons)

    def _spin(self, low: int, high: int, value: int, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self._changed)
        return spin

    def _changed(self) -> None:
        """The form no longer says what was previewed: preview again before dealing."""
        self._previewed = None
        self.deal_button.setEnabled(False)

    def spec(self) -> DealSpec:
        named = [n for n, check in self.people.items() if check.isChecked()]
        named += [n.strip() for n in self.others.text().split(",") if n.strip()]
        return DealSpec(
            people=tuple(named),
            per_person=self.per_person.value() or None,
            overlap=self.overlap.value(),
            overlap_share=self.share.value() / 100,
            seed=self.seed.value(),
        )

    def preview(self) -> None:
        try:
            spec = self.spec()
            report = self.workspace.assignments.deal(spec, assigned_by=self.lead, dry_run=True)
        except AnnotatorError as exc:
            self._changed()
            self.preview_label.setText(f"Cannot deal: {exc}")
            return
        self.preview_label.setText(describe(report))
        self._previewed = spec
        self.deal_button.setEnabled(report.total > 0)

    def run_deal(self) -> None:
        spec = self._previewed
        if spec is None:
            return
        try:
            report = self.workspace.assignments.deal(spec, assigned_by=self.lead)
        except AnnotatorError as exc:
            self.preview_label.setText(f"Cannot deal: {exc}")
            return
        self.preview_label.setText(describe(report))
        self.deal_button.setEnabled(False)
        self._previewed = None
