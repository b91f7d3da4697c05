"""The label panel shows the selected span's own values, span after span, whether its widgets
are built anew or kept from the span before (same label, no links): never the last one's."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

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
