"""Fixtures for the window tests: a real SQLite file, private INI settings, and a `User` that
drives the window only through key presses and mouse gestures, counting each one.

Scrolling the article so that a fragment is on screen is done by the driver (a user would turn
the wheel) and is not counted as an action.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QKeyCombination, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QTextCursor
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.domain.records import SpanRecord
from annotator.core.domain.schema import Schema
from annotator.core.services.workspace import Workspace
from annotator.gui.app import open_window
from annotator.gui.main_window import MainWindow
from annotator.gui.models.annotation_list import SpanIdRole

Key = Qt.Key
Mod = Qt.KeyboardModifier


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Window settings in an INI file of the test's own: never the user's real settings.

    Suggesting on open is off here (the tests of suggestions turn it on): computed on a worker
    as a document opens, the suggestions are written while the test edits, and an edit that
    meets their write lock is stored a moment later, which a test checking the disk at once
    reads as lost (seen in CI under load)."""
    settings = QSettings(str(tmp_path / "annotator.ini"), QSettings.Format.IniFormat)
    settings.setValue("suggestions/onOpen", False)
    return settings


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "work.sqlite3"


@pytest.fixture
def url(db_file: Path) -> str:
    return f"sqlite:///{db_file}"


@pytest.fixture
def probe(url: str) -> Iterator[Workspace]:
    """A second, independent `Workspace` on the same file: what is really on disk."""
    ws = Workspace(url)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def open_main(qtbot: QtBot, url: str, settings: QSettings) -> Iterator[Callable[..., MainWindow]]:
    """Open the window as `open_window` does for the app, and wait for the first document.

    Each window is closed, and its database connections with it, after the test.
    """
    opened: list[MainWindow] = []

    def _open(annotator: str = "alice") -> MainWindow:
        window = open_window(url, annotator, settings, ask=False)
        qtbot.addWidget(window, before_close_func=_writes_settled)
        opened.append(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.session is not None)
        return window

    yield _open
    for window in opened:
        window.close()
        window.workspace.close()


def _writes_settled(window: MainWindow) -> None:
    """Before a test's window closes: let an edit that waits for the database be stored, else
    drop it, so that closing never stops on the "Edits not saved yet" question (a modal box
    nobody answers: the run would hang)."""
    editor = window.editor
    deadline = time.monotonic() + 10
    while editor.waiting and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    if editor.waiting and editor.session is not None:
        editor.session.writes.abandon()


@pytest.fixture
def user(qtbot: QtBot) -> Callable[[MainWindow], User]:
    return lambda window: User(qtbot, window)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(title, message) of every error box the window shows, instead of showing it."""
    shown: list[tuple[str, str]] = []

    def critical(_parent: object, title: str, text: str, *_: object) -> QMessageBox.StandardButton:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


@pytest.fixture
def switch(
    tmp_path: Path, answer_modal: Callable[[QMessageBox.StandardButton], ModalAnswerer]
) -> Callable[[MainWindow, str], list[str]]:
    """File > Switch schema… to a schema of this YAML text, answering its preview with Yes;
    returns what the preview said."""

    def _switch(window: MainWindow, text: str) -> list[str]:
        path = tmp_path / f"schema-{len(list(tmp_path.glob('schema-*')))}.yaml"
        path.write_text(text, encoding="utf-8")
        yes = answer_modal(QMessageBox.StandardButton.Yes)
        try:
            assert window.switch_schema(path)
        finally:
            yes.stop()
        return yes.seen

    return _switch


def reopen_outside(
    open_main: Callable[..., MainWindow], window: MainWindow, probe: Workspace, schema: Schema
) -> MainWindow:
    """The database's schema changed under its annotations as versions before the schema
    history let it (no migration), then the window opened again: annotations outside it."""
    probe.schemas.set_active(schema)
    name = window.annotator.name
    window.close()
    return open_main(name)


@pytest.fixture
def answer_modal() -> Iterator[Callable[[QMessageBox.StandardButton], ModalAnswerer]]:
    """Start answering message boxes with a button; every answerer stops after the test."""
    started: list[ModalAnswerer] = []

    def _start(button: QMessageBox.StandardButton) -> ModalAnswerer:
        answerer = ModalAnswerer(button)
        started.append(answerer)
        return answerer

    yield _start
    for answerer in started:
        answerer.stop()


def find(text: str, fragment: str, nth: int = 0, after: int = 0) -> tuple[int, int]:
    """Code-point offsets of the ``nth`` occurrence of ``fragment`` at or after ``after``:
    found, never counted by hand."""
    start = after - 1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


@dataclass
class User:
    """Real key presses and mouse gestures on the article view; `actions` counts them."""

    qtbot: QtBot
    window: MainWindow
    actions: int = 0
    log: list[str] = field(default_factory=list)

    @property
    def view(self):  # type: ignore[no-untyped-def]
        return self.window.text_view

    @property
    def text(self) -> str:
        assert self.window.session is not None
        return self.window.session.document.text

    def start_counting(self) -> None:
        self.actions = 0
        self.log.clear()

    def _count(self, what: str) -> None:
        self.actions += 1
        self.log.append(what)

    # -- keys --

    def key(self, key: Key, modifiers: Mod = Mod.NoModifier) -> None:
        self._count(QKeySequence(QKeyCombination(modifiers, key)).toString())
        if QApplication.activeWindow() is not self.window:
            # A window manager gives the window back its focus when a message box closes;
            # the offscreen platform does not, and shortcuts only reach the active window.
            self.window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)
        # Keys go where the focus is: the article must have it, as the user expects.
        assert QApplication.focusWidget() is self.view, QApplication.focusWidget()
        self.qtbot.keyClick(self.view, key, modifiers)

    # -- mouse --

    def point(self, offset: int) -> QPoint:
        """The viewport point of the boundary before code point ``offset``."""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.window.editor.offsets.to_qt(offset))
        return self.view.cursorRect(cursor).center()

    def _scroll_into_view(self, start: int, end: int) -> None:
        for offset in (end, start):
            if not self.view.viewport().rect().contains(self.point(offset)):
                cursor = QTextCursor(self.view.document())
                cursor.setPosition(self.window.editor.offsets.to_qt(offset))
                self.view.setTextCursor(cursor)
                self.view.centerCursor()
        rect = self.view.viewport().rect()
        assert rect.contains(self.point(start)) and rect.contains(self.point(end)), (
            "the fragment does not fit on screen"
        )

    def drag(self, start: int, end: int) -> None:
        """Select from code point ``start`` to ``end`` with a mouse drag."""
        self._scroll_into_view(start, end)
        viewport = self.view.viewport()
        a, b = self.point(start), self.point(end)
        self._count(f"drag {start}-{end}")
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
        self.qtbot.mouseMove(viewport, QPoint((a.x() + b.x()) // 2, b.y()))
        self.qtbot.mouseMove(viewport, b)
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)

    def select_words(self, fragment: str, nth: int = 0, inset: int = 0) -> tuple[int, int]:
        """Drag over ``fragment`` (``inset`` characters inside each end); returns its offsets."""
        start, end = find(self.text, fragment, nth)
        self.drag(start + inset, end - inset)
        return start, end

    def click(self, offset: int) -> None:
        """A plain left click on the character at code point ``offset``."""
        self._scroll_into_view(offset, offset + 1)
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.window.editor.offsets.to_qt(offset))
        left = self.view.cursorRect(cursor)
        cursor.setPosition(self.window.editor.offsets.to_qt(offset + 1))
        right = self.view.cursorRect(cursor)
        middle = QPoint((left.center().x() + right.center().x()) // 2, left.center().y())
        self._count(f"click {offset}")
        self.qtbot.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, pos=middle)

    def click_span(self, span: SpanRecord) -> None:
        self.click((span.start + span.end) // 2)

    def click_document(self, key: str) -> None:
        """Open a document by clicking its row in the document list (unless it is open)."""
        if self.window.session is not None and self.window.session.document.key == key:
            return
        model, table = self.window.doc_model, self.window.doc_view
        for row in range(model.rowCount()):
            doc_id = model.document_id(row)
            assert doc_id is not None
            if self.window.workspace.documents.get(doc_id).key == key:
                index = model.index(row, 0)
                table.scrollTo(index)
                self._count(f"open {key}")
                self.qtbot.mouseClick(
                    table.viewport(),
                    Qt.MouseButton.LeftButton,
                    pos=table.visualRect(index).center(),
                )
                self.qtbot.waitUntil(
                    lambda: (
                        self.window.session is not None and self.window.session.document.key == key
                    )
                )
                return
        raise AssertionError(f"document {key} is not in the list")


# -- what is on screen, and what is on disk --


def screen_spans(window: MainWindow) -> dict[int, tuple[int, int, str, dict[str, Any]]]:
    """The spans the annotation list shows, by id, as (start, end, label, attributes)."""
    model, session = window.ann_model, window.session
    assert session is not None
    shown: dict[int, tuple[int, int, str, dict[str, Any]]] = {}
    for row in range(model.rowCount()):
        span_id = model.data(model.index(row, 0), SpanIdRole)
        span = session.spans[span_id]
        assert model.data(model.index(row, 0)) == span.label
        shown[span_id] = (span.start, span.end, span.label, span.attributes)
    return shown


def disk_spans(
    probe: Workspace, annotator: str, document_id: int
) -> dict[int, tuple[int, int, str, dict[str, Any]]]:
    service = probe.annotations(annotator)
    return {s.id: (s.start, s.end, s.label, s.attributes) for s in service.spans(document_id)}


def disk_relations(probe: Workspace, annotator: str, document_id: int) -> set[tuple[str, int, int]]:
    service = probe.annotations(annotator)
    return {(r.label, r.source_id, r.target_id) for r in service.relations(document_id)}


def screen_relations(window: MainWindow) -> set[tuple[str, int, int]]:
    assert window.session is not None
    return {(r.label, r.source_id, r.target_id) for r in window.session.relations.values()}


def assert_screen_is_disk(window: MainWindow, probe: Workspace) -> None:
    """The annotation list, the highlights and the links equal what a fresh reader finds."""
    session = window.session
    assert session is not None
    name, doc_id = window.annotator.name, session.document.id
    on_disk = disk_spans(probe, name, doc_id)
    assert screen_spans(window) == on_disk
    assert screen_relations(window) == disk_relations(probe, name, doc_id)
    highlighter, offsets = window.editor.highlighter, window.editor.offsets
    assert highlighter is not None
    for span_id, (start, end, _label, _attrs) in on_disk.items():
        for position in (offsets.to_qt(start), offsets.to_qt(end) - 1):
            assert span_id in {h.id for h in highlighter.spans_at(position)}
    assert probe.documents.status(doc_id, window.annotator.id) == session.status


class ModalAnswerer:
    """While running, answers each modal message box by clicking a button, as the user would,
    and records its text. Polls from a timer, since a modal box runs its own event loop."""

    def __init__(self, button: QMessageBox.StandardButton) -> None:
        self.button = button
        self.seen: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.seen.append(box.text())
            answer: QAbstractButton | None = box.button(self.button)
            assert answer is not None, f"the box has no {self.button} button"
            answer.click()

    def stop(self) -> None:
        self._timer.stop()
