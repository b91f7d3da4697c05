"""Ctrl+Z and Ctrl+Shift+Z for every kind of edit: the database always equals the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import (
    Key,
    Mod,
    User,
    assert_screen_is_disk,
    disk_relations,
    disk_spans,
    find,
)

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def snapshot(window: MainWindow, probe: Workspace) -> tuple[Any, ...]:
    doc_id = window.session.document.id
    return (
        disk_spans(probe, "alice", doc_id),
        disk_relations(probe, "alice", doc_id),
        probe.documents.status(doc_id, window.annotator.id),
    )


def undo_and_redo(me: User, probe: Workspace, edit: Callable[[], None]) -> tuple[Any, Any]:
    """Make an edit, undo it, redo it; after each, disk and screen agree."""
    before = snapshot(me.window, probe)
    edit()
    after = snapshot(me.window, probe)
    assert after != before, "the edit changed nothing"
    assert_screen_is_disk(me.window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert snapshot(me.window, probe) == before
    assert_screen_is_disk(me.window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert snapshot(me.window, probe) == after
    assert_screen_is_disk(me.window, probe)
    return before, after


def test_undo_and_redo_of_every_kind_of_edit(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    text = me.text
    s_start, s_end = find(text, QUOTE)
    spk_start, _ = me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)

    def statement_id() -> int:
        (found,) = [k for k, v in disk_spans(probe, "alice", doc_id).items() if v[2] == "STATEMENT"]
        return found

    # create a span
    _, after = undo_and_redo(
        me, probe, lambda: (me.drag(s_start + 1, s_end - 1), me.key(Key.Key_S))
    )
    assert (s_start, s_end, "STATEMENT", {}) in after[0].values()
    statement = statement_id()

    # set an attribute
    def stance() -> None:
        me.click(s_start + 1)
        me.key(Key.Key_3)

    _, after = undo_and_redo(me, probe, stance)
    assert after[0][statement][3] == {"stance": "threatens"}

    # link to an existing span
    def link_speaker() -> None:
        me.click(s_start + 1)
        me.key(Key.Key_K, Mod.ShiftModifier)
        me.click(spk_start + 2)

    before, after = undo_and_redo(me, probe, link_speaker)
    assert len(after[1] - before[1]) == 1
    assert next(iter(after[1] - before[1]))[:2] == ("said_by", statement)

    # create a span and link it in one step: one undo takes back both
    t_start, t_end = find(text, "Halvard", after=s_start)

    def new_target() -> None:
        me.click(s_start + 1)
        me.key(Key.Key_T, Mod.ShiftModifier)
        me.drag(t_start + 1, t_end - 1)
        me.key(Key.Key_Return)

    before, after = undo_and_redo(me, probe, new_target)
    assert len(after[0]) == len(before[0]) + 1
    assert {r[0] for r in after[1] - before[1]} == {"aimed_at"}

    # resize by keyboard
    def grow() -> None:
        me.click(s_start + 1)
        me.key(Key.Key_Right, Mod.AltModifier)

    _, after = undo_and_redo(me, probe, grow)
    assert after[0][statement][:2] == (s_start, find(text, QUOTE + ", and")[1])

    # delete a span with its links; undo brings back the span under its id, and its links
    def delete() -> None:
        me.click(s_start + 1)
        me.key(Key.Key_Delete)

    before, after = undo_and_redo(me, probe, delete)
    assert statement not in after[0] and not after[1]
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert snapshot(window, probe) == before
    assert_screen_is_disk(window, probe)

    # the document's status: skip moves on; back on the document, undo reopens it
    me.key(Key.Key_Return, Mod.ControlModifier | Mod.ShiftModifier)
    assert window.session.document.id != doc_id
    assert probe.documents.status(doc_id, window.annotator.id) == "skipped"
    me.key(Key.Key_PageUp, Mod.ControlModifier)
    assert window.session.document.id == doc_id
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert probe.documents.status(doc_id, window.annotator.id) == "in_progress"
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert probe.documents.status(doc_id, window.annotator.id) == "skipped"
    assert_screen_is_disk(window, probe)
    assert window.doc_model.data(window.doc_model.index(window.doc_model.row_of(doc_id), 1)) == (
        "skipped"
    )


def test_undo_after_leaving_the_document_and_coming_back(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words(QUOTE, inset=2)
    me.key(Key.Key_S)
    me.key(Key.Key_2)
    me.key(Key.Key_PageDown, Mod.ControlModifier)
    assert window.session.document.id != doc_id
    me.key(Key.Key_PageUp, Mod.ControlModifier)
    assert window.session.document.id == doc_id

    me.key(Key.Key_Z, Mod.ControlModifier)
    assert [v[3] for v in disk_spans(probe, "alice", doc_id).values()] == [{}]
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == {}
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert len(disk_spans(probe, "alice", doc_id)) == 1
    assert_screen_is_disk(window, probe)
