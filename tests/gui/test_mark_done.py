"""Ctrl+Enter marks a document done and moves on; missing required values are asked about first;
Ctrl+Shift+Enter skips."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, ModalAnswerer, User, find

Answer = Callable[[QMessageBox.StandardButton], ModalAnswerer]
Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def status_of(probe: Workspace, window: MainWindow, key: str) -> str:
    doc = probe.documents.by_key(key)
    assert doc is not None
    return probe.documents.status(doc.id, window.annotator.id)


def shown_status(window: MainWindow, key: str) -> str:
    doc = window.workspace.documents.by_key(key)
    assert doc is not None
    row = window.doc_model.row_of(doc.id)
    assert row is not None
    return window.doc_model.data(window.doc_model.index(row, 1))


def test_done_asks_when_values_are_missing_then_moves_on(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Answer,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.select_words("the company said on Friday", inset=2)
    me.key(Key.Key_S)
    statement = window.editor.selected
    me.key(Key.Key_Escape)

    # Missing stance: asked; "No" keeps the document open and selects what is missing.
    no = answer_modal(No)
    me.key(Key.Key_Return, Mod.ControlModifier)
    no.stop()
    assert len(no.seen) == 1 and "stance" in no.seen[0]
    assert window.session.document.key == "demo-03"
    assert status_of(probe, window, "demo-03") == "in_progress"
    assert window.editor.selected == statement

    # "Yes" marks it done anyway and opens the next unfinished document.
    yes = answer_modal(Yes)
    me.key(Key.Key_Return, Mod.ControlModifier)
    yes.stop()
    assert len(yes.seen) == 1
    assert status_of(probe, window, "demo-03") == "done"
    assert shown_status(window, "demo-03") == "done"
    assert window.session.document.key == "demo-04"


def test_complete_document_is_done_without_asking_and_skip_is_separate(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Answer,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-04")
    start, end = find(me.text, "said")
    me.drag(start, end)
    me.key(Key.Key_S)
    me.key(Key.Key_5)  # neutral: nothing required is missing now

    watcher = answer_modal(No)  # would answer an unexpected question, so the test cannot hang
    me.key(Key.Key_Return, Mod.ControlModifier)
    watcher.stop()
    assert watcher.seen == []
    assert status_of(probe, window, "demo-04") == "done"
    assert window.session.document.key == "demo-05"

    me.key(Key.Key_Return, Mod.ControlModifier | Mod.ShiftModifier)
    assert status_of(probe, window, "demo-05") == "skipped"
    assert shown_status(window, "demo-05") == "skipped"
    assert window.session.document.key == "demo-06"
    assert "done 1 · skipped 1" in window.progress_status.text()


def test_done_wraps_round_to_the_first_unfinished_document(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-10")
    me.key(Key.Key_Return, Mod.ControlModifier)  # nothing annotated: nothing missing
    assert status_of(probe, window, "demo-10") == "done"
    assert window.session.document.key == "demo-01"
