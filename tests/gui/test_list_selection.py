"""Every list highlights exactly what is open or selected, and keeps it in view (issue 13, 3).

Read from what the window last painted: a view whose selection changed without being told
would keep the old row highlighted on screen while its selection model says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, User, find
from tests.gui.painted import fully_visible, painted_rows


def open_row(window: MainWindow) -> int:
    assert window.session is not None
    row = window.doc_model.row_of(window.session.document.id)
    assert row is not None
    return row


def assert_document_shown(window: MainWindow, qtbot: QtBot) -> None:
    """One row is highlighted: the open document's, and all of it is in view."""
    row = open_row(window)
    view = window.doc_view
    assert [i.row() for i in view.selectionModel().selectedRows()] == [row]
    assert view.currentIndex().row() == row
    assert fully_visible(view, row), f"row {row} of the open document is out of view"
    assert painted_rows(view, qtbot) == [row]


def assert_span_shown(window: MainWindow, qtbot: QtBot) -> None:
    """The annotation list highlights the editor's selected span, or nothing."""
    view, selected = window.ann_view, window.editor.selected
    wanted = [] if selected is None else [window.ann_model.row_of(selected)]
    assert [i.row() for i in view.selectionModel().selectedRows()] == wanted
    if wanted:
        assert fully_visible(view, wanted[0])
    assert [r for r in painted_rows(view, qtbot) if r not in wanted] == []
    if wanted and fully_visible(view, wanted[0]):
        assert painted_rows(view, qtbot) == wanted


def test_document_list_follows_the_keys(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    for n in range(50):  # more documents than the list shows at 1024x700
        probe.documents.add(f"Brief {n}\n\nThe ministry said drill {n} went ahead.", key=f"b{n}")
    window._apply_filter()
    window.resize(1024, 700)
    me = user(window)
    me.click_document("demo-02")
    assert_document_shown(window, qtbot)
    for _ in range(30):
        me.key(Key.Key_PageDown, Mod.ControlModifier)
    assert window.session.document.key == "b21"
    assert_document_shown(window, qtbot)
    me.key(Key.Key_PageUp, Mod.ControlModifier)
    assert window.session.document.key == "b20"
    assert_document_shown(window, qtbot)
    for expected in ("b21", "b22", "b23"):
        me.key(Key.Key_Return, Mod.ControlModifier)  # done, and on to the next unfinished
        assert window.session.document.key == expected
        assert_document_shown(window, qtbot)
    for _ in range(25):  # back up to the top: the list scrolls back with it
        me.key(Key.Key_PageUp, Mod.ControlModifier)
    assert_document_shown(window, qtbot)


def test_document_list_follows_a_filter(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-04")
    qtbot.keyClicks(window.search_edit, "Korvath")
    qtbot.waitUntil(lambda: window.doc_model.rowCount() < 10)
    assert_document_shown(window, qtbot)
    window.search_edit.clear()
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 10)
    assert_document_shown(window, qtbot)


def test_annotation_list_follows_resize_delete_undo_and_refusal(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    window.resize(1024, 700)
    me = user(window)
    me.click_document("demo-03")  # not pre-annotated: the spans are made here
    text = me.text
    # Two spans that start on one word: shrinking the longer one reorders the list.
    me.select_words("Halden Dynamics")
    me.key(Key.Key_K)
    me.select_words("Halden")
    me.key(Key.Key_T)
    me.select_words("Sarnova", nth=1)
    me.key(Key.Key_K)
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Tab)  # the first span in reading order: the SPEAKER "Halden Dynamics"
    first = window.editor.selected_span()
    assert first is not None and first.label == "SPEAKER"
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Left, Mod.AltModifier)  # its end a word back: now after "Halden"
    shrunk = window.editor.selected_span()
    assert shrunk is not None and text[shrunk.start : shrunk.end] == "Halden"
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Right, Mod.AltModifier)
    assert_span_shown(window, qtbot)

    # A refused edit: a second SPEAKER over the first (SPEAKERs may not overlap).
    me.key(Key.Key_Tab)  # the TARGET "Halden"
    before = window.editor.selected
    start, end = find(text, "Halden Dynamics")
    count = len(window.session.spans)
    me.drag(start + 7, end + 6)
    me.key(Key.Key_K)
    assert len(window.session.spans) == count, "the overlapping SPEAKER was made"
    assert window.editor.selected == before
    assert_span_shown(window, qtbot)

    me.click(start + 8)  # the SPEAKER, inside "Dynamics"
    assert window.editor.selected_span().label == "SPEAKER"
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Delete)
    assert window.editor.selected is None
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Z, Mod.ControlModifier)  # back again, and selected again
    restored = window.editor.selected_span()
    assert restored is not None and restored.label == "SPEAKER"
    assert_span_shown(window, qtbot)
    me.key(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert_span_shown(window, qtbot)
