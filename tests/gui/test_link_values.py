"""A link's own values by keyboard and mouse: after an aimed_at link is made, digits set its
stance toward the target; the panel shows the link's values with the span's widgets; every
change is one undo step, and undo of a deletion brings the value back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from annotator.core.domain.schema import parse_schema
from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, ModalAnswerer, User, assert_screen_is_disk, find

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def values_on_disk(probe: Workspace, window: MainWindow) -> dict[tuple[str, int, int], Any]:
    doc_id = window.session.document.id
    return {
        (r.label, r.source_id, r.target_id): r.attributes
        for r in probe.annotations("alice").relations(doc_id)
    }


def values_on_screen(window: MainWindow) -> dict[tuple[str, int, int], Any]:
    return {
        (r.label, r.source_id, r.target_id): r.attributes for r in window.session.relations.values()
    }


def statement_aimed_at_sarnova(me: User) -> tuple[int, int]:
    """Keys as an annotator presses them: the statement, its stance, then aimed_at a new
    TARGET made from selected text. Returns (statement id, target id)."""
    text = me.text
    s_start, s_end = find(text, QUOTE)
    me.drag(s_start + 1, s_end - 1)
    me.key(Key.Key_S)
    statement_id = me.window.editor.selected
    me.key(Key.Key_4)  # the statement's own stance: denies
    me.key(Key.Key_T, Mod.ShiftModifier)  # aimed_at ...
    t_start, t_end = find(text, "Sarnova", after=s_start)
    me.drag(t_start + 1, t_end - 1)
    me.key(Key.Key_Return)  # ... a new TARGET, linked
    target_id = next(
        r.target_id for r in me.window.session.relations.values() if r.label == "aimed_at"
    )
    return statement_id, target_id


def test_digits_after_an_aimed_at_link_set_its_stance_toward_one_undo_step_each(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    statement_id, target_id = statement_aimed_at_sarnova(me)
    key = ("aimed_at", statement_id, target_id)
    editor, panel = window.editor, window.label_panel
    assert editor.selected == statement_id and editor.selected_link is not None
    panel.refresh()
    assert ("stance_toward", "threatens") in panel.link_value_buttons

    me.key(Key.Key_3)  # stance toward Sarnova: threatens
    assert values_on_disk(probe, window)[key] == {"stance_toward": "threatens"}
    statement = probe.annotations("alice").span(statement_id)
    assert statement.attributes == {"stance": "denies"}  # the statement's stance untouched
    panel.refresh()
    assert panel.link_value_buttons[("stance_toward", "threatens")].isChecked()
    model = window.ann_model  # the annotation list names the link's value too
    row = model.row_of(statement_id)
    links = model.data(model.index(row, len(model.HEADERS) - 1))
    assert "aimed_at: Sarnova (threatens)" in links

    me.key(Key.Key_3)  # the chosen value again clears the optional choice
    assert values_on_disk(probe, window)[key] == {}
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert values_on_disk(probe, window)[key] == {"stance_toward": "threatens"}
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert values_on_disk(probe, window)[key] == {}
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert values_on_screen(window) == values_on_disk(probe, window)

    me.key(Key.Key_Escape)  # back to the statement's own values
    assert editor.selected == statement_id and editor.selected_link is None
    me.key(Key.Key_1)
    assert probe.annotations("alice").span(statement_id).attributes == {"stance": "supports"}
    assert values_on_disk(probe, window)[key] == {"stance_toward": "threatens"}
    assert_screen_is_disk(window, probe)


def test_the_panel_chooses_a_link_and_sets_its_value_and_undo_of_a_deletion_keeps_it(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    qtbot: Any,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    statement_id, target_id = statement_aimed_at_sarnova(me)
    key = ("aimed_at", statement_id, target_id)
    editor, panel = window.editor, window.label_panel
    me.key(Key.Key_Escape)  # the link is no longer chosen ...
    panel.refresh()
    assert panel.link_value_buttons == {}
    (row,) = panel.link_buttons.values()
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)  # ... until its row is clicked
    assert editor.selected_link is not None
    panel.refresh()
    qtbot.mouseClick(
        panel.link_value_buttons[("stance_toward", "supports")], Qt.MouseButton.LeftButton
    )
    assert values_on_disk(probe, window)[key] == {"stance_toward": "supports"}
    panel.refresh()
    assert "supports" in panel.link_buttons[editor.selected_link].text()

    # Deleting the target takes the link; undo brings both back, the value too.
    editor.select(target_id)
    window.text_view.setFocus()
    me.key(Key.Key_Delete)
    assert key not in values_on_disk(probe, window)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert values_on_disk(probe, window)[key] == {"stance_toward": "supports"}
    assert values_on_screen(window) == values_on_disk(probe, window)
    assert_screen_is_disk(window, probe)


def test_mark_done_names_a_missing_link_value_and_chooses_that_link(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    answer_modal: Callable[[QMessageBox.StandardButton], ModalAnswerer],
) -> None:
    text = schema_path("defence_statements.yaml").read_text(encoding="utf-8")
    marker = "      - name: stance_toward\n        type: choice\n        required: false"
    assert marker in text
    required = text.replace(marker, marker.replace("false", "true"))
    probe.schema_changes.apply(parse_schema(required.replace('"1.0"', '"1.1"')), "lead")
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    statement_id, target_id = statement_aimed_at_sarnova(me)
    me.key(Key.Key_Escape)  # the statement's values again; the link's is still unset
    assert window.editor.selected_link is None

    no = answer_modal(QMessageBox.StandardButton.No)
    me.key(Key.Key_Return, Mod.ControlModifier)
    no.stop()
    assert len(no.seen) == 1 and "STATEMENT: aimed_at.stance_toward not set" in no.seen[0]
    link = window.editor.selected_relation()
    assert link is not None and (link.source_id, link.target_id) == (statement_id, target_id)
    me.key(Key.Key_2)  # the value keys now set the link's value
    assert values_on_disk(probe, window)[("aimed_at", statement_id, target_id)] == {
        "stance_toward": "opposes"
    }
    assert probe.annotations("alice").missing_required(window.session.document.id) == []
