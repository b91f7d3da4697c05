"""Linking speakers to the entity registry in the window: E, a few letters, Enter; a mention
whose text is a known alias is linked as soon as it is made; every step undoes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, User


def _entity_of(probe: Workspace, span_id: int) -> str | None:
    found = probe.entities().entities_of([span_id]).get(span_id)
    return None if found is None else found.name


def _panel_entity(window: MainWindow) -> str:
    """What the label panel says the selected mention names."""
    shown = window.findChild(QLabel, "entity_name")
    return "" if shown is None else shown.text()


def _picker_type(qtbot: QtBot, window: MainWindow, text: str) -> None:
    picker = window.editor._picker
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.line, text)
    qtbot.keyClick(picker.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible())


def test_e_links_the_selected_speaker_in_a_few_keys_and_undo_takes_it_back(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    qtbot: QtBot,
) -> None:
    probe.entities().create("Henrik Aas-Sørensen", "SPEAKER", external_id="Q1")
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.select_words("Henrik Aas-Sørensen", inset=2)
    me.key(Key.Key_K)
    speaker = window.editor.selected
    assert speaker is not None
    # the full name is a known name: linked at once, one undo step of its own
    assert _entity_of(probe, speaker) == "Henrik Aas-Sørensen"
    qtbot.waitUntil(lambda: "Henrik Aas-Sørensen" in _panel_entity(window))
    window.editor.stack.undo()
    assert _entity_of(probe, speaker) is None
    assert speaker in window.session.spans  # the span stays
    qtbot.waitUntil(lambda: "not linked" in _panel_entity(window))

    me.key(Key.Key_E)  # the type-ahead: "aas" + Enter picks him
    _picker_type(qtbot, window, "aas")
    assert _entity_of(probe, speaker) == "Henrik Aas-Sørensen"
    assert window.session.entities[speaker].name == "Henrik Aas-Sørensen"
    window.editor.stack.undo()
    assert _entity_of(probe, speaker) is None
    window.editor.stack.redo()
    assert _entity_of(probe, speaker) == "Henrik Aas-Sørensen"

    me.key(Key.Key_E)  # a linked mention: Up from the first row reaches "no entity"
    picker = window.editor._picker
    assert picker is not None
    qtbot.keyClick(picker.line, Qt.Key.Key_Up)
    assert picker.list.currentItem().text() == "✕ no entity (unlink)"
    qtbot.keyClick(picker.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _entity_of(probe, speaker) is None)
    assert speaker not in window.session.entities


def test_a_new_name_makes_a_new_entity_and_escape_leaves_the_mention_alone(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    qtbot: QtBot,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.select_words("Sarnova")
    me.key(Key.Key_T)
    target = window.editor.selected
    assert target is not None
    me.key(Key.Key_E)
    picker = window.editor._picker
    assert picker is not None
    qtbot.keyClick(picker.line, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not picker.isVisible())
    assert _entity_of(probe, target) is None and probe.entities().all() == []

    me.key(Key.Key_E)
    _picker_type(qtbot, window, "Republic of Sarnova")
    made = probe.entities().get("Republic of Sarnova")
    assert made.kind == "TARGET" and made.aliases == ("Sarnova",)
    assert _entity_of(probe, target) == "Republic of Sarnova"
    window.editor.stack.undo()  # the new entity goes with the link
    assert probe.entities().all() == []

    # deleting the mention and undoing brings its link back
    window.editor.stack.redo()
    window.editor.select(target)
    me.key(Key.Key_Delete)
    assert probe.entities().all()[0].mentions == 0
    window.editor.stack.undo()
    assert _entity_of(probe, target) == "Republic of Sarnova"
    assert window.session.entities[target].name == "Republic of Sarnova"
