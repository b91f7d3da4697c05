"""The window's database handling and tooltips: no password kept, no document text run as HTML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QToolTip
from pytestqt.qtbot import QtBot

from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.workspace import Workspace, last_opened_file
from annotator.gui.app import open_window
from annotator.gui.main_window import MainWindow
from tests.conftest import fresh_pg_database

HOSTILE = '<b>x</b><img src="file:///etc/passwd">'
SECRET = "s3cret-Pa55"


def shown_as(tooltip: str) -> str:
    """What a QToolTip puts on screen for ``tooltip``: rich text when Qt thinks it is HTML."""
    if not QtGui.Qt.mightBeRichText(tooltip):
        return tooltip
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


def hover(qtbot: QtBot, view: QAbstractItemView, row: int, column: int) -> str:
    """Rest the pointer on a cell, as Qt's tooltip timer would report it; the tooltip's text."""
    QToolTip.hideText()
    rect = view.visualRect(view.model().index(row, column))
    pos = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


# A tooltip is a top-level window, which the offscreen platform cannot raise.
@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")
def test_span_and_document_tooltips_show_html_literally(
    open_main: Callable[..., MainWindow], probe: Workspace, qtbot: QtBot
) -> None:
    text = f"Minister said {HOSTILE} today\nBody."
    doc = probe.documents.add(text, key="k1", title=HOSTILE)
    start = text.index(HOSTILE)
    probe.annotations("alice").create_span(doc.id, start, start + len(HOSTILE), "SPEAKER")
    window = open_main()
    qtbot.waitUntil(lambda: window.ann_model.rowCount() == 1)

    span_tip = hover(qtbot, window.ann_view, 0, 1)
    assert shown_as(span_tip) == HOSTILE
    doc_tip = hover(qtbot, window.doc_view, 0, 0)
    assert shown_as(doc_tip).splitlines()[0] == HOSTILE
    QToolTip.hideText()


def test_no_password_is_kept_in_settings_or_shown_in_the_menu(
    open_main: Callable[..., MainWindow], settings: QSettings, tmp_path: Path
) -> None:
    # What an older version stored after opening a team server with the password in its URL.
    stored = f"postgresql+psycopg://lead:{SECRET}@db.example.org:5432/team"
    settings.setValue("recentDatabases", [stored, str(tmp_path / "mine.sqlite3")])
    settings.sync()
    window = open_main()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert "postgresql+psycopg://lead@db.example.org:5432/team" in texts
    assert all(SECRET not in t for t in texts)
    settings.sync()
    assert SECRET not in Path(settings.fileName()).read_text(encoding="utf-8")


@pytest.mark.postgres
def test_opening_a_server_with_a_password_keeps_it_in_memory_only(
    open_main: Callable[..., MainWindow], settings: QSettings, pg_server_url: str, qtbot: QtBot
) -> None:
    url = fresh_pg_database(pg_server_url)
    # The test server trusts local connections: the password is accepted and ignored.
    head, _, tail = url.partition("@")
    with_secret = f"{head}:{SECRET}@{tail}" if ":" not in head.split("//", 1)[1] else url
    assert SECRET in with_secret
    window = open_main()
    assert window.switch_database(with_secret)
    new = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    )
    qtbot.addWidget(new)
    try:
        texts = [a.text() for a in new.recent_menu.actions()]
        assert texts[0] == with_secret.replace(f":{SECRET}", "")
        assert all(SECRET not in t for t in texts)
        settings.sync()
        assert SECRET not in Path(settings.fileName()).read_text(encoding="utf-8")
        assert last_opened_file().read_text(encoding="utf-8").strip() == texts[0]
        assert SECRET not in last_opened_file().read_text(encoding="utf-8")
    finally:
        new.close()
        new.workspace.close()


def test_the_window_refuses_an_empty_database_url(settings: QSettings) -> None:
    with pytest.raises(AnnotatorError, match="empty"):
        open_window("", "alice", settings, ask=False)
