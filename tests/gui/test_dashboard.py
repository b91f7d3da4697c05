"""Team → Dashboard… (Ctrl+Shift+D): the charts draw the figures a team lead would count from
the demo team's work, export as PNG and CSV, measure agreement off the GUI thread, work
without the chart library, and the window starts without it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from annotator.core.services import statistics as statistics_module
from annotator.core.services.workspace import Workspace
from annotator.gui.dashboard_view import DashboardDialog
from annotator.gui.main_window import MainWindow
from tests.core.test_cli import run

REPO = Path(__file__).resolve().parents[2]


def open_dashboard(qtbot: QtBot, window: MainWindow) -> DashboardDialog:
    qtbot.keyClick(
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.dashboard is not None and bool(window.dashboard.tables))
    assert window.dashboard is not None
    return window.dashboard


def widths(dialog_tab: Any) -> dict[str, list[float]]:
    """The bars drawn, per series: read back from the chart's items."""
    return {name: list(item.opts["width"]) for name, item in dialog_tab.chart.items.items()}


def people_work(probe: Workspace) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """Counted from each person's own spans, links and statuses: done documents per person,
    spans per label, statements per stance, said_by links."""
    done: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    stances: Counter[str] = Counter()
    said_by = 0
    for person in probe.annotators.people():
        layer = probe.annotations(person.name)
        for doc in probe.documents.ids(person.id):
            done[person.name] += layer.status(doc) == "done"
            for span in layer.spans(doc):
                labels[span.label] += 1
                if span.label == "STATEMENT" and span.attributes.get("stance"):
                    stances[span.attributes["stance"]] += 1
            said_by += sum(1 for r in layer.relations(doc) if r.label == "said_by")
    return +done, labels, stances, said_by


def test_ctrl_shift_d_opens_the_dashboard_and_each_chart_shows_the_counts(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    window = open_main("alice")  # the first start loads the demo with amira's and tomas's work
    dialog = open_dashboard(qtbot, window)
    done, labels, stances, said_by = people_work(probe)
    assert done  # the demo team finished documents

    lines = dialog.progress_tab.chart.items
    assert set(lines) == set(done)
    for name, item in lines.items():
        _xs, ys = item.getData()
        assert ys[-1] == done[name]  # the running total ends at their documents done
        assert list(ys) == sorted(ys)

    assert dialog.count_choice.currentText() == "Spans per label"
    assert widths(dialog.labels_tab) == {"spans": [labels[k] for k in sorted(labels)]}
    dialog.count_choice.setCurrentText("STATEMENT stance")
    assert widths(dialog.labels_tab) == {"spans": [stances[k] for k in sorted(stances)]}
    assert [dialog.labels_tab.model.table.rows[i][0] for i in range(len(stances))] == sorted(
        stances
    )

    dialog.top.setValue(1000)
    drawn = widths(dialog.speakers_tab)["statements"]
    assert sum(drawn) == said_by and drawn == sorted(drawn, reverse=True)
    dialog.top.setValue(3)
    assert len(widths(dialog.speakers_tab)["statements"]) == 3
    assert dialog.speakers_tab.model.rowCount() == 3

    # one layer: only tomas's figures
    with qtbot.waitSignal(dialog.figuresReady, timeout=20000):
        dialog.layer.setCurrentText("tomas")
    assert set(dialog.progress_tab.chart.items) == {"tomas"}


def test_export_png_and_csv_write_the_chart_and_its_table(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dashboard(qtbot, open_main("alice"))
    dialog.tabs.setCurrentWidget(dialog.labels_tab)
    qtbot.waitExposed(dialog.labels_tab.chart)
    chosen: list[Path] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(chosen[-1]), ""))
    chosen.append(tmp_path / "labels.png")
    with qtbot.waitSignal(dialog.labels_tab.exported):
        dialog.labels_tab.png_button.click()
    image = QImage(str(chosen[-1]))
    assert not image.isNull() and image.width() > 100 and image.height() > 100
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }
    assert "#0072b2" in colours  # a bar of the chart, not a blank grab

    chosen.append(tmp_path / "labels.csv")
    chosen[-1].write_text("old\n")  # the user said "replace" in the file dialog
    with qtbot.waitSignal(dialog.labels_tab.exported):
        dialog.labels_tab.csv_button.click()
    with chosen[-1].open(newline="") as handle:
        rows = list(csv.reader(handle))
    table = dialog.labels_tab.model.table
    assert rows[0] == ["label", "spans"]
    assert rows[1:] == [[str(c) for c in row] for row in table.rows]
    assert not list(tmp_path.glob(".labels*"))  # no scratch file left beside them


def test_agreement_is_measured_off_the_gui_thread_and_can_be_cancelled(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dashboard(qtbot, open_main("alice"))
    assert dialog.agreement_tab.model.rowCount() == 0  # never measured unasked
    threads: list[threading.Thread] = []
    release = threading.Event()
    release.set()
    real = statistics_module.measure_agreement

    def measured(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics_module, "measure_agreement", measured)
    with qtbot.waitSignal(dialog.agreementReady, timeout=20000) as ready:
        dialog.measure_button.click()
    assert threads and threads[0] is not threading.main_thread()
    spans = probe.agreement()["overall"]["spans"]
    assert widths(dialog.agreement_tab)["F1 mean"] == [e["f1_mean"] for e in spans.values()]
    assert ready.args[0].column("label") == list(spans)

    release.clear()  # the next measure waits until the test has cancelled it
    shown = dialog.agreement_tab.model.table
    job = dialog.measure_agreement()
    qtbot.waitUntil(lambda: len(threads) == 2)
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: dialog.agreement_status.text() == "Cancelled.", timeout=20000)
    assert dialog.agreement_tab.model.table is shown  # the last figures stay


def copy_statements_only(probe: Workspace, source: str, copy: str) -> None:
    """``copy`` marks only ``source``'s statements and speakers on ``source``'s done documents
    (no targets, no weapons) and finishes them: a third person who agrees in part."""
    mine = probe.annotations(copy)
    theirs = probe.annotations(source)
    for doc in probe.documents.ids(probe.annotators.person(source).id, statuses=["done"]):
        for span in theirs.spans(doc):
            if span.label in ("STATEMENT", "SPEAKER"):
                mine.create_span(doc, span.start, span.end, span.label, dict(span.attributes))
        mine.set_status(doc, "done", force=True)


def test_the_agreement_tab_compares_the_layer_chosen_in_the_box_with_each_person(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    window = open_main("alice")
    copy_statements_only(probe, "amira", "carol")
    dialog = open_dashboard(qtbot, window)
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(3).center())
    assert dialog.tabs.currentWidget() is dialog.agreement_tab
    with qtbot.waitSignal(dialog.agreementReady, timeout=20000):
        qtbot.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    everyone = dialog.agreement_tab.model.table
    assert everyone.column("label")[-1] == "*"  # per label, between every person

    # Alt+L puts the focus in the layer box; typing a name chooses that layer
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert dialog.layer.hasFocus()
    with qtbot.waitSignal(dialog.agreementReady, timeout=20000):
        qtbot.keyClicks(dialog.layer, "carol")
    table = dialog.agreement_tab.model.table
    assert table != everyone
    assert set(table.column("layer")) == {"carol"}
    assert set(table.column("with")) == {"amira", "tomas"}  # alice and lead did nothing
    for other in ("amira", "tomas"):
        pair = probe.agreement(annotators=["carol", other])["pairs"][0]["spans"]
        shown = {row[2]: row[3] for row in table.rows if row[1] == other}
        assert shown == {label: entry["f1"] for label, entry in pair.items()}
    with_amira = {row[2]: row[3] for row in table.rows if row[1] == "amira"}
    assert with_amira["STATEMENT"] == 1.0 and with_amira["WEAPON"] == 0.0
    assert widths(dialog.agreement_tab)["F1"] == [
        row[3] for row in table.rows if row[2] == "*"
    ]  # one bar per person compared, over all labels
    assert "carol" in dialog.agreement_tab.chart.accessibleName()

    # the command line writes the same rows for the same layer
    out = tmp_path / "figures"
    code, text, _ = run(
        capsys, "stats", "--db", url, "--csv", str(out), "--layer", "carol", "--agreement"
    )
    assert code == 0, text
    assert (out / "agreement.csv").read_text(encoding="utf-8") == table.csv_text()

    # back to every person: the per-label figures again
    with qtbot.waitSignal(dialog.agreementReady, timeout=20000):
        qtbot.keyClick(dialog.layer, Qt.Key.Key_Home)
    assert dialog.layer.currentText() == "Every person"
    assert dialog.agreement_tab.model.table.headers == everyone.headers


def test_without_the_chart_library_the_tables_and_csv_still_work(
    qtbot: QtBot, probe: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core.services.demo import load_demo

    load_demo(probe, "alice")
    monkeypatch.setitem(sys.modules, "pyqtgraph", None)  # import pyqtgraph now fails
    dialog = DashboardDialog(probe)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.figuresReady, timeout=20000):
        dialog.refresh()
    tab = dialog.labels_tab
    assert not tab.chart.available and "pip install 'annotator[charts]'" in tab.chart.hint.text()
    assert not tab.png_button.isEnabled() and tab.csv_button.isEnabled()
    assert tab.model.rowCount() > 0
    target = tab.export_csv(tmp_path / "labels.csv")
    assert target.read_text().splitlines()[0] == "label,spans"


def test_opening_the_window_does_not_import_the_chart_library(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from annotator.gui.app import open_window
        settings = QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat)
        window = open_window({str(tmp_path / "db.sqlite3")!r}, "alice", settings, ask=False)
        window.show()
        app.processEvents()
        print("at start:", "pyqtgraph" in sys.modules)
        window.show_dashboard()
        print("with the dashboard:", "pyqtgraph" in sys.modules)
        window.close()
        """
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, **env, "XDG_DATA_HOME": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr
    assert "at start: False" in result.stdout
    assert "with the dashboard: True" in result.stdout


def test_the_dashboard_key_is_the_windows_own(
    open_main: Callable[..., MainWindow], tmp_path: Path
) -> None:
    from PySide6.QtGui import QAction

    from annotator.core.domain.errors import AnnotatorError
    from annotator.core.domain.schema import parse_schema

    action = open_main("alice").findChild(QAction, "dashboard")
    assert action is not None and action.shortcut().toString() == "Ctrl+Shift+D"
    schema = "name: x\nversion: '1'\nlabels:\n  - name: A\n    hotkey: Ctrl+Shift+D\n"
    with pytest.raises(AnnotatorError, match="a key of the window itself"):
        parse_schema(schema)
