"""Feedback that is current, visible and well worded (issue 13, defect 8).

A status message goes once what it describes is over; the link candidate picked by Tab is
framed in a colour no label uses and named in the status bar; counts agree with their nouns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.services.exporting.source import ExportFilter
from annotator.gui.export_dialog import ExportRequest
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, Mod, ModalAnswerer, User, find
from tests.gui.painted import window_image
from tests.gui.test_busy_database import write_lock

VERMILION = QColor("#d55e00")
QUOTE = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"


def shown(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_a_hint_goes_once_the_edit_it_asked_for_succeeds(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.key(Key.Key_Escape)
    me.key(Key.Key_K)  # no text selected
    assert "select some text first" in shown(window)
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    assert window.editor.selected_span().label == "SPEAKER"
    assert shown(window) == ""  # the hint is over: the span was made

    start, end = find(me.text, "Henrik Aas-Sørensen")
    me.drag(start + 3, end + 5)  # over the SPEAKER just made: refused
    me.key(Key.Key_K)
    refusal = shown(window)
    assert "overlap" in refusal.lower()
    me.select_words("Sarnova", nth=1)
    me.key(Key.Key_T)
    assert shown(window) == ""


def test_link_mode_says_what_it_asks_and_frames_the_candidate(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    window.resize(1280, 860)
    me = user(window)
    me.click_document("demo-03")
    session = window.session
    me.select_words("Henrik Aas-Sørensen", inset=1)
    me.key(Key.Key_K)
    me.select_words(QUOTE, inset=2)
    me.key(Key.Key_S)
    me.key(Key.Key_K, Mod.ShiftModifier)
    assert "said_by: click a SPEAKER" in shown(window)
    me.key(Key.Key_Tab)
    candidate = session.spans[window.editor.link_candidate]
    words = " ".join(me.text[candidate.start : candidate.end].split())
    assert shown(window).startswith(f"said_by → “{words}” (1 of ")

    # The candidate is framed in vermilion: many frame pixels around its first character.
    image = window_image(window.text_view, qtbot)
    at = window.text_view.viewport().mapTo(window, me.point(candidate.start))
    framed = sum(
        1
        for dx in range(-4, 3)
        for dy in range(-14, 15)
        if _near(QColor(image.pixel(at.x() + dx, at.y() + dy)), VERMILION)
    )
    assert framed >= 10, "the link candidate is not framed"

    me.key(Key.Key_Return)
    assert window.editor.link_relation is None
    assert shown(window) == ""  # link mode is over, and so is its prompt


def test_the_wait_message_goes_when_the_wait_ends(
    qtbot: QtBot,
    db_file: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    with write_lock(db_file):
        me.select_words("Henrik Aas-Sørensen", inset=1)
        me.key(Key.Key_K)
        qtbot.waitUntil(lambda: "Waiting for the database" in shown(window), timeout=3000)
    qtbot.waitUntil(lambda: not window.editor.waiting, timeout=5000)
    assert shown(window) == ""


def test_counts_agree_with_their_nouns(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    answer_modal: Callable[[QMessageBox.StandardButton], ModalAnswerer],
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    for words in ("the company said on Friday", "Henrik Aas-Sørensen"):
        me.select_words(words, inset=2)
        me.key(Key.Key_S)  # two statements without their required stance
    no = answer_modal(QMessageBox.StandardButton.No)
    me.key(Key.Key_Return, Mod.ControlModifier)
    no.stop()
    assert no.seen and no.seen[0].startswith("2 required values or links not set:")

    out = tmp_path / "statements.jsonl"
    job = window.start_export(ExportRequest("statements", out, ExportFilter()))
    with qtbot.waitSignal(job.done, timeout=20000):
        pass
    records = len(out.read_text(encoding="utf-8").splitlines())
    assert records > 1
    said = shown(window)
    assert f": {records} records, one per statement;" in said
    assert "(s)" not in said
    json.loads(out.read_text(encoding="utf-8").splitlines()[0])


def _near(colour: QColor, wanted: QColor) -> bool:
    return (
        abs(colour.red() - wanted.red()) < 40
        and abs(colour.green() - wanted.green()) < 40
        and abs(colour.blue() - wanted.blue()) < 40
    )
