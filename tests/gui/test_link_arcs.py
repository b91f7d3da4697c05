"""Links drawn as arcs over the article, labels as tags (issue 13, "see the frame on the text").

Each test checks the screen as painted (the arc's colour between its two spans) and the
geometry the window computed for it (where the arc starts and ends).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations, permutations

import pytest
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.gui.arc_layout import Taken, legs, order_key, overlaps, place_arcs, spread
from annotator.gui.link_scene import BELOW, ON_SCREEN, Arc, LinkIndex, arc_path
from annotator.gui.main_window import MainWindow
from annotator.gui.span_frames import line_rects
from tests.gui.conftest import Key, Mod, User, find
from tests.gui.painted import window_image

CLOSE = 40  # how far (summed over R, G, B) a pixel may be from the arc's colour


def arc_pixels(window: MainWindow, arc: Arc, qtbot: QtBot) -> set[tuple[int, int]]:
    """Where the arc's colour is, as last painted, inside the arc's bounding box. Linked spans
    are underlined in a shade near it, so tests compare these sets with arcs on and off."""
    image = window_image(window.text_view, qtbot)
    viewport = window.text_view.viewport()
    box = arc.path.boundingRect().toAlignedRect().adjusted(-2, -2, 2, 2)
    box = box.intersected(QRect(0, 0, viewport.width(), viewport.height()))
    corner = viewport.mapTo(window, box.topLeft())
    want = arc.colour
    found = set()
    for x in range(box.width()):
        for y in range(box.height()):
            got = QColor(image.pixel(corner.x() + x, corner.y() + y))
            distance = (
                abs(got.red() - want.red())
                + abs(got.green() - want.green())
                + abs(got.blue() - want.blue())
            )
            if distance <= CLOSE:
                found.add((x, y))
    return found


def first_rect(window: MainWindow, span: SpanRecord) -> QRect:
    to_qt = window.editor.offsets.to_qt
    return line_rects(window.text_view, to_qt(span.start), to_qt(span.end))[0].toAlignedRect()


def arc_of(window: MainWindow, relation_id: int) -> Arc | None:
    window.text_view.viewport().repaint()
    return next((a for a in window.link_arcs.scene().arcs if a.relation_id == relation_id), None)


def shown_link(window: MainWindow, me: User, label: str) -> int:
    """A link of ``label`` scrolled so that both its spans are on screen; its id."""
    session = window.session
    assert session is not None
    for rel in sorted(session.relations.values(), key=lambda r: r.id):
        source, target = session.spans[rel.source_id], session.spans[rel.target_id]
        if rel.label == label and abs(source.start - target.start) < 300:
            me._scroll_into_view(min(source.start, target.start), max(source.end, target.end))
            return rel.id
    raise AssertionError(f"no {label} link near its statement in {session.document.key}")


def demo_article_with_arcs(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> tuple[MainWindow, User]:
    """The window at 1024x700 on demo-01 (statements with their speakers and weapons), the
    arcs turned on with their key."""
    window = open_main()
    window.resize(1024, 700)
    me = user(window)
    me.click_document("demo-01")
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    return window, me


def test_the_toggle_key_hides_and_shows_the_arcs(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    window.resize(1024, 700)
    me = user(window)
    me.click_document("demo-01")  # statements with their speakers and weapons
    assert not window.arcs_action.isChecked()  # off until asked for
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    assert window.arcs_action.isChecked() and window.link_arcs.enabled
    session = window.session
    rel_id = shown_link(window, me, "said_by")
    rel = session.relations[rel_id]
    statement, speaker = session.spans[rel.source_id], session.spans[rel.target_id]

    arc = arc_of(window, rel_id)
    assert arc is not None and arc.off == ON_SCREEN
    # From the statement's first line to the speaker's, at their tops, the head at the speaker.
    for point, span in ((arc.start, statement), (arc.end, speaker)):
        rect = first_rect(window, span)
        assert rect.left() <= point.x() <= rect.right() and abs(point.y() - rect.top()) < 1
    assert arc.colour == QColor("#" + _label_colour(window, "SPEAKER")).darker(170)
    shown = arc_pixels(window, arc, qtbot)
    tags = {(t.span_id, t.label) for t in window.link_arcs.scene().tags}
    assert {(statement.id, "STATEMENT"), (speaker.id, "SPEAKER")} <= tags

    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    assert not window.arcs_action.isChecked()
    hidden = arc_pixels(window, arc, qtbot)
    assert len(shown - hidden) > 15, "the arc's colour did not go"
    assert len(hidden - shown) < 3

    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    assert window.arcs_action.isChecked()
    assert arc_pixels(window, arc, qtbot) == shown


def _label_colour(window: MainWindow, label: str) -> str:
    colour = next(lab.color for lab in window.schema.labels if lab.name == label)
    return colour.lstrip("#")


def test_a_link_made_with_keys_gets_its_arc_and_undo_takes_it_away(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-03")
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)  # arcs on
    text = me.text
    me.select_words("Henrik Aas-Sørensen", inset=2)
    me.key(Key.Key_K)  # the speaker
    speaker = window.editor.selected
    quote = "This contract makes Sarnova the first customer outside Halvard for Stormbreaker"
    start, end = find(text, quote)
    me.drag(start + 1, end - 1)
    me.key(Key.Key_S)  # the statement, selected
    statement = window.editor.selected
    assert window.session.relations == {}
    assert window.link_arcs.scene().arcs == []

    me.key(Key.Key_K, Mod.ShiftModifier)  # said_by ...
    me.key(Key.Key_Tab)  # ... the only speaker
    me.key(Key.Key_Return)
    (rel,) = window.session.relations.values()
    assert (rel.label, rel.source_id, rel.target_id) == ("said_by", statement, speaker)
    me._scroll_into_view(min(start, text.index("Henrik")), end)
    arc = arc_of(window, rel.id)
    assert arc is not None and arc.off == ON_SCREEN
    linked = arc_pixels(window, arc, qtbot)

    me.key(Key.Key_Z, Mod.ControlModifier)
    assert window.session.relations == {}
    assert arc_of(window, rel.id) is None
    assert len(linked - arc_pixels(window, arc, qtbot)) > 15, "the arc stayed on screen"


def test_hovering_a_span_names_its_links_both_ways(
    qtbot: QtBot,
    open_main: Callable[..., MainWindow],
    user: Callable[[MainWindow], User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What the view hands to the tooltip (the offscreen platform cannot raise its window).
    shown_tips: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _at, text, *_: shown_tips.append(text))
    window = open_main()
    me = user(window)
    me.click_document("demo-01")
    session = window.session
    rel = session.relations[shown_link(window, me, "said_by")]
    statement, speaker = session.spans[rel.source_id], session.spans[rel.target_id]
    speaker_text = " ".join(me.text[speaker.start : speaker.end].split())

    def hover(span: SpanRecord) -> str:
        viewport = window.text_view.viewport()
        at = me.point((span.start + span.end) // 2)
        event = QHelpEvent(QEvent.Type.ToolTip, at, viewport.mapToGlobal(at))
        QApplication.sendEvent(viewport, event)
        return shown_tips[-1]

    shown = hover(statement)
    assert f"STATEMENT → said_by → SPEAKER “{speaker_text}”" in shown
    for other in session.links_from(statement.id):
        assert f"{other.label} → {session.spans[other.target_id].label}" in shown
    assert "white-space:pre-wrap" in shown  # plain text, escaped (tooltips.py)
    assert "SPEAKER ← said_by ← STATEMENT “" in hover(speaker)


def test_a_link_to_a_span_off_screen_runs_to_the_edge(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window, me = demo_article_with_arcs(open_main, user)
    session = window.session
    spans = sorted(session.spans.values(), key=lambda s: s.start)
    statement = next(s for s in spans if s.label == "STATEMENT")
    weapon = [s for s in spans if s.label == "WEAPON"][-1]  # the article's last weapon
    rel = session.link(statement.id, weapon.id, "about")
    view = window.text_view
    view.verticalScrollBar().setValue(0)
    me._scroll_into_view(statement.start, statement.end)
    assert not view.viewport().rect().contains(me.point(weapon.start)), "all on one screen"

    arc = arc_of(window, rel.id)
    assert arc is not None and arc.off == BELOW and arc.other == "WEAPON"
    assert arc.edge is not None and arc.edge.y() == view.viewport().height()
    rect = first_rect(window, statement)
    assert rect.left() <= arc.start.x() <= rect.right()
    # Only the screen is computed: a tag for each span on it, none for the weapon below.
    scene = window.link_arcs.scene()
    tagged = {t.span_id for t in scene.tags}
    assert statement.id in tagged and weapon.id not in tagged
    height, line = view.viewport().height(), view.fontMetrics().height()
    assert all(-line < t.at.y() < height for t in scene.tags)  # a line may be cut at the top
    assert all(0 <= a.start.y() <= height or 0 <= a.end.y() <= height for a in scene.arcs)
    shown = arc_pixels(window, arc, qtbot)
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    assert len(shown - arc_pixels(window, arc, qtbot)) > 15, "no line towards the edge"


def test_shown_arcs_stay_shown_after_a_restart(
    qtbot: QtBot, open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window = open_main()
    me = user(window)
    me.click_document("demo-01")
    assert not window.arcs_action.isChecked()  # off by default
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    window.close()

    again = open_main()
    # The offscreen screen is 800x800: the restored 1400x860 geometry is clamped to it and the
    # restored docks leave the article ~180 px. Give it the first window's size back, as a
    # real screen would; this test is about the arcs coming back, not small screens.
    again.resize(window.size())
    me = user(again)
    me.click_document("demo-01")
    assert again.arcs_action.isChecked() and again.link_arcs.enabled
    rel_id = shown_link(again, me, "said_by")
    arc = arc_of(again, rel_id)
    assert arc is not None
    shown = arc_pixels(again, arc, qtbot)
    me.key(Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    assert len(shown - arc_pixels(again, arc, qtbot)) > 15, "the arcs were not drawn"


def test_the_arc_rises_above_both_ends_and_the_index_finds_links_from_either_end() -> None:
    start, end = QPointF(300.0, 120.0), QPointF(80.0, 100.0)  # the target a line higher
    path = arc_path(start, end, 12.0)
    box = path.boundingRect()
    assert box.top() < min(start.y(), end.y())  # above the higher end's line
    assert path.pointAtPercent(0.0) == start and path.pointAtPercent(1.0) == end
    said = RelationRecord(1, 1, 1, "said_by", source_id=10, target_id=11)
    about = RelationRecord(2, 1, 1, "about", source_id=10, target_id=12)
    index = LinkIndex([said, about])
    assert index.links(10) == [said, about]
    assert index.links(11) == [said] and index.links(12) == [about]
    assert index.links(99) == []


def test_a_repaint_that_moves_nothing_reuses_the_screen(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window, _ = demo_article_with_arcs(open_main, user)
    arcs = window.link_arcs
    first = arcs.scene()
    window.text_view.viewport().repaint()  # as the caret's blink does
    assert arcs.scene() is first
    bar = window.text_view.verticalScrollBar()
    assert bar.maximum() > 0, "the article fits on one screen"
    bar.setValue(bar.value() + bar.singleStep() * 3)
    moved = arcs.scene()
    assert moved is not first
    assert [t.at.y() for t in moved.tags] != [t.at.y() for t in first.tags]


def _overlap(a: QRectF, b: QRectF) -> bool:
    """Rectangles sharing more than an edge."""
    return a.intersected(b).width() > 0.01 and a.intersected(b).height() > 0.01


def test_links_sharing_a_span_leave_it_apart_and_no_name_lies_on_another(
    open_main: Callable[..., MainWindow], user: Callable[[MainWindow], User]
) -> None:
    window, me = demo_article_with_arcs(open_main, user)
    session = window.session
    rel = session.relations[shown_link(window, me, "said_by")]
    statement = session.spans[rel.source_id]
    window.text_view.viewport().repaint()
    scene = window.link_arcs.scene()
    mine = [a for a in scene.arcs if session.relations[a.relation_id].source_id == statement.id]
    on_screen = [a for a in mine if a.off == ON_SCREEN]
    assert len(mine) >= 2 and on_screen, "the statement has one link on screen"
    # Each link leaves the statement at its own point along its first line.
    rect = first_rect(window, statement)
    starts = [a.start.x() for a in mine]
    assert len(set(starts)) == len(mine)
    assert all(rect.left() <= x <= rect.right() for x in starts)
    # Arcs overlapping along one line do not share a height: one level each.
    for one, two in combinations(on_screen, 2):
        spans_one = sorted((one.start.x(), one.end.x()))
        spans_two = sorted((two.start.x(), two.end.x()))
        side_by_side = spans_one[1] < spans_two[0] or spans_two[1] < spans_one[0]
        if not side_by_side and one.start.y() == two.start.y():
            assert one.path.boundingRect().top() != two.path.boundingRect().top()
    # The wider of two nested arcs rises higher.
    nested = [
        (one, two)
        for one, two in permutations(on_screen, 2)
        if min(one.start.x(), one.end.x()) <= min(two.start.x(), two.end.x())
        and max(one.start.x(), one.end.x()) >= max(two.start.x(), two.end.x())
        and one.start.y() == two.start.y() == one.end.y() == two.end.y()
    ]
    for outer, inner in nested:
        assert outer.path.boundingRect().top() < inner.path.boundingRect().top()

    # Page by page through the article: no relation's name on another, nor on a span's tag.
    bar = window.text_view.verticalScrollBar()
    pages = 0
    for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep() // 2):
        bar.setValue(value)
        window.text_view.viewport().repaint()
        scene = window.link_arcs.scene()
        names = [a.box for a in scene.arcs if a.box is not None]
        assert len(names) == len(scene.arcs)
        for one, two in combinations(names, 2):
            assert not _overlap(one, two), (one, two)
        on_tags = [
            (name, tag.label)
            for name in names
            for tag in scene.tags
            if tag.box is not None and _overlap(name, tag.box)
        ]
        assert not on_tags, on_tags
        pages += bool(scene.arcs)
    assert pages >= 3


def test_nested_and_overlapping_arcs_get_levels_and_distinct_anchors_without_a_window() -> None:
    # A statement (100..300) with three links: a speaker to its left, a target and a weapon
    # to its right, the weapon farther. Its ends are spread along it in nesting order.
    here = 200.0
    keys = {name: order_key(here, x) for name, x in (("speaker", 40.0), ("target", 360.0))}
    keys["weapon"] = order_key(here, 600.0)
    order = sorted(keys, key=keys.__getitem__)
    assert order == ["speaker", "weapon", "target"]  # the farther right leaves left of the nearer
    xs = dict(zip(order, spread(100.0, 200.0, 3), strict=True))
    assert len(set(xs.values())) == 3 and all(100 < x < 300 for x in xs.values())

    taken = Taken()
    arcs = [
        (xs["target"], 360.0, 100.0, 50.0, 10.0),
        (xs["weapon"], 600.0, 100.0, 50.0, 10.0),
        (xs["speaker"], 40.0, 100.0, 50.0, 10.0),
        (620.0, 700.0, 100.0, 50.0, 10.0),  # beside the others: level 0 again
    ]
    target, weapon, speaker, beside = place_arcs(arcs, taken, base=8.0, step=12.0, height=600)
    assert (target.level, speaker.level, beside.level) == (0, 0, 0)
    assert weapon.level == 1 and weapon.top < target.top  # wider, over the target's arc
    boxes = [p.box for p in (target, weapon, speaker, beside)]
    for one, two in combinations(boxes, 2):
        assert not overlaps(one, two)
    # Stacked ends (one above the other) keep their legs apart.
    x1, x2 = legs(150.0, 152.0)
    assert abs(x2 - x1) >= 24.0
