"""The Export dialog offers only what an export accepts: every stratify choice it lists goes
through a real export, a format's own options never follow the user to another format, and
it writes what the command line it shows writes (issue 13, defect 10)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from annotator.cli.main import main
from annotator.core.formats.registry import WRITERS
from annotator.gui.export_dialog import ExportDialog
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import User

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


def _tree(path: Path) -> dict[str, bytes | None]:
    """A file's or folder's contents by relative name (manifests and the dataset card made from
    them aside: they hold times and export ids)."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {
        str(p.relative_to(path)): None
        if p.is_dir() or p.name in ("manifest.json", "README.md")
        else p.read_bytes()
        for p in sorted(path.rglob("*"))
    }


def _export_by_keys(
    qtbot: QtBot, window: MainWindow, me: User, fmt: str, path: str | None, split: bool
) -> tuple[str, str, str]:
    """Ctrl+E, choose with keys and clicks, Enter: (output, layout line, command shown)."""
    seen: dict[str, str] = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog) or seen:
            return  # not open yet: the poll comes back
        poll.stop()
        seen["opened"] = "yes"
        try:
            choose(dialog)
        finally:  # a dialog left open would hang the test
            if dialog.isVisible():
                dialog.reject()

    def choose(dialog: ExportDialog) -> None:
        dialog.format_box.setFocus()
        qtbot.keyClick(dialog.format_box, Qt.Key.Key_Home)
        for _ in range(dialog.format_box.count()):
            if dialog.fmt == fmt:
                break
            qtbot.keyClick(dialog.format_box, Qt.Key.Key_Down)
        assert dialog.fmt == fmt
        if dialog.done_only.isChecked():  # the demo has nothing marked done
            qtbot.mouseClick(dialog.done_only, Qt.MouseButton.LeftButton, pos=QPoint(4, 8))
        if split:
            qtbot.mouseClick(dialog.split_box, Qt.MouseButton.LeftButton, pos=QPoint(4, 8))
        if path is not None:
            dialog.output_edit.setFocus()
            qtbot.keyClick(dialog.output_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            qtbot.keyClicks(dialog.output_edit, path)
        seen.update(
            output=dialog.output_edit.text(),
            layout=dialog.layout_hint.text(),
            command=dialog.command.text(),
        )
        qtbot.keyClick(dialog.output_edit, Qt.Key.Key_Return)

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(drive)
    poll.start()
    me.key(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    poll.stop()
    assert "command" in seen, "the Export dialog did not open"
    qtbot.waitUntil(lambda: not window._jobs, timeout=TIMEOUT)
    return seen["output"], seen["layout"], seen["command"]


def test_the_dialog_writes_what_the_command_line_writes(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    url: str,
    capsys: pytest.CaptureFixture[str],
    dialogs: list[tuple[str, str]],
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    window = open_main()
    me = user(window)
    cases = [
        ("statements", None, False, "writes one file, annotator-export.jsonl"),  # proposed
        ("conll", str(home / "ner"), True, "writes a folder, ner/"),
        ("native", str(home / "backup"), False, "writes a folder, backup/"),  # no suffix
        ("doccano", str(home / "tasks.jsonl"), False, "writes one file, tasks.jsonl"),
    ]
    for fmt, path, split, layout in cases:
        output, said, command = _export_by_keys(qtbot, window, me, fmt, path, split)
        assert said.startswith(layout), said
        assert dialogs == []
        written = Path(output)
        assert written.exists()
        assert written.is_dir() == ("folder" in layout)
        if path is None:
            assert written == home / "annotator-export.jsonl"
        # The command the dialog shows, run in a terminal, writes the same files.
        twin = tmp_path / "cli" / fmt / written.name
        twin.parent.mkdir(parents=True)
        args = shlex.split(command)
        assert args[:3] == ["annotator", "export", output]
        with pytest.raises(SystemExit) as ended:
            main(["--db", url, "export", str(twin), *args[3:]])
        assert ended.value.code in (0, None), capsys.readouterr().err
        assert _tree(twin) == _tree(written), (fmt, command)


def test_the_dialog_exports_annotations_outside_the_schema_only_when_ticked(
    qtbot: QtBot, tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database left outside its schema (WEAPON dropped without a migration step): the
    dialog's export is refused naming it, as the command line's is; ticked, it goes out, the
    manifest says so, and the command it shows carries --allow-outside-schema."""
    from annotator.core.domain.errors import AnnotatorError
    from annotator.core.services.demo import load_demo
    from annotator.core.services.workspace import Workspace
    from tests.core.schema_variants import experiment, schema_of

    with Workspace(url) as ws:
        load_demo(ws, "alice", team=True)
        ws.schemas.set_active(schema_of(experiment()))
        schema = ws.active_schema()
        names = [a.name for a in ws.annotators.all()]
        dialog = ExportDialog(schema, names, None)
        qtbot.addWidget(dialog)
        dialog.format_box.setCurrentIndex(dialog.format_box.findData("brat"))
        dialog.output_edit.setText(str(tmp_path / "refused"))
        with pytest.raises(AnnotatorError, match="--allow-outside-schema"):
            dialog.request().run(ws, schema, lambda *_: True)
        assert "--allow-outside-schema" not in dialog.command.text()

        dialog.outside_box.setChecked(True)
        dialog.output_edit.setText(str(tmp_path / "brat"))
        command = dialog.command.text()
        assert command.endswith("--allow-outside-schema")
        dialog.request().run(ws, schema, lambda *_: True)
    manifest = json.loads((tmp_path / "brat" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outside_schema"]["allowed"] is True
    twin = tmp_path / "cli" / "brat"
    with pytest.raises(SystemExit) as ended:
        main(["--db", url, "export", str(twin), *shlex.split(command)[3:]])
    assert ended.value.code in (0, None), capsys.readouterr().err
    assert _tree(twin) == _tree(tmp_path / "brat")
