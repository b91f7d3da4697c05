"""The agreement view shows the CLI's figures for the corpus and for the open document."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.core.domain.agreement import render_table
from annotator.core.services.workspace import Workspace
from annotator.gui.agreement_model import report_rows
from annotator.gui.agreement_view import OPEN_DOCUMENT
from annotator.gui.main_window import MainWindow


def shown_rows(window: MainWindow) -> list[tuple[str, ...]]:
    model = window.agreement_dialog.model  # type: ignore[union-attr]
    return [model.row(i) for i in range(model.rowCount())]


def test_the_view_shows_the_demo_teams_agreement_as_the_cli_reports_it(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    window = open_main("alice")  # the first start loads the demo with amira's and tomas's work
    with qtbot.waitSignal(window.agreement_dialog_ready(), timeout=20000) as ready:
        qtbot.keyClick(
            window,
            Qt.Key.Key_A,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    report = ready.args[0]
    expected = probe.agreement()
    assert report["pairs"] == expected["pairs"]
    assert [p["annotators"] for p in report["pairs"]] == [["amira", "tomas"]]
    rows = shown_rows(window)
    assert rows == report_rows(expected)
    f1 = expected["pairs"][0]["spans"]["STATEMENT"]["f1"]
    assert (
        "spans",
        "amira vs tomas",
        "STATEMENT",
        "F1",
        f"{f1:.3f}",
        str(expected["pairs"][0]["spans"]["STATEMENT"]["tp"]),
    ) in rows
    dialog = window.agreement_dialog
    assert dialog is not None
    assert (
        "exact boundaries" in dialog.summary.text()
        and "Documents compared: 3" in dialog.summary.text()
    )
    assert dialog.chart.bars and {b.label for b in dialog.chart.bars} >= {"STATEMENT", "WEAPON"}
    assert "amira vs tomas" in render_table(expected)


def test_open_document_scope_and_undefined_figures(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    window = open_main("alice")
    dialog = window.show_agreement()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    # The first document open is one only alice works on: nobody to compare with.
    key = window.session.document.key  # type: ignore[union-attr]
    with qtbot.waitSignal(dialog.reportReady, timeout=20000) as ready:
        dialog.scope.setCurrentText(OPEN_DOCUMENT)
    report = ready.args[0]
    assert report["selection"]["documents"] == [key]
    assert report["pairs"] == probe.agreement(documents=[key])["pairs"]
    values = [r[4] for r in shown_rows(window)]
    assert values and all(not v.lower().startswith("nan") for v in values)
    if not report["pairs"]:
        assert any(v.startswith("undefined (") for v in values)
