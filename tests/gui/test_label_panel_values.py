"""The label panel shows the selected span's own values, span after span, whether its widgets
are built anew or kept from the span before (same label, no links): never the last one's."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from annotator.core.domain.schema import parse_schema
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import User


def checked(window: MainWindow, attribute: str) -> list[str]:
    buttons = window.label_panel.value_buttons
    return [value for (attr, value), b in buttons.items() if attr == attribute and b.isChecked()]


def test_each_statement_shows_its_own_stance_and_form(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    settings: QSettings,
    user: Callable[[MainWindow], User],
) -> None:
    settings.setValue("suggestions/onOpen", False)
    text = "The minister said the treaty stands. The general said the navy is ready to sail."
    doc = probe.documents.add(text, key="two-statements").id
    alice = probe.annotations("alice")
    first = alice.create_span(doc, 0, 36, "STATEMENT", {"stance": "supports", "form": "direct"})
    second = alice.create_span(doc, 37, len(text), "STATEMENT", {"stance": "threatens"})
    window = open_main()
    window.open_document(doc)
    me = user(window)
    me.click_span(first)
    qtbot.waitUntil(lambda: checked(window, "stance") == ["supports"])
    assert checked(window, "form") == ["direct"]
    assert "treaty stands" in window.label_panel._span_title.text()
    me.click_span(second)
    qtbot.waitUntil(lambda: checked(window, "stance") == ["threatens"])
    assert checked(window, "form") == []  # none chosen: the first one's is not left lit
    assert "navy is ready" in window.label_panel._span_title.text()
    window.label_panel.value_buttons[("form", "indirect")].click()  # a click sets it
    qtbot.waitUntil(lambda: checked(window, "form") == ["indirect"])
    stored = {s.id: s.attributes for s in alice.spans(doc)}
    assert stored[second.id] == {"stance": "threatens", "form": "indirect"}
    assert stored[first.id] == {"stance": "supports", "form": "direct"}
    me.click_span(first)
    qtbot.waitUntil(lambda: checked(window, "form") == ["direct"])
    assert checked(window, "stance") == ["supports"]


NOTES = """
name: notes
version: "1"
labels:
  - name: STATEMENT
    color: "#f2b134"
    hotkey: S
    attributes:
      - name: stance
        type: choice
        values:
          - {name: supports, hotkey: "1"}
          - {name: opposes, hotkey: "2"}
      - name: note
        type: text
  - name: TARGET
    color: "#e0607e"
    hotkey: T
relations:
  - name: aimed_at
    from: STATEMENT
    to: TARGET
    hotkey: Shift+T
    attributes:
      - name: note
        type: text
"""


def test_a_links_text_box_keeps_the_links_value_when_the_span_changes(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace, settings: QSettings
) -> None:
    """The span and its selected link both have a text value "note": setting the span's stance
    keeps the panel's widgets, and each box must still show (and on Enter store) its own."""
    settings.setValue("suggestions/onOpen", False)
    schema = parse_schema(NOTES)
    probe.schemas.set_active(schema)
    text = "The minister said NATO must fall."
    doc = probe.documents.add(text, key="notes").id
    alice = probe.annotations("alice", schema)
    statement = alice.create_span(
        doc, 0, len(text), "STATEMENT", {"stance": "supports", "note": "span note"}
    )
    target = alice.create_span(doc, 18, 22, "TARGET")
    link = alice.link(statement.id, target.id, "aimed_at")
    alice.set_relation_attribute(link.id, "note", "link note")
    window = open_main()
    window.open_document(doc)
    panel = window.label_panel
    window.editor.select(statement.id)
    window.editor.select_link(link.id)
    panel.refresh()
    link_box = panel.findChild(QLineEdit, "linkvalue_note")
    span_box = panel.findChild(QLineEdit, "value_note")
    assert (link_box.text(), span_box.text()) == ("link note", "span note")
    panel.value_buttons[("stance", "opposes")].click()
    qtbot.waitUntil(lambda: checked(window, "stance") == ["opposes"])
    assert panel.findChild(QLineEdit, "linkvalue_note").text() == "link note"
    link_box = panel.findChild(QLineEdit, "linkvalue_note")
    link_box.setFocus()
    qtbot.keyClick(link_box, Qt.Key.Key_Return)  # the user confirms what the box shows
    stored = {r.id: r.attributes for r in alice.relations(doc)}
    assert stored[link.id] == {"note": "link note"}
    span_box = panel.findChild(QLineEdit, "value_note")
    span_box.setFocus()
    span_box.selectAll()
    qtbot.keyClicks(span_box, "changed")
    qtbot.keyClick(span_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.spans[statement.id].attributes["note"] == "changed")
    window.editor.stack.undo()
    qtbot.waitUntil(
        lambda: panel.findChild(QLineEdit, "value_note").text() == "span note", timeout=2000
    )
    assert panel.findChild(QLineEdit, "linkvalue_note").text() == "link note"
