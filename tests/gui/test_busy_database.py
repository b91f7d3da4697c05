"""Another program holds the database's write lock (an import, a backup): the window keeps
running, says that it waits, and stores the keys pressed meanwhile in order once the lock is
free; or, past the deadline, says that the edit was not saved and shows no change."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace
from annotator.gui.edit_runner import EditRunner
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import (
    Key,
    Mod,
    ModalAnswerer,
    User,
    assert_screen_is_disk,
    disk_spans,
    reopen_outside,
)


@pytest.fixture(autouse=True)
def _no_edit_left_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed test must not leave an edit waiting: closing the window would ask, and hang
    the run (pytest-qt closes windows before fixtures tear down). Only the test of closing
    sets ``ask_on_close``."""
    close_event = MainWindow.closeEvent

    def close(window: MainWindow, event: QCloseEvent) -> None:
        if not getattr(window, "ask_on_close", False) and window.session is not None:
            window.session.writes.abandon()
        close_event(window, event)

    monkeypatch.setattr(MainWindow, "closeEvent", close)


def stack_of(window: MainWindow) -> QUndoStack:
    stack = window.undo_group.activeStack() or window._stacks[window.session.document.id]
    return stack


def wait_label(window: MainWindow) -> str:
    label = window.findChild(QLabel, "waitStatus")
    assert label is not None
    return label.text()


@contextmanager
def write_lock(db_file: Path) -> Iterator[sqlite3.Connection]:
    """Another program writing: it holds the write lock until the block ends."""
    other = sqlite3.connect(db_file, isolation_level=None, timeout=5)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


class Ticks:
    """A timer counting its ticks: it only ticks while the event loop runs."""

    def __init__(self) -> None:
        self.count = 0
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1


def test_keys_pressed_while_locked_wait_then_are_stored_in_order(
    qtbot: QtBot,
    db_file: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    depth = stack_of(window).count()
    ticks = Ticks()
    with write_lock(db_file):
        me.select_words("Henrik Aas-Sørensen", inset=1)
        me.key(Key.Key_K)  # SPEAKER: waits for the lock
        me.key(Key.Key_1)  # speaker_type = official, on the span still being made: queued
        before = ticks.count
        qtbot.wait(1000)
        # The event loop ran (no 30 s freeze), and the user is told why nothing happens yet.
        assert ticks.count - before >= 15
        assert "Waiting for the database" in wait_label(window)
        assert "1 more queued" in wait_label(window)
        assert disk_spans(probe, "alice", doc_id) == {}
        assert window.session.spans == {}
        assert window.ann_model.rowCount() == 0
        # Scrolling and moving the text cursor still work while the edits wait.
        me.key(Key.Key_PageDown)
        me.key(Key.Key_Home, Mod.ControlModifier)
    qtbot.waitUntil(lambda: wait_label(window) == "", timeout=5000)
    ticks.timer.stop()
    spans = list(disk_spans(probe, "alice", doc_id).values())
    assert [(s[2], s[3]) for s in spans] == [("SPEAKER", {"speaker_type": "official"})]
    assert_screen_is_disk(window, probe)
    assert stack_of(window).count() == depth + 2  # the span, then its value: two undo steps
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert [(s[2], s[3]) for s in disk_spans(probe, "alice", doc_id).values()] == [("SPEAKER", {})]
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == {}
    assert_screen_is_disk(window, probe)


def test_a_lock_held_past_the_deadline_fails_with_a_message_and_changes_nothing(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    db_file: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    monkeypatch.setattr(EditRunner, "deadline_s", 1.0)
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    depth = stack_of(window).count()
    with write_lock(db_file):
        me.select_words("Henrik Aas-Sørensen", inset=1)
        me.key(Key.Key_K)
        me.key(Key.Key_1)
        qtbot.waitUntil(lambda: bool(dialogs), timeout=5000)
        title, text = dialogs[0]
        assert title == "Edit not saved"
        assert "stayed busy" in text and "“add SPEAKER” was not saved" in text
        assert "the 1 key pressed after it" in text
        assert wait_label(window) == ""
        assert window.session.spans == {}
        assert window.ann_model.rowCount() == 0
        assert stack_of(window).count() == depth
        assert disk_spans(probe, "alice", doc_id) == {}
    # The text is still selected, as before the key: pressing it again is all it takes.
    assert window.editor.text_selection() is not None
    me.key(Key.Key_K)  # the lock is free: the key works at once
    assert [s[2] for s in disk_spans(probe, "alice", doc_id).values()] == ["SPEAKER"]
    assert_screen_is_disk(window, probe)
    assert stack_of(window).count() == depth + 1


def test_closing_while_an_edit_waits_asks_and_keeps_waiting_on_cancel(
    qtbot: QtBot,
    db_file: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Callable[[QMessageBox.StandardButton], ModalAnswerer],
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    with write_lock(db_file):
        me.select_words("Henrik Aas-Sørensen", inset=1)
        me.key(Key.Key_K)
        answerer = answer_modal(QMessageBox.StandardButton.Cancel)
        window.ask_on_close = True  # type: ignore[attr-defined]
        window.close()
        window.ask_on_close = False  # type: ignore[attr-defined]
        answerer.stop()
        assert "1 edit waits for the database" in answerer.seen[0]
        assert window.isVisible()  # still open, still waiting
    qtbot.waitUntil(lambda: bool(disk_spans(probe, "alice", doc_id)), timeout=5000)
    assert_screen_is_disk(window, probe)


def test_a_value_key_on_a_span_outside_the_schema_says_why(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    start, _ = me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    before = disk_spans(probe, "alice", doc_id)
    window = reopen_outside(
        open_main, window, probe, load_schema(schemas_dir() / "named_entities.yaml")
    )
    me = user(window)
    me.click_document("demo-03")
    me.click(start + 2)
    assert window.editor.selected == next(iter(before))
    qtbot.waitUntil(lambda: "(not in schema)" in window.label_panel._span_box.title())
    me.key(Key.Key_1)  # speaker_type = official, in the schema it was made under
    message = window.statusBar().currentMessage()
    assert "SPEAKER is not in the schema named_entities" in message
    assert "cannot be set" in message
    assert disk_spans(probe, "alice", doc_id) == before
