"""Annotating a statement as a user does: a mouse selection, label keys, value keys, link keys."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, User, assert_screen_is_disk, disk_spans, find

QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def test_label_key_makes_a_span_snapped_to_words_and_alt_gives_exact_characters(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    start, end = find(me.text, QUOTE)

    me.drag(start + 2, end - 3)  # from inside "This" to inside "Stormbreaker"
    me.key(Key.Key_S)

    snapped = [s for s in disk_spans(probe, "alice", doc_id).values() if s[2] == "STATEMENT"]
    assert snapped == [(start, end, "STATEMENT", {})]
    assert me.text[start:end] == QUOTE
    assert window.editor.selected_span().start == start  # selected, ready for its stance

    exact_start, exact_end = find(me.text, "multiple rocket launchers")
    me.drag(exact_start + 3, exact_end - 2)
    me.key(Key.Key_S, Mod.AltModifier)

    spans = sorted(disk_spans(probe, "alice", doc_id).values())
    assert (exact_start + 3, exact_end - 2, "STATEMENT", {}) in spans
    assert len(spans) == 2
    assert_screen_is_disk(window, probe)


def test_a_complete_statement_by_keys_and_mouse(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    text = me.text
    # The speaker is already marked (as for an earlier statement of the same person).
    me.select_words("Henrik Aas-Sørensen", inset=2)
    me.key(Key.Key_K)
    speaker_id = window.editor.selected
    me.key(Key.Key_Escape)
    me.start_counting()

    s_start, s_end = find(text, QUOTE)
    me.drag(s_start + 1, s_end - 1)  # 1: select the statement
    me.key(Key.Key_S)  # 2: label it
    statement_id = window.editor.selected
    me.key(Key.Key_1)  # 3: stance = supports
    me.key(Key.Key_K, Mod.ShiftModifier)  # 4: said_by ...
    me.click_span(window.session.spans[speaker_id])  # 5: ... this speaker
    me.key(Key.Key_T, Mod.ShiftModifier)  # 6: aimed_at ...
    t_start, t_end = find(text, "Sarnova", after=s_start)
    me.drag(t_start + 1, t_end - 1)  # 7: ... new text
    me.key(Key.Key_Return)  # 8: made a TARGET and linked it
    me.key(Key.Key_W, Mod.ShiftModifier)  # 9: about ...
    w_start, w_end = find(text, "Stormbreaker", after=s_start)
    me.drag(w_start + 2, w_end - 2)  # 10: ... new text
    me.key(Key.Key_Return)  # 11: made a WEAPON, linked it, and selected it (type is required)
    me.key(Key.Key_5)  # 12: weapon_type = rocket_artillery
    print(
        f"\nactions for a complete statement (span, stance, speaker, target, weapon + type): "
        f"{me.actions}: {me.log}"
    )

    spans = disk_spans(probe, "alice", doc_id)
    by_label = {v[2]: (k, v) for k, v in spans.items()}
    assert spans[statement_id] == (s_start, s_end, "STATEMENT", {"stance": "supports"})
    target_id, target = by_label["TARGET"]
    assert target == (t_start, t_end, "TARGET", {})
    weapon_id, weapon = by_label["WEAPON"]
    assert weapon == (w_start, w_end, "WEAPON", {"weapon_type": "rocket_artillery"})
    links = probe.annotations("alice").relations(doc_id)
    assert {(r.label, r.source_id, r.target_id) for r in links} == {
        ("said_by", statement_id, speaker_id),
        ("aimed_at", statement_id, target_id),
        ("about", statement_id, weapon_id),
    }
    assert probe.annotations("alice").missing_required(doc_id) == []
    assert me.actions == 12
    assert_screen_is_disk(window, probe)


def test_tab_escape_delete_and_resize(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-01")
    doc_id = window.session.document.id
    editor = window.editor
    reading_order = [
        span_id
        for span_id, _ in sorted(
            disk_spans(probe, "alice", doc_id).items(), key=lambda kv: (kv[1][0], -kv[1][1], kv[0])
        )
    ]

    me.key(Key.Key_Tab)
    assert editor.selected == reading_order[0]
    me.key(Key.Key_Tab)
    assert editor.selected == reading_order[1]
    me.key(Key.Key_Backtab, Mod.ShiftModifier)
    assert editor.selected == reading_order[0]
    me.key(Key.Key_Backtab, Mod.ShiftModifier)
    assert editor.selected == reading_order[-1]  # wraps round
    assert window.ann_view.selectionModel().hasSelection()

    me.key(Key.Key_Escape)
    assert editor.selected is None
    assert not window.ann_view.selectionModel().hasSelection()

    # Delete the first statement: it goes, with its three links, and nothing else does.
    statement = find(me.text, "a five-year programme")[0]
    me.click(statement + 2)
    victim = editor.selected
    assert window.session.spans[victim].label == "STATEMENT"
    before = disk_spans(probe, "alice", doc_id)
    links_before = probe.annotations("alice").relations(doc_id)
    assert sum(victim in (r.source_id, r.target_id) for r in links_before) == 3
    me.key(Key.Key_Delete)
    after = disk_spans(probe, "alice", doc_id)
    assert victim not in after
    assert set(before) - set(after) == {victim}
    links_after = probe.annotations("alice").relations(doc_id)
    assert not [r for r in links_after if victim in (r.source_id, r.target_id)]
    assert len(links_after) == len(links_before) - 3
    assert editor.selected is None
    assert_screen_is_disk(window, probe)

    # Resize a weapon by whole words from either edge.
    w_start, w_end = find(me.text, "ballistic missiles")
    me.click(w_start + 1)
    weapon = editor.selected
    assert window.session.spans[weapon].label == "WEAPON"
    me.key(Key.Key_Right, Mod.AltModifier)
    assert disk_spans(probe, "alice", doc_id)[weapon][:2] == find(me.text, "ballistic missiles and")
    me.key(Key.Key_Left, Mod.AltModifier | Mod.ShiftModifier)
    assert disk_spans(probe, "alice", doc_id)[weapon][:2] == find(
        me.text, "of ballistic missiles and"
    )
    me.key(Key.Key_Right, Mod.AltModifier | Mod.ShiftModifier)
    me.key(Key.Key_Left, Mod.AltModifier)
    assert disk_spans(probe, "alice", doc_id)[weapon][:2] == (w_start, w_end)
    assert editor.selected == weapon
    assert_screen_is_disk(window, probe)


def test_link_by_tab_and_enter_and_relinking_replaces_the_speaker(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    near = window.editor.selected
    me.select_words("Rafael Olmos Peña", inset=1)
    me.key(Key.Key_K)
    far = window.editor.selected
    me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    statement = window.editor.selected

    def speakers() -> set[int]:
        return {
            r.target_id
            for r in probe.annotations("alice").relations(doc_id)
            if (r.label, r.source_id) == ("said_by", statement)
        }

    # Shift+K, Tab: the nearest speaker is offered; Escape gives up without linking.
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.key(Key.Key_Tab)
    assert window.editor.link_relation is not None
    me.key(Key.Key_Escape)
    assert window.editor.link_relation is None
    assert window.editor.selected == statement
    assert speakers() == set()

    me.key(Key.Key_K, Mod.ShiftModifier)
    me.key(Key.Key_Tab)
    me.key(Key.Key_Return)
    assert speakers() == {near}

    # A click on a span of the wrong label does not link, and linking goes on.
    me.key(Key.Key_K, Mod.ShiftModifier)
    me.click((find(me.text, QUOTE)[0] + find(me.text, QUOTE)[1]) // 2)
    assert window.editor.link_relation is not None
    # said_by allows one speaker: a second link replaces the first, and undo brings it back.
    me.click_span(window.session.spans[far])
    assert speakers() == {far}
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert speakers() == {near}
    assert_screen_is_disk(window, probe)


def test_clicking_the_annotation_list_selects_and_links(
    qtbot,
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
    speaker = window.editor.selected
    me.select_words(QUOTE, inset=1)
    me.key(Key.Key_S)
    statement = window.editor.selected
    me.key(Key.Key_K, Mod.ShiftModifier)

    table, model = window.ann_view, window.ann_model
    row = model.row_of(speaker)
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(model.index(row, 1)).center(),
    )
    links = probe.annotations("alice").relations(doc_id)
    assert [(r.label, r.source_id, r.target_id) for r in links] == [("said_by", statement, speaker)]
    assert "said_by: Henrik Aas-Sørensen" in model.data(model.index(model.row_of(statement), 3))
    assert window.text_view.hasFocus()  # back to the text for the next key

    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(model.index(row, 0)).center(),
    )
    assert window.editor.selected == speaker
