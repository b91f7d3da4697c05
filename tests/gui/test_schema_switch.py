"""Switching the label schema rebuilds the panel; a broken schema is refused with the line it
breaks on; the guidelines are shown rendered, not as Markdown source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.core.schema_variants import named_entities_archiving_statements
from tests.gui.conftest import Key, Mod, User, assert_screen_is_disk, disk_spans, reopen_outside

STATEMENT_LABELS = ["STATEMENT", "SPEAKER", "TARGET", "WEAPON"]
NER = schemas_dir() / "named_entities.yaml"


def label_buttons(qtbot: QtBot, window: MainWindow) -> list[str]:
    """The label buttons the panel really holds, once replaced ones are gone."""
    panel = window.label_panel

    def current() -> list[QPushButton]:
        return [b for b in panel.findChildren(QPushButton) if b.objectName().startswith("label_")]

    qtbot.waitUntil(lambda: len(current()) == len(panel.label_buttons))
    return [b.objectName().removeprefix("label_") for b in current()]


def underline_at(window: MainWindow, offset: int) -> QTextCharFormat.UnderlineStyle | None:
    """The underline the article shows under the character at ``offset``."""
    position = window.editor.offsets.to_qt(offset)
    block = window.text_view.document().findBlock(position)
    for r in block.layout().formats():
        if r.start <= position - block.position() < r.start + r.length:
            return r.format.underlineStyle()
    return None


def test_switching_schema_rebuilds_the_label_panel(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    switch: Callable[[MainWindow, str], list[str]],
) -> None:
    window = open_main()
    assert sorted(label_buttons(qtbot, window)) == sorted(STATEMENT_LABELS)

    (preview,) = switch(window, named_entities_archiving_statements())
    assert "label STATEMENT removed, archived (archive_label STATEMENT): " in preview
    assert sorted(label_buttons(qtbot, window)) == ["DATE", "LOC", "ORG", "PER"]
    person = window.label_panel.label_buttons["PER"]
    assert "[P]" in person.text()
    assert person.toolTip().startswith("A person")
    assert person.isVisible()
    assert probe.active_schema().name == "named_entities"
    assert "Named entities" in window.guidelines.toPlainText()

    # The new labels' keys work at once.
    me = user(window)
    me.click_document("demo-03")
    me.select_words("Henrik Aas-Sørensen", inset=2)
    me.key(Key.Key_P)
    doc_id = window.session.document.id
    assert [v[2] for v in disk_spans(probe, "alice", doc_id).values()] == ["PER"]


def test_a_broken_schema_is_refused_with_its_line_and_the_old_one_stays(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    source = (schemas_dir() / "named_entities.yaml").read_text(encoding="utf-8")
    clash = tmp_path / "clash.yaml"
    clash.write_text(source.replace("hotkey: O", "hotkey: P"), encoding="utf-8")
    line = source.splitlines().index("    hotkey: O") + 1
    not_yaml = tmp_path / "not_yaml.yaml"
    not_yaml.write_text("name: broken\nversion: '1'\nlabels:\n  - name: A\n    color: [oops\n")

    assert not window.switch_schema(clash)
    assert not window.switch_schema(not_yaml)

    assert [title for title, _ in dialogs] == ["Invalid schema", "Invalid schema"]
    assert f"{clash}:{line}" in dialogs[0][1] and "hotkey" in dialogs[0][1]
    assert f"{not_yaml}:" in dialogs[1][1] and "YAML" in dialogs[1][1]
    assert window.schema.name == "defence_statements"
    assert probe.active_schema().name == "defence_statements"
    assert label_buttons(qtbot, window) == STATEMENT_LABELS
    me = user(window)
    me.click_document("demo-03")
    me.select_words("Henrik Aas-Sørensen", inset=2)
    me.key(Key.Key_K)
    doc_id = window.session.document.id
    assert [v[2] for v in disk_spans(probe, "alice", doc_id).values()] == ["SPEAKER"]


def test_f1_shows_the_guidelines_rendered(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    assert not window.guidelines_dock.isVisible()
    user(window).key(Key.Key_F1)
    assert window.guidelines_dock.isVisible()
    shown = window.guidelines.toPlainText()
    assert "Annotating statements in defence and security news" in shown
    assert "What is a statement" in shown
    assert "supports" in shown and "boasts of" in shown  # the stance table's cells
    lines = shown.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("#")]
    assert "**" not in shown and "|---|" not in shown


def test_alt_and_a_label_key_beats_a_menu_mnemonic(
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    switch: Callable[[MainWindow, str], list[str]],
) -> None:
    window = open_main()
    switch(window, named_entities_archiving_statements())
    me = user(window)
    me.click_document("demo-03")
    start, end = me.select_words("Friday 27 February 2026", inset=2)
    me.key(Key.Key_D, Mod.AltModifier)  # Alt+D is also the Document menu's mnemonic
    assert QApplication.activePopupWidget() is None
    doc_id = window.session.document.id
    spans = list(disk_spans(probe, "alice", doc_id).values())
    assert spans == [(start + 2, end - 2, "DATE", {"precise": False})]


def test_window_shortcuts_are_all_reserved_from_schemas(open_main) -> None:
    """Every Ctrl/F-key shortcut of the window is one a schema may not claim as a hotkey."""
    from PySide6.QtGui import QKeySequence

    from annotator.core.domain.schema import RESERVED_HOTKEYS, normalise_hotkey

    window = open_main()
    used = set()
    for action in window.actions():
        for seq in action.shortcuts():
            text = seq.toString(QKeySequence.SequenceFormat.PortableText)
            canon = normalise_hotkey(text)
            if canon is not None:
                used.add(canon)
    assert used, "the window has no shortcuts at all"
    assert used <= RESERVED_HOTKEYS, used - RESERVED_HOTKEYS


def test_a_span_the_new_schema_lacks_is_shown_outside_it_and_its_delete_undoes(
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
    me.key(Key.Key_1)  # speaker_type: official
    before = disk_spans(probe, "alice", doc_id)
    assert [v[2:] for v in before.values()] == [("SPEAKER", {"speaker_type": "official"})]

    window = reopen_outside(open_main, window, probe, load_schema(NER))
    me = user(window)
    me.click_document("demo-03")
    (span_id,) = before
    model = window.ann_model
    row = model.row_of(span_id)
    assert row is not None
    assert model.data(model.index(row, 2)).startswith("(not in schema)")
    me.click(start + 2)  # scrolled into view: painted as the user sees it
    dashed = QTextCharFormat.UnderlineStyle.DashUnderline
    qtbot.waitUntil(lambda: underline_at(window, start + 2) == dashed)
    me.click(start + 2)
    assert window.editor.selected == span_id
    qtbot.waitUntil(lambda: "(not in schema)" in window.label_panel._span_box.title())
    me.key(Key.Key_Delete)
    assert disk_spans(probe, "alice", doc_id) == {}
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == before
    assert_screen_is_disk(window, probe)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert disk_spans(probe, "alice", doc_id) == {}
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == before
    assert_screen_is_disk(window, probe)
