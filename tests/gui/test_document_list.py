"""The document list: filters by status and by title text; both list models pass Qt's tester."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import STATUS_FILTERS, MainWindow
from tests.gui.conftest import Key, Mod, User, find


def listed_keys(window: MainWindow) -> list[str]:
    model = window.doc_model
    keys = []
    for row in range(model.rowCount()):
        doc_id = model.document_id(row)
        assert doc_id is not None
        keys.append(window.workspace.documents.get(doc_id).key)
    return keys


def choose_status(window: MainWindow, text: str) -> None:
    names = [name for name, _ in STATUS_FILTERS]
    window.status_filter.setCurrentIndex(names.index(text))


def test_filter_by_status_and_by_title(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.key(Key.Key_Return, Mod.ControlModifier)  # done (nothing annotated, nothing missing)
    assert window.session.document.key == "demo-04"
    me.key(Key.Key_Return, Mod.ControlModifier | Mod.ShiftModifier)  # skipped
    me.select_words("said", inset=1)
    me.key(Key.Key_K)  # demo-05 in progress
    every = [f"demo-{n:02}" for n in range(1, 11)]
    assert listed_keys(window) == every

    choose_status(window, "Done")
    assert listed_keys(window) == ["demo-03"]
    choose_status(window, "Skipped")
    assert listed_keys(window) == ["demo-04"]
    choose_status(window, "In progress")
    # The pre-annotated demo articles start in progress.
    assert listed_keys(window) == ["demo-01", "demo-02", "demo-05", "demo-06", "demo-08"]
    choose_status(window, "To do")
    assert listed_keys(window) == [k for k in every if k not in ("demo-03", "demo-04")]

    # Typed text filters by title, case-insensitively, on top of the status filter.
    titles = {
        doc.key: doc.title for doc in (probe.documents.get(i) for i in probe.documents.ids(1))
    }
    wanted = [
        k for k in every if "korvath" in titles[k].lower() and k not in ("demo-03", "demo-04")
    ]
    assert wanted  # the demo has such titles
    qtbot.keyClicks(window.search_edit, "KORVATH")
    qtbot.waitUntil(lambda: listed_keys(window) == wanted)
    for row in range(window.doc_model.rowCount()):
        assert "korvath" in window.doc_model.data(window.doc_model.index(row, 0)).lower()
    choose_status(window, "All documents")
    assert listed_keys(window) == [k for k in every if "korvath" in titles[k].lower()]
    window.search_edit.clear()
    qtbot.waitUntil(lambda: listed_keys(window) == every)
    # The open document stays selected in the list through all of it.
    current = window.doc_view.currentIndex()
    assert window.doc_model.document_id(current.row()) == window.session.document.id


def test_span_counts_follow_edits_even_when_moving_on_at_once(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    doc_id = window.session.document.id
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    row = window.doc_model.row_of(doc_id)
    qtbot.waitUntil(lambda: window.doc_model.data(window.doc_model.index(row, 2)) == 1)
    me.select_words("Rafael Olmos Peña", inset=1)
    me.key(Key.Key_K)
    me.key(Key.Key_PageDown, Mod.ControlModifier)  # before the event loop has run again
    qtbot.waitUntil(lambda: window.doc_model.data(window.doc_model.index(row, 2)) == 2)
    assert window.doc_model.data(window.doc_model.index(row, 1)) == "in progress"


def test_document_list_model_passes_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
) -> None:
    window = open_main()
    model = window.doc_model
    assert model.rowCount() == 10
    qtmodeltester.check(model)  # stays attached: checks every change below as it happens
    me = user(window)
    me.click_document("demo-02")
    me.click(find(me.text, "rockets")[0])
    me.key(Key.Key_Delete)
    me.key(Key.Key_Return, Mod.ControlModifier | Mod.ShiftModifier)
    choose_status(window, "Skipped")
    assert model.rowCount() == 1
    qtbot.keyClicks(window.search_edit, "zzz-no-such-title")
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    choose_status(window, "All documents")
    window.search_edit.clear()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    qtmodeltester.check(model)


def test_annotation_list_model_passes_the_model_tester(
    qtmodeltester: ModelTester,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-01")
    model = window.ann_model
    assert model.rowCount() == 38
    qtmodeltester.check(model)  # stays attached: checks every insert and removal below
    text = me.text
    me.select_words("announced a five-year programme", inset=1)
    me.key(Key.Key_S)  # insert (nested in other spans)
    assert model.rowCount() == 39
    me.key(Key.Key_Right, Mod.AltModifier)  # a moved row
    me.key(Key.Key_Delete)  # removal
    me.click(find(text, "ballistic missiles")[0] + 1)
    me.key(Key.Key_Delete)  # removal of a span that had a link
    assert model.rowCount() == 37
    me.key(Key.Key_Z, Mod.ControlModifier)
    me.key(Key.Key_Z, Mod.ControlModifier)
    me.key(Key.Key_Z, Mod.ControlModifier)
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert model.rowCount() == 38
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert model.rowCount() == 39
    me.key(Key.Key_PageDown, Mod.ControlModifier)  # reset to another document
    assert model.rowCount() == len(probe.annotations("alice").spans(window.session.document.id))
    qtmodeltester.check(model)


def test_arrow_keys_browse_the_list_without_leaving_it(qtbot, open_main) -> None:
    """Down in the list opens the next document and keeps the focus there to browse on."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = open_main()
    first = window.session.document.id
    window.doc_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.doc_view)
    qtbot.keyClick(window.doc_view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.session.document.id != first)
    assert QApplication.focusWidget() is window.doc_view
    qtbot.keyClick(window.doc_view, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.text_view
