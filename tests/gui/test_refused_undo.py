"""When the database refuses an edit, an undo or a redo (another desktop changed the same span,
or another program holds the write lock), the user is told, and the undo stack and the screen
stay equal to what the database holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.edit_runner import EditRunner
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import (
    Key,
    Mod,
    User,
    assert_screen_is_disk,
    disk_relations,
    disk_spans,
)

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def stack_of(window: MainWindow) -> QUndoStack:
    stack = window.undo_group.activeStack()
    assert stack is not None
    return stack


def shown(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_an_undo_refused_because_another_desktop_deleted_the_span(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    me.key(Key.Key_1)  # speaker_type: official
    (span_id,) = disk_spans(probe, "alice", doc_id)
    probe.annotations("alice").delete_span(span_id)  # the same annotator, on another desktop

    me.key(Key.Key_Z, Mod.ControlModifier)  # would put back the value of a span now gone

    qtbot.waitUntil(lambda: "cannot undo" in shown(window))
    assert f"span #{span_id} does not exist" in shown(window)
    assert stack_of(window).count() == 0
    assert not window.undo_action.isEnabled()
    assert disk_spans(probe, "alice", doc_id) == {}
    assert_screen_is_disk(window, probe)


def test_a_redo_refused_because_another_desktop_made_the_same_span(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    ((start, end, label, _),) = disk_spans(probe, "alice", doc_id).values()
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == {}
    probe.annotations("alice").create_span(doc_id, start, end, label)  # meanwhile, elsewhere

    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)

    qtbot.waitUntil(lambda: "cannot redo" in shown(window))
    assert "already exists" in shown(window)
    assert stack_of(window).count() == 0
    assert [v[:3] for v in disk_spans(probe, "alice", doc_id).values()] == [(start, end, label)]
    assert_screen_is_disk(window, probe)


def test_a_replaced_link_stays_when_the_new_target_was_deleted_elsewhere(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    q_start, _ = me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    h_start, _ = me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    r_start, _ = me.select_words("Rafael Olmos Peña", inset=1)
    me.key(Key.Key_K)
    me.click(q_start + 2)
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click(h_start + 2)
    linked = disk_relations(probe, "alice", doc_id)
    assert len(linked) == 1
    depth = stack_of(window).count()
    (rafael,) = [k for k, v in disk_spans(probe, "alice", doc_id).items() if v[0] == r_start]
    probe.annotations("alice").delete_span(rafael)  # another desktop, meanwhile

    me.click(q_start + 2)
    me.key(Key.Key_K, Mod.ShiftModifier)  # said_by allows one: this would replace the link
    me.click(r_start + 2)

    assert f"span #{rafael} does not exist" in shown(window)
    assert disk_relations(probe, "alice", doc_id) == linked
    assert stack_of(window).count() == depth
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier)  # the link to Henrik, made before: still undoable
    assert disk_relations(probe, "alice", doc_id) == set()
    assert_screen_is_disk(window, probe)


def test_a_locked_database_refuses_the_key_with_a_message_then_the_key_works(
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    db_file: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    # The window retries a busy write (tests/gui/test_busy_database.py); past its deadline,
    # here shortened, the edit is refused with a message.
    monkeypatch.setattr(EditRunner, "deadline_s", 0.5)
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    other = sqlite3.connect(db_file, isolation_level=None, timeout=0.2)
    other.execute("BEGIN IMMEDIATE")  # another program writing
    try:
        me.key(Key.Key_K)
        qtbot.waitUntil(lambda: bool(dialogs), timeout=5000)
        assert "the database stayed busy" in shown(window)
        assert "not saved" in shown(window)
        assert window.session.spans == {}
        assert window.ann_model.rowCount() == 0
        assert stack_of(window).count() == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert disk_spans(probe, "alice", doc_id) == {}

    me.key(Key.Key_K)
    assert [v[2] for v in disk_spans(probe, "alice", doc_id).values()] == ["SPEAKER"]
    assert_screen_is_disk(window, probe)
