"""Each annotator sees and edits only their own annotations, on the same database."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.gui.conftest import Key, User, assert_screen_is_disk, disk_spans


def test_bob_does_not_see_alices_spans(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    alice_window = open_main("alice")  # the first start loads the demo as alice's work
    alice = user(alice_window)
    alice.click_document("demo-03")
    alice.select_words("Henrik Aas-Sørensen", inset=1)
    alice.key(Key.Key_K)
    alice_window.close()
    demo01 = probe.documents.by_key("demo-01")
    demo03 = probe.documents.by_key("demo-03")
    assert len(disk_spans(probe, "alice", demo01.id)) == 38
    alices = disk_spans(probe, "alice", demo03.id)
    assert len(alices) == 1

    bob_window = open_main("bob")
    assert "bob" in bob_window.windowTitle()
    assert "bob" in bob_window.annotator_status.text()
    bob = user(bob_window)
    bob.click_document("demo-01")
    assert bob_window.ann_model.rowCount() == 0
    assert (
        bob_window.editor.highlighter.spans_at(
            bob_window.editor.offsets.to_qt(bob.text.index("Gen."))
        )
        == []
    )
    bob.key(Key.Key_Tab)  # nothing to step through
    assert bob_window.editor.selected is None
    model = bob_window.doc_model
    assert [model.data(model.index(row, 2)) for row in range(model.rowCount())] == [0] * 10
    assert [model.data(model.index(row, 1)) for row in range(model.rowCount())] == ["new"] * 10

    bob.click_document("demo-03")
    assert bob_window.ann_model.rowCount() == 0
    bob.select_words("Henrik Aas-Sørensen", inset=1)
    bob.key(Key.Key_K)  # the same span as alice's: his own, no clash with hers
    bob.select_words("chief executive")
    bob.key(Key.Key_K)
    assert len(disk_spans(probe, "bob", demo03.id)) == 2
    assert disk_spans(probe, "alice", demo03.id) == alices
    assert_screen_is_disk(bob_window, probe)
