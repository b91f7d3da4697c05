"""Suggestions in the window: computed on open, drawn dashed, stepped with F4, and decided with
one key each (Enter: the whole frame; Shift+Enter: the span; Del: reject), each one undo step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from annotator.core.domain.suggesting.stored import Frame
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow
from annotator.gui.span_frames import SUGGESTED, SUGGESTED_CURRENT
from annotator.gui.suggestion_overlay import prepare
from tests.gui.conftest import Key, Mod, User, disk_relations, disk_spans


@pytest.fixture(autouse=True)
def _suggest_on_open(settings: QSettings) -> None:
    """What these tests are about: suggestions computed as a document opens (the other window
    tests turn that off, ``tests/gui/conftest.py``)."""
    settings.setValue("suggestions/onOpen", True)


def opened_with_suggestions(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace | None = None
) -> MainWindow:
    """The window on a demo document; with ``probe``, one alice has not annotated yet."""
    window = open_main()
    if probe is not None:
        untouched = [
            doc for doc in probe.documents.ids(None) if not probe.annotations("alice").spans(doc)
        ]
        assert untouched, "the demo gives alice some documents to do"
        window.open_document(untouched[0])
    qtbot.waitUntil(lambda: bool(window.suggestions.frames), timeout=10000)
    return window


def step_to_statement(me: User) -> Frame:
    """F4 until the current suggestion is a statement with a suggested speaker."""
    overlay = me.window.suggestions
    for _ in range(len(overlay.frames) + 1):
        me.key(Key.Key_F4)
        frame = overlay.current_frame()
        assert frame is not None
        if frame.parts and any(
            p.relation and p.relation.label == "said_by" for p, _ in frame.parts
        ):
            return frame
    raise AssertionError("no suggested statement with a speaker on the first demo document")


def test_opening_a_document_suggests_and_draws_dashed_frames(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    assert window.session is not None
    stored = probe.suggestions().suggestions(window.session.document.id)
    assert stored, "suggestions were stored for the opened document"
    kinds = [frame.kind for frame in window.text_view.frames()]  # what the view paints
    assert set(kinds) == {SUGGESTED, SUGGESTED_CURRENT}
    # The first statement frame is current at once: Enter would accept it.
    current = window.suggestions.current_frame()
    assert current is not None and current.head.span is not None
    assert current.head.span.label == "STATEMENT" and current.parts
    first = min(f.head.span.start for f in window.suggestions.frames if f.parts and f.head.span)
    assert current.head.span.start == first
    # Suggestions are nobody's work: the editor's spans (alice's layer) do not include them.
    suggested_ids = {s.span.id for s in stored if s.span is not None}
    assert suggested_ids and not suggested_ids & set(window.session.spans)
    assert not suggested_ids & set(disk_spans(probe, "alice", window.session.document.id))


def test_enter_accepts_the_frame_a_digit_sets_its_stance_and_undo_takes_each_back(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace, user
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    me: User = user(window)
    assert window.session is not None
    doc = window.session.document.id
    before_spans = disk_spans(probe, "alice", doc)
    before_links = disk_relations(probe, "alice", doc)

    frame = step_to_statement(me)
    assert SUGGESTED_CURRENT in {f.kind for f in window.text_view.frames()}
    head = frame.head.span
    assert head is not None
    me.start_counting()
    me.key(Key.Key_Return)  # accept the whole frame
    qtbot.waitUntil(lambda: window.editor.selected is not None)
    me.key(Key.Key_1)  # stance: supports (the default schema's key 1)

    spans = disk_spans(probe, "alice", doc)
    statement = next(
        sid
        for sid, (a, b, label, _) in spans.items()
        if (a, b, label) == (head.start, head.end, head.label)
    )
    assert spans[statement][3].get("stance") == "supports"
    links = disk_relations(probe, "alice", doc)
    said_by = [rel for rel in links - before_links if rel[0] == "said_by"]
    assert said_by and said_by[0][1] == statement
    speaker_span = spans[said_by[0][2]]
    assert speaker_span[2] == "SPEAKER"
    assert me.actions == 2  # Enter, then the stance key
    # Decided: the accepted frame is no longer an open suggestion, and the next statement
    # frame is current, so that the next Enter accepts it.
    overlay = window.suggestions
    assert all(f.head.id != frame.head.id for f in overlay.frames)
    later = [
        f for f in overlay.frames if f.parts and f.head.span and f.head.span.start > head.start
    ]
    if later:
        assert overlay.current_frame() is later[0]

    me.key(Key.Key_Z, Mod.ControlModifier)  # the stance
    assert "stance" not in disk_spans(probe, "alice", doc)[statement][3]
    me.key(Key.Key_Z, Mod.ControlModifier)  # the whole accept, in one step
    qtbot.waitUntil(lambda: disk_spans(probe, "alice", doc) == before_spans)
    assert disk_relations(probe, "alice", doc) == before_links
    current = window.suggestions.current_frame()
    assert current is not None and current.head.id == frame.head.id  # open again, and current


def test_del_rejects_a_suggestion_and_undo_opens_it_again(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace, user
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    me: User = user(window)
    assert window.session is not None
    doc = window.session.document.id
    before = disk_spans(probe, "alice", doc)
    me.key(Key.Key_F4)
    frame = window.suggestions.current_frame()
    assert frame is not None
    me.key(Key.Key_Delete)
    assert all(f.head.id != frame.head.id for f in window.suggestions.frames)
    decisions = {(d.suggestion_id, d.decision) for d in probe.suggestions().decisions()}
    assert (frame.head.id, "rejected") in decisions
    assert disk_spans(probe, "alice", doc) == before  # rejecting writes nobody's layer
    me.key(Key.Key_Z, Mod.ControlModifier)
    assert any(f.head.id == frame.head.id for f in window.suggestions.frames)


def test_shift_enter_accepts_only_the_span_and_f6_hides_suggestions(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace, user
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    me: User = user(window)
    assert window.session is not None
    doc = window.session.document.id
    before_links = disk_relations(probe, "alice", doc)
    step_to_statement(me)
    me.key(Key.Key_Return, Mod.ShiftModifier)
    qtbot.waitUntil(lambda: window.editor.selected is not None)
    assert disk_relations(probe, "alice", doc) == before_links  # the span, not its links

    me.key(Key.Key_F6)
    assert not {SUGGESTED, SUGGESTED_CURRENT} & {f.kind for f in window.text_view.frames()}
    me.key(Key.Key_F6)
    assert SUGGESTED in {f.kind for f in window.text_view.frames()}


def test_the_window_trains_the_model_and_says_when_on_how_many_documents_and_how_good(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    window = open_main()
    assert "No model yet" in window.model_summary()
    window.model_train_steps = 2  # tiny: the test checks the path, not the model's quality
    job = window.train_model()
    with qtbot.waitSignal(job.done, timeout=120000) as finished:
        pass
    card = finished.args[0]
    assert card.documents >= 2 and card.held_out_documents
    summary = window.model_summary()
    assert f"on {card.documents} documents" in summary and "held back" in summary
    assert "held back" in window.statusBar().currentMessage()


def test_resizing_an_accepted_span_marks_its_suggestion_edited(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace, user
) -> None:
    window = opened_with_suggestions(qtbot, open_main, probe)
    me: User = user(window)
    frame = step_to_statement(me)
    me.key(Key.Key_Return)
    qtbot.waitUntil(lambda: window.editor.selected is not None)
    me.key(Key.Key_1)  # a value: the suggestion stays accepted as it was
    decided = {d.suggestion_id: d.decision for d in probe.suggestions().decisions()}
    assert decided[frame.head.id] == "accepted"
    me.key(Key.Key_Left, Mod.AltModifier)  # the statement's end one word back
    decided = {d.suggestion_id: d.decision for d in probe.suggestions().decisions()}
    assert decided[frame.head.id] == "edited"
    assert all(  # its links and speaker were taken as suggested
        decided[link.id] == "accepted" for link, _ in frame.parts if link.id in decided
    )


def test_a_frame_the_layer_already_holds_is_not_offered(
    qtbot: QtBot, open_main: Callable[..., MainWindow], probe: Workspace
) -> None:
    """The demo's first document comes annotated: suggested frames alice already holds whole
    (the statement, its linked spans and the links) are neither stepped to nor framed."""
    window = open_main()
    assert window.session is not None
    doc = window.session.document.id
    qtbot.waitUntil(lambda: bool(probe.suggestions().open_frames(doc, "alice")), timeout=10000)
    window.suggestions.refresh(0)
    alice = probe.annotations("alice")
    spans = {(s.start, s.end, s.label): s.id for s in alice.spans(doc)}
    links = {(r.label, r.source_id, r.target_id) for r in alice.relations(doc)}

    def held(frame: Frame) -> bool:
        head = frame.head.span
        assert head is not None
        source = spans.get((head.start, head.end, head.label))
        return source is not None and all(
            span.span is not None
            and link.relation is not None
            and (
                link.relation.label,
                source,
                spans.get((span.span.start, span.span.end, span.span.label)),
            )
            in links
            for link, span in frame.parts
        )

    every = probe.suggestions().open_frames(doc, "alice")
    assert any(held(f) for f in every), "the demo's annotations hold some suggested frames"
    offered = window.suggestions.frames
    assert offered and not any(held(f) for f in offered)
    assert {f.head.id for f in every if not held(f)} == {f.head.id for f in offered}


def test_after_each_key_decision_and_undo_the_window_offers_what_a_full_read_gives(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    probe: Workspace,
    user,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window makes the next frames from those it shows instead of reading the article's
    suggestions again at every key: Enter, Shift+Enter, Del and their undo leave it offering
    exactly the open frames a fresh read finds, less those the layer already holds."""
    window = opened_with_suggestions(qtbot, open_main, probe)
    me: User = user(window)
    assert window.session is not None
    doc = window.session.document.id
    overlay = window.suggestions

    def offered_as_read() -> list[Frame]:
        session = window.session
        assert session is not None
        read = probe.suggestions().open_frames(doc, "alice")
        spans, relations = list(session.spans.values()), list(session.relations.values())
        return prepare(read, spans, relations, window.editor.offsets, None).frames

    # What the window reads of the document's suggestions from here on (it should not need to).
    assert overlay.service is not None
    reads: list[object] = []
    read_all = overlay.service.open_frames
    monkeypatch.setattr(
        overlay.service, "open_frames", lambda *a, **k: reads.append(a) or read_all(*a, **k)
    )
    plain, shift = Mod.NoModifier, Mod.ShiftModifier
    keys = [  # on a statement with a speaker (True), or on the next frame
        (Key.Key_Return, plain, True),  # the whole frame
        (Key.Key_Delete, plain, False),
        (Key.Key_Return, shift, True),  # the statement alone: its links stay open
        (Key.Key_Return, plain, False),
        (Key.Key_Delete, plain, True),
        (Key.Key_Delete, plain, False),
    ]
    for key, modifier, on_statement in keys:
        if on_statement:
            step_to_statement(me)
        else:
            me.key(Key.Key_F4)
        me.key(key, modifier)
        assert [f.head.id for f in overlay.frames] == [f.head.id for f in offered_as_read()]
        assert overlay.frames == offered_as_read()
    for _ in keys:
        me.key(Key.Key_Z, Mod.ControlModifier)
        assert overlay.frames == offered_as_read()
    assert reads == []  # six decisions and their undo, not one read of every suggestion
