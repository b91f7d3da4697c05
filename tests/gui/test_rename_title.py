"""A team lead renames a document's title from the list (issue 13, defect 1).

The page is a realistic scrape whose site lines were once taken for its title. F2 (or the
list's context menu) asks for the title; the core checks and commits it; the list, the header
and the title filter show it, and the text, with every span on it, stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, User, disk_spans
from tests.scraped_pages import JOBS_SLOGAN


def type_into_input(qtbot: QtBot, text: str, seen: list[str]) -> QTimer:
    """Answer the next text input box by typing ``text`` over its contents and pressing Enter.
    Whatever goes wrong, the box is closed: a box left open would hang the test."""
    poll = QTimer()
    poll.setInterval(20)

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            return
        poll.stop()
        try:
            seen.append(box.textValue())
            edit = box.findChild(QLineEdit)
            assert edit is not None
            qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            if text:
                qtbot.keyClicks(edit, text)
            else:
                qtbot.keyClick(edit, Qt.Key.Key_Delete)
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        finally:
            if box.isVisible():
                box.reject()

    poll.timeout.connect(answer)
    poll.start()
    return poll


def test_f2_renames_the_title_and_nothing_else(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_main()
    page = tmp_path / "sarnova.txt"
    page.write_text(JOBS_SLOGAN, encoding="utf-8")
    probe.import_files([page])
    window._apply_filter()
    me = user(window)
    me.click_document("sarnova")
    doc_id = window.session.document.id
    # Found at import: the headline, not the jobs site's slogan.
    assert window.title_label.text() == "Sarnova signs €2bn deal for 40 Albatros cruise missiles"
    me.select_words("Sarnova’s defence ministry")
    me.key(Key.Key_K)
    spans_before = disk_spans(probe, "alice", doc_id)
    hash_before = probe.documents.get(doc_id).content_hash

    seen: list[str] = []
    poll = type_into_input(qtbot, "Sarnova buys 40 Albatros missiles", seen)
    me.key(Key.Key_F2)
    poll.stop()
    assert seen == ["Sarnova signs €2bn deal for 40 Albatros cruise missiles"]  # offered to edit
    renamed = "Sarnova buys 40 Albatros missiles"
    assert probe.documents.get(doc_id).title == renamed
    assert window.title_label.text() == renamed
    row = window.doc_model.row_of(doc_id)
    assert window.doc_model.data(window.doc_model.index(row, 0)) == renamed
    # The text and the spans on it are untouched.
    assert probe.documents.get(doc_id).content_hash == hash_before
    assert probe.documents.get(doc_id).text == JOBS_SLOGAN
    assert disk_spans(probe, "alice", doc_id) == spans_before
    # The filter finds the new title.
    me.key(Key.Key_L, Mod.ControlModifier)  # Ctrl+F finds in the article
    assert window.search_edit.hasFocus()
    qtbot.keyClicks(window.search_edit, "buys 40")
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 1)
    assert window.doc_model.document_id(0) == doc_id

    # An empty title is refused by the core, and said so; the title stays.
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_: warnings.append(text) or 0)
    window.text_view.setFocus()
    poll = type_into_input(qtbot, "", seen)
    me.key(Key.Key_F2)
    poll.stop()
    assert warnings and "empty" in warnings[0]
    assert probe.documents.get(doc_id).title == renamed


def test_the_list_offers_rename_on_its_context_menu(
    open_main: Callable[..., MainWindow],
) -> None:
    window = open_main()
    assert window.doc_view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert "renameTitle" in [a.objectName() for a in window.doc_view.actions()]
