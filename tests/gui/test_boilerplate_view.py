"""Boilerplate in the window (issue 13, defect 2): dimmed, skipped by the jumps, marked and
unmarked by hand as one undo step each, and a statement inside it flagged in the list and by
Mark done, which warns but does not refuse. The text never changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.domain import boilerplate as bp
from annotator.core.services.workspace import Workspace
from annotator.gui.highlighter import DIM_TEXT
from annotator.gui.main_window import MainWindow
from annotator.gui.models.annotation_list import IN_BOILERPLATE
from tests.gui.conftest import Key, Mod, ModalAnswerer, User, find

Answer = Callable[[QMessageBox.StandardButton], ModalAnswerer]
Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
STORY = "STAVHOLM (Northline)"
CREDITS = "Recent Posts"


def dimmed(window: MainWindow, offset: int) -> bool:
    """Whether the character at ``offset`` is painted in boilerplate's grey."""
    position = window.editor.offsets.to_qt(offset)
    block = window.text_view.document().findBlock(position)
    window.editor.highlighter.reveal(block.blockNumber(), block.blockNumber())
    inside = position - block.position()
    return any(
        r.start <= inside < r.start + r.length and r.format.foreground().color() == DIM_TEXT
        for r in block.layout().formats()
    )


def caret_at(window: MainWindow) -> int:
    return window.editor.offsets.from_qt(window.text_view.textCursor().position())


def test_recognised_boilerplate_is_dimmed_and_marks_are_one_undo_step(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    text = me.text
    story, credits = find(text, STORY)[0], find(text, CREDITS)[0]
    assert dimmed(window, credits) and dimmed(window, find(text, "Armsfile Daily —")[0])
    assert not dimmed(window, story)

    me.click(story + 2)
    me.key(Key.Key_B, Mod.ControlModifier | Mod.ShiftModifier)  # the story's line: marked
    line = bp.whole_lines(text, story, story + 1)
    assert bp.covering(probe.boilerplate.ranges(doc_id), *line)
    assert dimmed(window, story) and dimmed(window, line[1] - 1)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert not bp.overlapping(probe.boilerplate.ranges(doc_id), *line)
    assert not dimmed(window, story)

    me.click(credits + 2)
    me.key(Key.Key_B, Mod.ControlModifier | Mod.ShiftModifier)  # recognised: unmarked
    assert not bp.overlapping(probe.boilerplate.ranges(doc_id), credits, credits + 5)
    assert not dimmed(window, credits)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)  # nothing to redo: no change
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert dimmed(window, credits)
    assert probe.documents.get(doc_id).text == text  # never the text


def test_jumps_skip_boilerplate_until_ctrl_b(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    text = me.text
    me.click(3)  # in the headline
    me.key(Key.Key_Down, Mod.ControlModifier)
    assert caret_at(window) == find(text, STORY)[0]  # past the site's lines and the caption

    me.click(3)
    me.key(Key.Key_B, Mod.ControlModifier)
    assert "stop in boilerplate" in window.statusBar().currentMessage()
    me.key(Key.Key_Down, Mod.ControlModifier)
    assert caret_at(window) == find(text, "Armsfile Daily —")[0]


def test_a_statement_in_boilerplate_is_flagged_and_done_warns(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Answer,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    speaker = window.editor.selected
    me.select_words("Why Europe’s rocket makers can’t hire fast enough", inset=1)
    me.key(Key.Key_S)
    me.key(Key.Key_5)
    statement = window.editor.selected
    model = window.ann_model
    assert model.data(model.index(model.row_of(statement), 2)).startswith(IN_BOILERPLATE)
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click_span(window.session.spans[speaker])
    assert probe.annotations("alice").missing_required(doc_id) == []
    me.key(Key.Key_Escape)

    no = answer_modal(No)
    me.key(Key.Key_Return, Mod.ControlModifier)
    no.stop()
    assert no.seen and no.seen[0].startswith("1 statement lies in boilerplate")
    assert probe.documents.status(doc_id, window.annotator.id) != "done"
    assert window.editor.selected == statement

    # Unmarked by hand, the statement is no longer flagged.
    me.key(Key.Key_B, Mod.ControlModifier | Mod.ShiftModifier)
    assert IN_BOILERPLATE not in model.data(model.index(model.row_of(statement), 2))
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert model.data(model.index(model.row_of(statement), 2)).startswith(IN_BOILERPLATE)

    yes = answer_modal(Yes)  # a warning, not a refusal
    me.key(Key.Key_Return, Mod.ControlModifier)
    yes.stop()
    assert probe.documents.status(doc_id, window.annotator.id) == "done"


def test_a_long_text_is_recognised_off_the_window_thread(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
) -> None:
    monkeypatch.setattr("annotator.gui.document_session.RECOGNISE_AT_ONCE", 10)
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    credits = find(me.text, CREDITS)[0]
    qtbot.waitUntil(lambda: dimmed(window, credits))
    assert not dimmed(window, find(me.text, STORY)[0])
    assert window.session.boilerplate == window.workspace.boilerplate.ranges(
        window.session.document.id
    )
