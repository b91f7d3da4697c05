"""Edit → Search corpus… (Ctrl+Shift+F): type, Enter, the hits; Enter on a hit opens it with
the hit selected; a bad expression is told; Stop stops the search and keeps what it found."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.core.services import search as search_module
from annotator.core.services.workspace import Workspace
from annotator.gui.corpus_search import CorpusSearchPanel
from annotator.gui.main_window import MainWindow
from tests.core.test_cli_search import denials_by_one_speaker
from tests.core.test_search_child import LONG_BACKTRACKING, search_children
from tests.gui.conftest import Key, Mod, User

TIMEOUT = 20_000
# Typing in the search box may pop up its completion, which asks to be raised and to grab the
# keyboard: the offscreen platform can do neither, and says so.
pytestmark = pytest.mark.qt_log_ignore(
    "^This plugin does not support raise\\(\\)$",
    "^This plugin does not support grabbing the keyboard$",
)


def texts(probe: Workspace) -> dict[int, str]:
    return {i: probe.documents.get(i).text for i in probe.documents.ids(None)}


def search_for(qtbot: QtBot, panel: CorpusSearchPanel, text: str) -> None:
    """Type the query over the last one and press Enter, as a user does; wait for the end."""
    panel.query_edit.selectAll()
    qtbot.keyClicks(panel.query_edit, text)
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT):
        qtbot.keyClick(panel.query_edit, Key.Key_Return)


def open_row(qtbot: QtBot, panel: CorpusSearchPanel, row: int) -> None:
    """Click a hit's row, then press Enter on it."""
    view = panel.view
    view.scrollTo(panel.model.index(row, 2))  # the user scrolls to it
    rect = view.visualRect(panel.model.index(row, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    qtbot.keyClick(view, Key.Key_Return)


def open_search(window: MainWindow, user: Callable[[MainWindow], User]) -> CorpusSearchPanel:
    user(window).key(Key.Key_F, Mod.ControlModifier | Mod.ShiftModifier)
    panel = window.corpus_search.panel
    assert panel is not None and window.corpus_search.dock is not None
    assert window.corpus_search.dock.isVisible()
    assert QApplication.focusWidget() is panel.query_edit
    return panel


def test_search_shows_every_hit_and_enter_opens_one_selected(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    window = open_main()
    panel = open_search(window, user)
    search_for(qtbot, panel, "ROCKET")
    corpus = texts(probe)
    expected = [
        (doc_id, m.start(), m.end())
        for doc_id, text in corpus.items()
        for m in re.finditer("rocket", text, re.IGNORECASE)
    ]
    assert len(expected) > 3
    model = panel.model
    assert model.rowCount() == len(expected)
    shown = [model.hit(row) for row in range(model.rowCount())]
    assert [(h.document_id, h.start, h.end) for h in shown if h] == expected
    assert model.data(model.index(0, 2)).lower() == "rocket"
    ModelTester(qtbot).check(model)  # Qt's own rules for a model, fetchMore included
    assert panel.summary.text().startswith(f"{len(expected)} hits in ")
    # A hit in another document than the open one: Enter opens it, the hit selected.
    row = next(r for r, h in enumerate(shown) if h and h.document_id != window.session.document.id)
    hit = shown[row]
    assert hit is not None
    open_row(qtbot, panel, row)
    assert window.session is not None and window.session.document.id == hit.document_id
    assert window.editor.text_selection() == (hit.start, hit.end)
    assert QApplication.focusWidget() is window.text_view
    assert window.text_view.textCursor().selectedText().lower() == "rocket"
    # A double click on another hit opens that one.
    other = next(r for r, h in enumerate(shown) if h and h.document_id != hit.document_id)
    panel.view.scrollTo(model.index(other, 0))
    rect = panel.view.visualRect(model.index(other, 0))
    assert panel.view.viewport().rect().contains(rect.center())
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    target = shown[other]
    assert target is not None and window.session.document.id == target.document_id
    assert window.editor.text_selection() == (target.start, target.end)


def test_an_annotation_hit_selects_its_span(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
) -> None:
    window = open_main()
    me = window.annotator.name
    panel = open_search(window, user)
    panel.label_box.setCurrentText("STATEMENT")
    panel.value_box.setCurrentText("stance=threatens")
    panel.layer_box.setCurrentText(me)
    search_for(qtbot, panel, "")
    model = panel.model
    assert model.rowCount() > 0
    hits = [model.hit(r) for r in range(model.rowCount())]
    assert all(h and h.label == "STATEMENT" and h.annotator == me for h in hits)
    assert all(h and h.attributes.get("stance") == "threatens" for h in hits)
    last = hits[-1]
    assert last is not None
    open_row(qtbot, panel, len(hits) - 1)
    assert window.session is not None and window.session.document.id == last.document_id
    assert window.editor.selected == last.span_id
    # Ctrl+Shift+F again, from the article: the same dock, its filters as they were.
    assert open_search(window, user) is panel
    assert (panel.label_box.currentText(), panel.layer_box.currentText()) == ("STATEMENT", me)
    assert panel.value_box.currentText() == "stance=threatens"


def test_one_line_finds_statements_by_value_and_speaker_and_says_what_it_took_as_text(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    url: str,
) -> None:
    """Issue 13's example typed into the box: label:STATEMENT stance:denies speaker:NAME."""
    window = open_main()
    name, expected = denials_by_one_speaker(url)
    panel = open_search(window, user)
    search_for(qtbot, panel, f"label:STATEMENT stance:denies speaker:{name}")
    model = panel.model
    hits = [model.hit(r) for r in range(model.rowCount())]
    assert sorted((h.key, h.start, h.end) for h in hits if h) == expected
    assert panel.summary.text() == f"{len(expected)} hits in {len({e[0] for e in expected})} " + (
        "documents" if len({e[0] for e in expected}) > 1 else "document"
    )
    # A misspelt key is searched as text, and the summary says so.
    search_for(qtbot, panel, "stanse:denies")
    assert model.rowCount() == 0
    assert "'stanse' is not a label, value or link" in panel.summary.text()


def test_filters_are_offered_as_they_are_typed(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
) -> None:
    window = open_main()
    panel = open_search(window, user)
    completer, edit = panel.completer, panel.query_edit
    qtbot.keyClicks(edit, "missile label:STATEMENT STANCE:D")
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    offered = [completer.completionModel().index(r, 0).data() for r in range(
        completer.completionModel().rowCount())]  # fmt: skip
    assert offered == ["stance:denies"]  # of the five stances, in any case
    qtbot.keyClick(popup, Key.Key_Down)
    qtbot.keyClick(popup, Key.Key_Return)
    assert edit.text() == "missile label:STATEMENT stance:denies"
    assert panel.job is None and panel.summary.text() == ""  # choosing is not searching
    # the far end of a link: the key is offered, the name is typed
    edit.clear()
    qtbot.keyClicks(edit, "spea")
    qtbot.waitUntil(popup.isVisible)
    names = completer.completionModel()
    assert [names.index(r, 0).data() for r in range(names.rowCount())] == [
        "speaker_type:official", "speaker_type:body", "speaker_type:anonymous",
        "speaker_type:other", "speaker:",
    ]  # fmt: skip
    # Enter while filters are offered, none chosen: the line is searched as typed.
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT):
        qtbot.keyClick(popup if popup.isVisible() else edit, Key.Key_Return)
    assert edit.text() == "spea" and not popup.isVisible()
    assert re.fullmatch(r"\d+ hits? in \d+ documents?", panel.summary.text())


def test_many_hits_are_handed_to_the_view_a_page_at_a_time(qtbot: QtBot) -> None:
    from annotator.core.domain.searching import Hit
    from annotator.gui.models.search_results import PAGE, SearchResultsModel

    model = SearchResultsModel()
    hits = [Hit(1, "k", "t", i, i + 1, "", "x", "") for i in range(PAGE * 2 + 7)]
    model.append(hits[:10])
    assert model.rowCount() == 10  # the first page fills as hits come
    model.append(hits[10:])
    assert (model.rowCount(), model.found) == (PAGE, len(hits))
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == len(hits) and not model.canFetchMore()
    assert model.hit(len(hits) - 1) == hits[-1] and model.documents == 1
    ModelTester(qtbot).check(model)


def test_a_bad_expression_is_told_and_nothing_runs(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    panel = open_search(window, user)
    panel.regex.setChecked(True)
    search_for(qtbot, panel, "rocket(")
    assert "'rocket(' is not a valid regular expression" in panel.summary.text()
    assert panel.model.rowCount() == 0 and panel.job is None


def test_stop_ends_the_search_and_keeps_the_hits_found(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_main()
    # One document a batch, each read slowly: a search long enough to stop half way.
    monkeypatch.setattr(search_module, "FIRST_BATCH", 1)
    monkeypatch.setattr(search_module, "MAX_BATCH", 1)
    real = search_module._documents

    def slow(db, which, narrow):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return real(db, which, narrow)

    monkeypatch.setattr(search_module, "_documents", slow)
    panel = open_search(window, user)
    qtbot.keyClicks(panel.query_edit, "the")
    qtbot.keyClick(panel.query_edit, Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.found > 0, timeout=TIMEOUT)
    assert panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    found = panel.model.found
    assert 0 < panel.model.documents < window.workspace.documents.count()
    assert panel.summary.text().endswith("; stopped")
    assert panel.job is None and not panel.stop_button.isEnabled()
    assert window._jobs == []
    qtbot.wait(700)  # nothing more arrives
    assert panel.model.found == found


def test_a_backtracking_expression_never_freezes_the_window_and_stop_ends_it(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    """``(a+)+$`` over 32 a's and a b runs for minutes in ``re``, which lets no other thread of
    its process run: searched on a thread, the window would stop repainting and Stop would
    wait until the end. It runs in a child process instead."""
    probe.documents.add(LONG_BACKTRACKING, key="long", title="Minutes of backtracking")
    window = open_main()
    panel = open_search(window, user)
    panel.regex.setChecked(True)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    qtbot.keyClicks(panel.query_edit, "(a+)+$")
    qtbot.keyClick(panel.query_edit, Key.Key_Return)
    qtbot.wait(2000)
    timer.stop()
    assert panel.job is not None and panel.stop_button.isEnabled()  # still searching
    assert len(ticks) >= 20  # the window went on handling events (100 ticks when idle)
    assert len(search_children()) == 1
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert panel.summary.text().endswith("; stopped")
    assert panel.job is None and window._jobs == []
    assert search_children() == []
