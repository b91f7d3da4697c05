"""Closing the window loses nothing: a fresh window on the same database shows every edit and
reopens the document the annotator was on."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import (
    Key,
    Mod,
    ModalAnswerer,
    User,
    assert_screen_is_disk,
    find,
    screen_relations,
    screen_spans,
)

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def test_every_edit_is_there_after_reopening(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Callable[[QMessageBox.StandardButton], ModalAnswerer],
) -> None:
    window = open_main()
    me = user(window)
    shown: dict[str, tuple[object, ...]] = {}

    # demo-01: delete a pre-annotated statement, resize a weapon, undo nothing.
    me.click_document("demo-01")
    me.click(find(me.text, "a five-year programme")[0] + 2)
    me.key(Key.Key_Delete)
    me.click(find(me.text, "hypersonic glide vehicle")[0] + 1)
    me.key(Key.Key_Left, Mod.AltModifier | Mod.ShiftModifier)
    shown["demo-01"] = (screen_spans(window), screen_relations(window), window.session.status)
    assert len(shown["demo-01"][0]) == 37  # of the 38 imported
    glide = find(me.text, "new hypersonic glide vehicle")
    assert (glide[0], glide[1], "WEAPON", {"weapon_type": "ballistic_missile"}) in shown["demo-01"][
        0
    ].values()

    # demo-03: a complete statement, then done.
    me.click_document("demo-03")
    text = me.text
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    speaker = window.editor.selected
    s_start, s_end = find(text, QUOTE)
    me.drag(s_start + 1, s_end - 1)
    me.key(Key.Key_S)
    me.key(Key.Key_1)
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click_span(window.session.spans[speaker])
    me.key(Key.Key_T, Mod.ShiftModifier)
    me.drag(*find(text, "Sarnova", after=s_start))
    me.key(Key.Key_Return)
    me.key(Key.Key_W, Mod.ShiftModifier)
    me.drag(*find(text, "Stormbreaker", after=s_start))
    me.key(Key.Key_Return)
    me.key(Key.Key_5)
    # An edit undone and redone, and one undone for good: the database follows both.
    me.key(Key.Key_Z, Mod.ControlModifier)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    me.select_words("its largest export order", inset=1)
    me.key(Key.Key_T)
    me.key(Key.Key_Z, Mod.ControlModifier)
    shown_before_done = (screen_spans(window), screen_relations(window))
    watcher = answer_modal(QMessageBox.StandardButton.No)
    me.key(Key.Key_Return, Mod.ControlModifier)
    watcher.stop()
    assert watcher.seen == []
    shown["demo-03"] = (*shown_before_done, "done")
    assert sorted(v[2] for v in shown_before_done[0].values()) == [
        "SPEAKER",
        "STATEMENT",
        "TARGET",
        "WEAPON",
    ]
    assert len(shown_before_done[1]) == 3

    # End on a document that is not the next unfinished one.
    me.click_document("demo-08")
    shown["demo-08"] = (screen_spans(window), screen_relations(window), window.session.status)
    assert probe.documents.next_unfinished(window.annotator.id) != window.session.document.id
    window.close()
    assert not window.isVisible()

    again = open_main()
    assert again is not window
    assert again.session.document.key == "demo-08"
    me_again = user(again)
    for key in ("demo-08", "demo-01", "demo-03"):
        if again.session.document.key != key:
            me_again.click_document(key)
        assert (
            screen_spans(again),
            screen_relations(again),
            again.session.status,
        ) == shown[key], key
        assert_screen_is_disk(again, probe)
