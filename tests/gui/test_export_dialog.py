"""The Export dialog offers only what an export accepts: every stratify choice it lists goes
through a real export, and a format's own options never follow the user to another format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from annotator.core.formats.registry import WRITERS
from annotator.gui.export_dialog import ExportDialog
from annotator.gui.main_window import MainWindow

TIMEOUT = 60_000


def offered(box) -> list[object]:  # type: ignore[no-untyped-def]
    return [box.itemData(i) for i in range(box.count())]


def press_export(dialog: ExportDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_every_stratify_choice_the_dialog_offers_is_accepted_by_an_export(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    dialog = ExportDialog(window.schema, ["alice"], window)
    qtbot.addWidget(dialog)
    choices = offered(dialog.stratify_box)
    assert choices[0] is None  # "not stratified"
    assert "label" in choices and "stance" in choices and "STATEMENT.stance" in choices
    dialog.format_box.setCurrentIndex(offered(dialog.format_box).index("conll"))
    dialog.done_only.setChecked(False)  # the demo has nothing marked done
    dialog.split_box.setChecked(True)
    for n, choice in enumerate(choices[1:], start=1):
        out = tmp_path / f"split-{n}"
        dialog.stratify_box.setCurrentIndex(n)
        dialog.output_edit.setText(str(out))
        press_export(dialog)
        assert dialog.error.text() == "", choice
        request = dialog.request()
        assert request.split is not None and request.split.stratify == choice
        job = window.start_export(request)
        with qtbot.waitSignals([job.done], timeout=TIMEOUT, raising=False) as blocker:
            pass
        assert blocker.signal_triggered, (choice, dialogs)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["split"]["stratify"] == choice
    assert dialogs == []


def test_a_conll_choice_does_not_follow_the_user_to_another_format(
    qtbot: QtBot, tmp_path: Path, open_main: Callable[..., MainWindow]
) -> None:
    window = open_main()
    dialog = ExportDialog(window.schema, ["alice"], window)
    qtbot.addWidget(dialog)
    formats = offered(dialog.format_box)
    assert formats == list(WRITERS)
    dialog.format_box.setCurrentIndex(formats.index("conll"))
    assert dialog.scheme_box.isVisibleTo(dialog) and dialog.nested_box.isVisibleTo(dialog)
    dialog.scheme_box.setCurrentText("BILOU")
    dialog.nested_box.setCurrentIndex(1)  # outermost
    dialog.format_box.setCurrentIndex(formats.index("native"))
    assert not dialog.scheme_box.isVisibleTo(dialog)
    out = tmp_path / "backup.jsonl"
    dialog.output_edit.setText(str(out))
    request = dialog.request()
    assert (request.scheme, request.nested) == ("BIO", "layers")
    job = window.start_export(request)
    with qtbot.waitSignal(job.done, timeout=TIMEOUT):
        pass
    assert out.stat().st_size > 0
