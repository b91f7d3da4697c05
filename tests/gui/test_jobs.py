"""Import and export run as window jobs off the GUI thread; errors become readable dialogs and
leave the data as it was; a cancelled export leaves no file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from annotator.gui.export_dialog import ExportRequest
from annotator.gui.main_window import MainWindow

TIMEOUT = 20_000


def listed_titles(window: MainWindow) -> list[str]:
    model = window.doc_model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_import_adds_documents_to_the_list(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "sarnova.txt").write_text(
        "Sarnova orders more rockets\nThe minister said the deal was signed.\n", encoding="utf-8"
    )
    (folder / "estmar.txt").write_text(
        "Estmar tests a new radar\nOfficials said the radar works.\n", encoding="utf-8"
    )
    job = window.start_import([folder / "sarnova.txt", folder / "estmar.txt"])
    with qtbot.waitSignal(job.done, timeout=TIMEOUT) as blocker:
        pass
    assert len(blocker.args[0].imported_ids) == 2
    assert probe.documents.count() == 12
    titles = listed_titles(window)
    assert len(titles) == 12
    assert titles[-2:] == ["Sarnova orders more rockets", "Estmar tests a new radar"]
    assert "imported 2 documents" in window.statusBar().currentMessage()
    assert dialogs == []
    assert not job.dialog.isVisible()


def test_import_of_a_bad_file_shows_an_error_and_changes_nothing(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    good = tmp_path / "good.txt"
    good.write_text("A good article\nWith a sentence.\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1", "text": "fine"}\n{"id": "x2", "text": \n', encoding="utf-8")
    before = listed_titles(window)

    job = window.start_import([good, bad])
    with qtbot.waitSignal(job.error, timeout=TIMEOUT):
        pass
    assert len(dialogs) == 1
    title, message = dialogs[0]
    assert title == "Import failed"
    assert f"{bad}:2" in message and "not valid JSON" in message
    assert "Traceback" not in message
    assert probe.documents.count() == 10  # not even the good file: all or nothing
    assert listed_titles(window) == before


def test_export_writes_the_file(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    out = tmp_path / "out" / "everything.jsonl"
    job = window.start_export(ExportRequest("native", out, ExportFilter()))
    with qtbot.waitSignal(job.done, timeout=TIMEOUT) as blocker:
        pass
    assert "wrote 10 documents" in blocker.args[0]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"demo-{n:02}" for n in range(1, 11)]
    # alice's pre-annotations, plus the demo team's finished work on this article
    assert sum(s["annotator"] == "alice" for s in records[0]["spans"]) == 38
    assert {s["annotator"] for s in records[0]["spans"]} == {"alice", "amira", "tomas"}
    assert dialogs == []

    statements = tmp_path / "statements.jsonl"
    job = window.start_export(ExportRequest("statements", statements, ExportFilter()))
    with qtbot.waitSignal(job.done, timeout=TIMEOUT):
        pass
    rows = [json.loads(line) for line in statements.read_text(encoding="utf-8").splitlines()]
    assert rows and all("stance" in json.dumps(r) for r in rows)


@pytest.fixture
def big_corpus(tmp_path: Path, probe: Workspace) -> None:
    """40 MB of articles: the export is still running when Cancel is pressed (it takes ~0.1 s)."""
    corpus = tmp_path / "big.jsonl"
    sentence = "The minister said the drones would fly. "
    with corpus.open("w", encoding="utf-8") as f:
        for n in range(200):
            record = {"id": f"bulk-{n}", "title": f"Bulk {n}", "text": f"{n}: {sentence * 5000}"}
            f.write(json.dumps(record) + "\n")
    import_paths(probe.db, [corpus])


@pytest.mark.usefixtures("big_corpus")
def test_cancelled_export_leaves_no_file(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    out = tmp_path / "exports" / "cancelled.jsonl"
    out.parent.mkdir()

    job = window.start_export(ExportRequest("native", out, ExportFilter()))
    cancel = job.dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    cancel.click()
    with qtbot.waitSignal(job.error, timeout=TIMEOUT) as blocker:
        pass
    assert "cancelled" in str(blocker.args[0])
    assert list(out.parent.iterdir()) == []  # no file, no half-written temporary
    assert dialogs == []  # the user asked for it: not an error
    assert "cancelled" in window.statusBar().currentMessage()


@pytest.mark.usefixtures("big_corpus")
def test_closing_the_window_cancels_a_running_export(
    tmp_path: Path, open_main: Callable[..., MainWindow], dialogs: list[tuple[str, str]]
) -> None:
    window = open_main()
    out = tmp_path / "exports" / "closed.jsonl"
    out.parent.mkdir()
    window.start_export(ExportRequest("native", out, ExportFilter()))
    window.close()  # waits for the worker, which stops at its next document
    assert list(out.parent.iterdir()) == []


def test_export_dialog_offers_every_format_and_exports_a_split(qtbot, tmp_path, open_main) -> None:
    """The dialog's choices reach export_dataset: a CoNLL split into train/dev/test files."""
    from annotator.core.services.exporting.dataset import FORMATS
    from annotator.gui.export_dialog import ExportDialog

    window = open_main()
    dialog = ExportDialog(window.schema, ["alice"], window)
    qtbot.addWidget(dialog)
    offered = [dialog.format_box.itemData(i) for i in range(dialog.format_box.count())]
    assert offered == list(FORMATS)
    dialog.format_box.setCurrentIndex(offered.index("conll"))
    assert dialog.done_only.isChecked()  # training formats default to finished work only
    dialog.done_only.setChecked(False)  # the demo has nothing marked done
    dialog.split_box.setChecked(True)
    out = tmp_path / "conll-out"
    dialog.output_edit.setText(str(out))
    request = dialog.request()
    assert request.fmt == "conll" and request.split is not None
    job = window.start_export(request)
    with qtbot.waitSignal(job.done, timeout=60_000):
        pass
    written = sorted(p.name for p in out.iterdir())
    assert "manifest.json" in written
    assert {"train", "dev", "test"} <= {Path(n).stem for n in written}
