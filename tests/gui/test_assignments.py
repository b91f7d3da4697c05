"""The team lead's assignments dialog and deal form, and the annotator's queue in the list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.core.services.workspace import Workspace
from annotator.gui.assignments_dialog import AssignmentsDialog
from annotator.gui.deal_dialog import DealDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.models.document_list import QueuedRole
from tests.gui.conftest import User

TEXT = "Moscow (Reuters) - Gen. Ivanov said the missile test went to plan.\n"


def team(probe: Workspace) -> list[int]:
    """Four documents; bob has finished d1, carol has started d2."""
    docs = [probe.documents.add(f"Doc {i}. " + TEXT, key=f"d{i}").id for i in range(4)]
    for name in ("alice", "bob", "carol"):
        probe.annotators.person(name)
    probe.annotations("bob").set_status(docs[1], "done")
    probe.annotations("carol").set_status(docs[2], "in_progress")
    return docs


def open_dialog(qtbot: QtBot, window: MainWindow) -> AssignmentsDialog:
    action = next(a for a in window.actions() if a.objectName() == "assignments")
    action.trigger()
    dialog = window.findChild(AssignmentsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def tick(qtbot: QtBot, dialog: AssignmentsDialog, doc: int, person: str) -> None:
    """Space on a cell, as the user toggles a tick from the keyboard."""
    model, table = dialog.model, dialog.table
    row = model.row_of(doc)
    assert row is not None
    table.setCurrentIndex(model.index(row, model.column_of(person)))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)


def cell(dialog: AssignmentsDialog, doc: int, person: str) -> tuple[bool, str]:
    """(ticked, status text) as the table shows them."""
    model = dialog.model
    index = model.index(model.row_of(doc) or 0, model.column_of(person))
    checked = model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    return checked, model.data(index) or ""


def test_the_dialog_applies_ticks_and_shows_a_refusal_for_a_worked_on_document(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
    qtmodeltester: ModelTester,
) -> None:
    docs = team(probe)
    probe.assignments.set_assigned(docs[1], ["bob"], by="lead")
    window = open_main("alice")
    dialog = open_dialog(qtbot, window)
    qtmodeltester.check(dialog.model)
    assert [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Key",
        "Title",
        "alice",
        "bob",
        "carol",
    ]
    assert cell(dialog, docs[1], "bob") == (True, "done")
    assert cell(dialog, docs[2], "carol") == (False, "in progress")

    tick(qtbot, dialog, docs[0], "alice")
    tick(qtbot, dialog, docs[0], "carol")
    assert cell(dialog, docs[0], "alice") == (True, "")
    assert probe.assignments.assigned().get(docs[0]) is None  # nothing stored before Apply
    dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
    assert probe.assignments.assigned()[docs[0]] == {"alice", "carol"}

    # Taking d1 from bob, who finished it, is refused; the rest of the change goes through.
    tick(qtbot, dialog, docs[1], "bob")
    tick(qtbot, dialog, docs[3], "bob")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialogs == [
        (
            "Assignment refused",
            "d1: bob has already worked on this document; their assignment stays",
        )
    ]
    assert dialog.isVisible()  # left open, showing what is stored
    assert cell(dialog, docs[1], "bob") == (True, "done")
    assert probe.assignments.assigned()[docs[1]] == {"bob"}
    assert probe.assignments.assigned()[docs[3]] == {"bob"}
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # nothing pending
    assert not dialog.isVisible()
    # alice's list now starts with her queue, marked.
    model = window.doc_model
    assert model.document_id(0) == docs[0]
    assert model.data(model.index(0, 0), QueuedRole)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    assert not model.data(model.index(1, 0), QueuedRole)
    assert model.row_of(docs[3]) == 3 and model.row_of(docs[0]) == 0


def test_the_deal_is_previewed_first_then_made(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    docs = team(probe)
    window = open_main("alice")
    dialog = open_dialog(qtbot, window)
    next(b for b in dialog.findChildren(type(dialog.apply_button)) if b.text() == "Deal…").click()
    deal = dialog.findChild(DealDialog)
    assert deal is not None
    qtbot.waitExposed(deal)
    deal.people["carol"].setChecked(False)
    deal.per_person.setValue(1)
    assert not deal.deal_button.isEnabled()
    deal.preview_button.click()
    text = deal.preview_label.text()
    assert "alice would get 1 document" in text and "bob would get 1 document" in text
    assert probe.assignments.assigned() == {}  # a preview writes nothing
    assert deal.deal_button.isEnabled()
    deal.seed.setValue(7)  # the form changed: preview again first
    assert not deal.deal_button.isEnabled()
    deal.preview_button.click()
    deal.deal_button.click()
    given = probe.assignments.assigned()
    assert sorted(name for names in given.values() for name in names) == ["alice", "bob"]
    assert "bob" not in given.get(docs[1], set())  # bob holds d1 already (he worked on it)
    deal.reject()
    qtbot.waitUntil(lambda: any(cell(dialog, d, "alice")[0] for d in given))


def test_a_bad_deal_says_why(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    team(probe)
    window = open_main("alice")
    dialog = open_dialog(qtbot, window)
    deal = DealDialog(probe, "lead", dialog.model.people, dialog)
    for check in deal.people.values():
        check.setChecked(False)
    deal.preview_button.click()
    assert deal.preview_label.text().startswith("Cannot deal: name at least one annotator")
    assert not deal.deal_button.isEnabled()


def test_the_queue_comes_first_and_is_marked_in_the_document_list(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User], probe: Workspace
) -> None:
    docs = team(probe)
    probe.assignments.set_assigned(docs[2], ["alice"], by="lead")
    window = open_main("alice")
    model = window.doc_model
    assert [model.document_id(r) for r in range(4)] == [docs[2], docs[0], docs[1], docs[3]]
    assert [bool(model.data(model.index(r, 0), QueuedRole)) for r in range(4)] == [
        True,
        False,
        False,
        False,
    ]
    me = user(window)
    me.click_document("d3")  # a row after the queue: found and selected as any other
    current = window.doc_view.currentIndex()
    assert model.document_id(current.row()) == docs[3]
