"""The window open while another process imports into the same database: every edit the screen
shows is on disk, no error box, no unhandled exception, and the import completes whole."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, User, assert_screen_is_disk, disk_spans

REPO = Path(__file__).resolve().parents[2]
FILES = 2000


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for n in range(FILES):
        (folder / f"a{n:05d}.txt").write_text(
            f"Headline {n}\nThe ministry said on day {n} that drones would be exported. " * 8,
            encoding="utf-8",
        )
    return folder


@pytest.mark.faults
def test_edits_while_another_process_imports(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    db_file: Path,
    tmp_path: Path,
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    me = user(window)
    assert window.session is not None
    doc_id = window.session.document.id
    words = [m.span() for m in re.finditer(r"[A-Za-z]{5,}", me.text)][:60]
    corpus = _corpus(tmp_path / "incoming")
    before = probe.documents.count()

    importer = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db_file), "import", str(corpus)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    made_during = 0
    try:
        for start, end in words:
            me.drag(start, end)
            me.key(Key.Key_T)
            if importer.poll() is None:
                made_during += 1
            elif made_during and len(disk_spans(probe, "alice", doc_id)) >= made_during + 3:
                break
        _, err = importer.communicate(timeout=300)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, err
    assert "Traceback" not in err
    assert dialogs == []
    assert made_during > 0, "the import ended before the first edit: nothing was tested"
    # What the screen shows is exactly what is on disk, and the import is there whole.
    assert_screen_is_disk(window, probe)
    targets = [s for s in disk_spans(probe, "alice", doc_id).values() if s[2] == "TARGET"]
    assert len(targets) >= made_during
    assert probe.documents.count() == before + FILES
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
