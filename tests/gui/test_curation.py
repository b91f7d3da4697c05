"""Curating gold in the window: the same editor and keys on the gold layer, the curation panel's
rows for three annotators' work, and accepting versions as undoable steps."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.core.schema_variants import named_entities_archiving_statements
from tests.core.team.test_adjudication import (
    IRAN,
    SPEAKER_1,
    SPEAKER_2,
    STATEMENT,
    three_annotators,  # k1: two agreed speakers, a disputed stance, a speaker only alice saw
)
from tests.gui.conftest import Key, Mod, User, disk_relations, disk_spans


def gold_spans(probe: Workspace, doc: int) -> set[tuple[int, int, str, str]]:
    return {
        (s.start, s.end, s.label, str(s.attributes.get("stance", "")))
        for s in probe.gold().spans(doc)
    }


def table_rows(window: MainWindow) -> list[tuple[str, ...]]:
    """What the curation table shows, cell by cell, as the user reads it."""
    model = window.curation_panel.model
    return [
        tuple(model.data(model.index(row, column)) or "" for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def headers(window: MainWindow) -> list[str]:
    model = window.curation_panel.model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def curate(qtbot: QtBot, me: User) -> MainWindow:
    window = me.window
    me.key(Key.Key_G, Mod.ControlModifier)
    qtbot.waitUntil(lambda: window.curation_panel.model.rowCount() > 0)
    return window


def table_key(qtbot: QtBot, window: MainWindow, key: Key, mods: Mod = Mod.NoModifier) -> None:
    """A key pressed while the curation table has the focus (F8 gives it the focus)."""
    table = window.curation_panel.table
    assert QApplication.focusWidget() is table, QApplication.focusWidget()
    qtbot.keyClick(table, key, mods)


def current_row(window: MainWindow) -> int:
    return window.curation_panel.table.currentIndex().row()


def test_curation_mode_edits_gold_with_the_same_keys_and_marks_gold_done(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    doc = three_annotators(probe)
    window = open_main("alice")
    me = user(window)
    mine = disk_spans(probe, "alice", doc)
    assert "GOLD" not in window.windowTitle()

    curate(qtbot, me)
    assert "GOLD" in window.windowTitle() and "GOLD" in window.annotator_status.text()
    assert window.curation_dock.isVisible()
    assert window.session is not None and window.session.spans == {}  # gold is empty
    start, end = me.select_words("Iran", inset=1)
    me.key(Key.Key_K)  # SPEAKER, in gold
    assert gold_spans(probe, doc) == {(start, end, "SPEAKER", "")}
    assert disk_spans(probe, "alice", doc) == mine  # alice's own layer is untouched
    # The document list shows gold's status; Ctrl+Enter marks gold done, not alice.
    assert window.doc_model.data(window.doc_model.index(0, 1)) == "in progress"
    me.key(Key.Key_Return, Mod.ControlModifier)
    gold = probe.annotators.gold()
    assert probe.documents.status(doc, gold.id) == "done"
    assert window.statusBar().currentMessage() == "No document waits for gold."
    assert probe.documents.status(doc, window.annotator.id) == "done"  # as alice left it
    qtbot.waitUntil(lambda: window.doc_model.data(window.doc_model.index(0, 1)) == "done")
    # The panel followed the edit: the Iran row is in gold now.
    qtbot.waitUntil(lambda: table_rows(window)[-1][0] == "in gold")

    me.key(Key.Key_G, Mod.ControlModifier)  # back to alice's own annotations
    assert not window.curating and "GOLD" not in window.windowTitle()
    assert not window.curation_dock.isVisible()
    assert {s.id for s in window.session.spans.values()} == set(mine)
    me.key(Key.Key_Z, Mod.ControlModifier)  # alice has nothing to undo: gold stays done
    assert probe.documents.status(doc, gold.id) == "done"


def test_the_panel_shows_each_annotators_version_and_the_state_of_each_span(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    qtmodeltester: ModelTester,
) -> None:
    three_annotators(probe)
    window = curate(qtbot, user(open_main("alice")))
    qtmodeltester.check(window.curation_panel.model)
    assert headers(window) == ["State", "Label", "Text", "1 alice", "2 bob", "3 carol", "gold"]
    assert table_rows(window) == [
        ("agreed 3/3", "SPEAKER", "Moscow", "✓", "✓", "✓", ""),
        ("agreed 3/3", "SPEAKER", "- Gen. Ivanov", "✓", "✓", "✓", ""),
        (
            "disagreed 3/3",
            "STATEMENT",
            "said the missile test went to plan.",
            "stance=neutral",
            "stance=neutral",
            "stance=supports",
            "",
        ),
        ("only one", "SPEAKER", "Iran", "✓", "", "", ""),
    ]
    model = window.curation_panel.model
    backgrounds = {
        model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole).name() for r in range(4)
    }
    assert len(backgrounds) == 3  # agreed, disagreed, only one: each its own colour


def test_next_to_decide_selects_the_span_and_a_number_accepts_that_version_undoably(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    doc = three_annotators(probe)
    me = user(open_main("alice"))
    window = curate(qtbot, me)
    me.key(Key.Key_F8)  # from the text: the first span to decide is the statement
    assert current_row(window) == 2
    cursor = window.text_view.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == STATEMENT
    table_key(qtbot, window, Key.Key_F8)
    assert current_row(window) == 3  # Iran, marked by alice only
    cursor = window.text_view.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == IRAN
    table_key(qtbot, window, Key.Key_F8, Mod.ShiftModifier)
    assert current_row(window) == 2

    table_key(qtbot, window, Key.Key_Return)  # the versions differ: nothing is guessed
    assert gold_spans(probe, doc) == set()
    assert "differ" in window.statusBar().currentMessage()
    table_key(qtbot, window, Key.Key_3)  # carol's version
    accepted = {(*STATEMENT, "STATEMENT", "supports")}
    assert gold_spans(probe, doc) == accepted
    qtbot.waitUntil(lambda: table_rows(window)[2][0] == "in gold")
    assert table_rows(window)[2][-1] == "stance=supports"
    assert current_row(window) == 2  # the row stays chosen
    statement = next(iter(window.session.spans.values()))
    assert (statement.start, statement.end) == STATEMENT  # the editor shows it

    table_key(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert gold_spans(probe, doc) == set()
    assert window.session.spans == {}
    qtbot.waitUntil(lambda: table_rows(window)[2][0] == "disagreed 3/3")
    table_key(qtbot, window, Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert gold_spans(probe, doc) == accepted
    assert [s.id for s in probe.gold().spans(doc)] == [statement.id]  # the same span again
    qtbot.waitUntil(lambda: table_rows(window)[2][0] == "in gold")

    # Clicking an in-gold row selects gold's span in the text.
    table = window.curation_panel.table
    table.setCurrentIndex(window.curation_panel.model.index(3, 0))
    table.setCurrentIndex(window.curation_panel.model.index(2, 0))
    assert window.editor.selected == statement.id


def test_accept_all_agreed_is_one_undo_step_and_links_follow_their_spans(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    doc = three_annotators(probe)
    me = user(open_main("alice"))
    window = curate(qtbot, me)
    me.key(Key.Key_G, Mod.ControlModifier | Mod.ShiftModifier)
    speakers = {(*SPEAKER_1, "SPEAKER", ""), (*SPEAKER_2, "SPEAKER", "")}
    assert gold_spans(probe, doc) == speakers
    qtbot.waitUntil(lambda: [r[0] for r in table_rows(window)][:2] == ["in gold", "in gold"])
    ids = {s.id for s in probe.gold().spans(doc)}

    me.key(Key.Key_Z, Mod.ControlModifier)  # one step takes both back
    assert gold_spans(probe, doc) == set()
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert {s.id for s in probe.gold().spans(doc)} == ids

    # The statement's said_by link comes with it, to the speaker gold now holds; Enter takes
    # the version of the column chosen.
    me.key(Key.Key_F8)
    panel = window.curation_panel
    panel.table.setCurrentIndex(panel.model.index(2, 4))  # bob's column
    table_key(qtbot, window, Key.Key_Return)
    assert (*STATEMENT, "STATEMENT", "neutral") in gold_spans(probe, doc)
    ((label, source, target),) = disk_relations(probe, "gold", doc)
    by_id = {s.id: (s.start, s.end) for s in probe.gold().spans(doc)}
    assert (label, by_id[source], by_id[target]) == ("said_by", STATEMENT, SPEAKER_2)
    assert {(r.label, r.source_id, r.target_id) for r in window.session.relations.values()} == {
        (label, source, target)
    }
    table_key(qtbot, window, Key.Key_Z, Mod.ControlModifier)  # the span and its link go
    assert disk_relations(probe, "gold", doc) == set()
    assert window.session.relations == {}


def test_a_big_document_builds_its_rows_quickly(
    tmp_path: Path,
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    """Three annotators with 10,000 spans each on one document: the panel holds every row, and
    accepting every agreed span is one transaction and one redraw. (How long it takes is a
    figure of ``tests/bench/bench_agreement.py``, not a test.)"""

    words = [f"w{n:05}" for n in range(10_000)]
    lines = [" ".join(words[i : i + 10]) for i in range(0, len(words), 10)]  # paragraphs
    text = "\n".join(lines) + "\n"
    spans = [
        {"start": start, "end": end, "label": "SPEAKER", "annotator": who}
        for n, who in enumerate(("alice", "bob", "carol"))
        for i, (start, end) in enumerate(m.span() for m in re.finditer(r"w\d{5}", text))
        if i % 7 != n  # each leaves out a few: those rows are disagreements
    ]
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps({"id": "big", "text": text, "spans": spans}) + "\n")
    (doc,) = probe.import_files([source]).imported_ids
    window = open_main("alice")
    curate(qtbot, user(window))
    model = window.curation_panel.model
    assert model.rowCount() == 10_000
    counts = model.counts()
    assert counts["agreed"] > 5000 and counts["disagreed"] > 3000
    window.curation_panel.accept_agreed()
    qtbot.waitUntil(lambda: model.counts()["gold"] == counts["agreed"], timeout=60_000)
    assert len(probe.gold().spans(doc)) == counts["agreed"]


def test_each_layer_keeps_its_own_undo_history_and_a_schema_switch_stays_in_gold(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    switch: Callable[[MainWindow, str], list[str]],
) -> None:
    doc = three_annotators(probe)
    window = open_main("alice")
    me = user(window)
    mine = disk_spans(probe, "alice", doc)
    me.select_words("test went", inset=1)
    me.key(Key.Key_W)  # a WEAPON of alice's own
    assert len(disk_spans(probe, "alice", doc)) == len(mine) + 1

    curate(qtbot, me)
    me.key(Key.Key_G, Mod.ControlModifier | Mod.ShiftModifier)  # both speakers into gold
    assert len(probe.gold().spans(doc)) == 2
    me.key(Key.Key_G, Mod.ControlModifier)  # back to alice: her undo history is there
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc) == mine
    assert len(probe.gold().spans(doc)) == 2  # gold's accept is not undone from alice's layer
    curate(qtbot, me)
    me.key(Key.Key_Z, Mod.ControlModifier)  # and gold's own history is back with it
    assert probe.gold().spans(doc) == []

    switch(window, named_entities_archiving_statements())  # gold's speakers are archived
    assert window.curating and window.service.annotator.name == "gold"
    assert window.session is not None and window.session.service.annotator.name == "gold"
    start, end = me.select_words("Moscow", inset=1)
    me.key(Key.Key_L)  # LOC, a label of the new schema, in gold
    assert [(s.start, s.end, s.label) for s in probe.gold().spans(doc)] == [(start, end, "LOC")]
    qtbot.waitUntil(lambda: "LOC" in {row[1] for row in table_rows(window)})
