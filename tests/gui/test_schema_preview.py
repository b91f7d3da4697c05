"""The window's schema switch shows what it would do, with the counts `schema diff` prints, and
asks first; a switch that would leave annotations outside the schema is refused; a span outside
the active schema, deleted and undone, comes back exactly as it was (its links, its values, the
schema it was made under)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from tests.core.schema_variants import EXPERIMENT_STEPS, experiment, schema_of
from tests.gui.conftest import (
    Key,
    Mod,
    ModalAnswerer,
    User,
    assert_screen_is_disk,
    disk_relations,
    disk_spans,
    reopen_outside,
)

Answer = Callable[[QMessageBox.StandardButton], ModalAnswerer]


def labels_shown(window: MainWindow) -> list[str]:
    return sorted(window.label_panel.label_buttons)


@pytest.fixture(autouse=True)
def _no_suggestions_on_open(settings: QSettings) -> None:
    """Counts per layer are what these tests read: no suggestions computed behind their back
    (the suggestions are a layer too, and a schema change counts them)."""
    settings.setValue("suggestions/onOpen", False)


def test_a_schema_switch_shows_the_diff_and_its_counts_and_asks_first(
    tmp_path: Path, open_main: Callable[..., MainWindow], probe: Workspace, answer_modal: Answer
) -> None:
    window = open_main()
    path = tmp_path / "statements-2.yaml"
    path.write_text(experiment(EXPERIMENT_STEPS), encoding="utf-8")
    cli_report = probe.schema_changes.preview(schema_of(experiment(EXPERIMENT_STEPS)))

    no = answer_modal(QMessageBox.StandardButton.No)
    assert not window.switch_schema(path)
    no.stop()
    (preview,) = no.seen
    for line in cli_report.lines():  # the same diff and counts as `annotator schema diff`
        assert line in preview
    assert "label WEAPON removed, archived (archive_label WEAPON): 102 spans (alice 40, " in (
        preview
    )
    assert "value STATEMENT.stance 'threatens' renamed to 'threat'" in preview
    assert probe.active_schema().version == "1.0"  # declined: nothing changed
    assert "WEAPON" in labels_shown(window)

    yes = answer_modal(QMessageBox.StandardButton.Yes)
    assert window.switch_schema(path)
    yes.stop()
    assert probe.active_schema().version == "2.0"
    assert "WEAPON" not in labels_shown(window)
    (entry,) = probe.schema_changes.history()
    assert (entry.who, entry.old, entry.new) == (
        "alice",
        "defence_statements 1.0",
        "defence_statements 2.0",
    )


def test_a_switch_that_would_leave_annotations_outside_the_schema_is_refused(
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    dialogs: list[tuple[str, str]],
) -> None:
    window = open_main()
    path = tmp_path / "statements-2.yaml"
    path.write_text(experiment(), encoding="utf-8")  # no migrations: WEAPON would be orphaned
    assert not window.switch_schema(path)
    ((title, message),) = dialogs
    assert title == "Schema not switched"
    assert "label WEAPON is not in the schema: 102 spans (alice 40, amira 32, tomas 30)" in message
    assert "- archive_label: WEAPON" in message
    assert probe.active_schema().version == "1.0"
    assert "WEAPON" in labels_shown(window)


def test_a_weapon_span_outside_the_schema_deleted_and_undone_comes_back_exactly(
    qtbot: QtBot,
    tmp_path: Path,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    probe: Workspace,
) -> None:
    """Issue 10's window step: WEAPON gone from the schema, its spans still there."""
    window = reopen_outside(open_main, open_main(), probe, schema_of(experiment()))
    me = user(window)
    me.click_document("demo-01")
    assert window.session is not None
    doc_id = window.session.document.id
    spans, links = disk_spans(probe, "alice", doc_id), disk_relations(probe, "alice", doc_id)
    weapon = next(
        i
        for i, (*_, label, _) in spans.items()
        if label == "WEAPON" and any(i == t for _, _, t in links)
    )
    me.click(spans[weapon][0] + 1)
    assert window.editor.selected == weapon
    qtbot.waitUntil(lambda: "(not in schema)" in window.label_panel._span_box.title())

    me.key(Key.Key_Delete)
    assert weapon not in disk_spans(probe, "alice", doc_id)
    assert not any(weapon in (s, t) for _, s, t in disk_relations(probe, "alice", doc_id))
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert disk_spans(probe, "alice", doc_id) == spans
    assert disk_relations(probe, "alice", doc_id) == links
    assert_screen_is_disk(window, probe)

    # Still the span made under the schema of its day: a backup says so, as before the delete.
    out = tmp_path / "backup.jsonl"
    probe.export(out, "native", ExportOptions(allow_outside_schema=True))
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    start, end = spans[weapon][:2]
    (kept,) = [
        s
        for s in record["archived"]["spans"]
        if (s["annotator"], s["start"], s["end"]) == ("alice", start, end)
    ]
    assert kept["schema"] == {"name": "defence_statements", "version": "1.0"}
    assert any(
        r["to"] == kept["id"] and r["label"] == "about" for r in record["archived"]["relations"]
    )
