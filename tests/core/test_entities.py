"""The entity registry as a team lead and annotators use it: one speaker across documents, named
in full, by surname or by pronoun; merges keep every link; undo puts links back."""

from __future__ import annotations

import pytest

from annotator.core.domain.entities import normalise_alias, rank_candidates
from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.services.workspace import Workspace

ONE = (
    "Iran unveils new missile\n"
    "Defence Minister Aziz Nasirzadeh said the missile would reach Israel. "
    "He said Nasirzadeh’s ministry would build more.\n"
)
TWO = "Tehran warns Israel\nNasirzadeh told reporters that Israel would pay a price.\n"


def at(text: str, fragment: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


def speaker(ws: Workspace, who: str, doc_id: int, text: str, fragment: str, nth: int = 0) -> int:
    start, end = at(text, fragment, nth)
    return ws.annotations(who).create_span(doc_id, start, end, "SPEAKER").id


def test_alias_normalisation_drops_titles_possessives_and_quotes() -> None:
    assert normalise_alias("Defence Minister Aziz Nasirzadeh") == "aziz nasirzadeh"
    assert normalise_alias("Nasirzadeh’s") == "nasirzadeh"
    assert normalise_alias("“Hatami”") == "hatami"
    assert normalise_alias("Brig. Gen. Amir Hatami") == "amir hatami"
    assert normalise_alias("the minister") == "the minister"  # a bare title stays


def test_type_ahead_ranks_prefix_before_substring_and_used_before_unused(
    workspace: Workspace,
) -> None:
    reg = workspace.entities()
    hatami = reg.create("Amir Hatami", "SPEAKER", aliases=["Hatami"])
    reg.create("Hatamian", "SPEAKER")
    reg.create("Mohammad Bagheri", "SPEAKER", aliases=["Bagheri"])
    found = reg.suggest_for("hat", "SPEAKER")
    assert [c.entity.name for c in found] == ["Amir Hatami", "Hatamian"]
    assert found[0].matched == "Hatami" and found[0].label == "Amir Hatami (Hatami)"
    assert [c.entity.name for c in reg.suggest_for("gher")] == ["Mohammad Bagheri"]
    # the most used comes first among equally good matches
    everyone = [s.entity for s in reg.all()]
    assert rank_candidates("", everyone, {hatami.id: 3})[0].entity.key == hatami.key


def test_mentions_across_documents_link_to_one_entity_and_show_counts(
    workspace: Workspace,
) -> None:
    ws = workspace
    d1 = ws.documents.add(ONE, key="one").id
    d2 = ws.documents.add(TWO, key="two").id
    reg = ws.entities()
    alice = ws.annotations("alice")
    full = speaker(ws, "alice", d1, ONE, "Defence Minister Aziz Nasirzadeh")
    change = reg.link_new(alice, full, "Aziz Nasirzadeh")
    entity = change.created
    assert entity is not None and entity.kind == "SPEAKER"
    # the mention's text is the name but for its title: no alias needed
    assert reg.get(entity.key).aliases == ()
    reg.add_alias(entity.key, "Nasirzadeh")
    he = speaker(ws, "alice", d1, ONE, "He")
    reg.link_mention(alice, he, entity.key)
    assert "He" not in reg.get(entity.key).aliases  # a pronoun links but is no alias
    surname = speaker(ws, "bob", d2, TWO, "Nasirzadeh")
    bob = ws.annotations("bob")
    pre = reg.prelink(bob, d2)
    assert [c.span_id for c in pre] == [surname]
    assert reg.entities_of([full, he, surname]) == {
        full: reg.get(entity.key),
        he: reg.get(entity.key),
        surname: reg.get(entity.key),
    }
    detail = reg.show("Nasirzadeh")
    assert [m.text for m in detail.mentions] == [
        "Defence Minister Aziz Nasirzadeh",
        "He",
        "Nasirzadeh",
    ]
    assert detail.counts() == [("one", "alice", 2), ("two", "bob", 1)]
    assert [(s.entity.name, s.mentions) for s in reg.all()] == [("Aziz Nasirzadeh", 3)]
    reg.undo_links(pre)  # the prelink is undoable
    assert reg.entities_of([surname]) == {}


def test_only_entity_labels_link_and_only_ones_own_spans(workspace: Workspace) -> None:
    ws = workspace
    doc = ws.documents.add(ONE, key="one").id
    reg = ws.entities()
    reg.create("Iran", "TARGET")
    start, end = at(ONE, "the missile would reach Israel")
    statement = ws.annotations("alice").create_span(
        doc, start, end, "STATEMENT", {"stance": "threatens"}
    )
    with pytest.raises(ValidationError, match="does not name an entity"):
        reg.link_mention(ws.annotations("alice"), statement.id, "Iran")
    mine = speaker(ws, "alice", doc, ONE, "He")
    with pytest.raises(NotFoundError):
        reg.link_mention(ws.annotations("bob"), mine, "Iran")
    with pytest.raises(NotFoundError, match="no entity 'Nobody'"):
        reg.link_mention(ws.annotations("alice"), mine, "Nobody")
    assert reg.entities_of([statement.id, mine]) == {}


def test_undo_and_redo_of_a_new_entity_link(workspace: Workspace) -> None:
    ws = workspace
    doc = ws.documents.add(ONE, key="one").id
    reg, alice = ws.entities(), ws.annotations("alice")
    span = speaker(ws, "alice", doc, ONE, "Defence Minister Aziz Nasirzadeh")
    change = reg.link_new(alice, span, "Nasirzadeh")
    reg.undo_link(change)
    assert reg.all() == [] and reg.entities_of([span]) == {}
    reg.redo_link(change)
    again = reg.get("Nasirzadeh")
    assert change.created is not None and again.key == change.created.key
    assert reg.entities_of([span])[span].key == again.key
    assert again.aliases == ("Defence Minister Aziz Nasirzadeh",)
    unlinked = reg.unlink_mention(alice, span)
    assert reg.entities_of([span]) == {}
    reg.undo_link(unlinked)
    assert reg.entities_of([span])[span].key == again.key


def test_deleting_a_mention_and_undo_bring_its_entity_link_back(workspace: Workspace) -> None:
    ws = workspace
    doc = ws.documents.add(ONE, key="one").id
    reg, alice = ws.entities(), ws.annotations("alice")
    span = speaker(ws, "alice", doc, ONE, "He")
    entity = reg.create("Aziz Nasirzadeh", "SPEAKER")
    reg.link_mention(alice, span, entity.key)
    deleted = alice.delete_span(span)
    assert reg.all()[0].mentions == 0
    alice.restore_span(deleted)
    assert reg.entities_of([span])[span].key == entity.key


def test_merge_keeps_every_link_and_split_moves_chosen_ones(workspace: Workspace) -> None:
    ws = workspace
    d1 = ws.documents.add(ONE, key="one").id
    d2 = ws.documents.add(TWO, key="two").id
    reg, alice = ws.entities(), ws.annotations("alice")
    full = speaker(ws, "alice", d1, ONE, "Defence Minister Aziz Nasirzadeh")
    he = speaker(ws, "alice", d1, ONE, "He")
    other = speaker(ws, "alice", d2, TWO, "Nasirzadeh")
    first = reg.link_new(alice, full, "Aziz Nasirzadeh").created
    second = reg.link_new(alice, other, "Nasirzadeh").created
    assert first is not None and second is not None
    reg.link_mention(alice, he, second.key)
    kept = reg.merge(second.key, first.key)
    assert kept.key == first.key
    linked = reg.entities_of([full, he, other])
    assert {e.key for e in linked.values()} == {first.key}
    assert "Nasirzadeh" in kept.aliases
    assert reg.get(second.key).key == first.key  # the merged id leads to the one it went into
    assert [s.entity.name for s in reg.all()] == ["Aziz Nasirzadeh"]
    assert reg.all(merged=True)[1].entity.merged_into == first.key
    with pytest.raises(ValidationError, match="same entity"):
        reg.merge(first.key, second.key)
    split = reg.split(first.key, "Someone Else", mentions=[other], aliases=["Nasirzadeh"])
    assert reg.entities_of([other])[other].key == split.key
    assert reg.entities_of([full])[full].key == first.key
    assert split.aliases == ("Nasirzadeh",)
    assert "Nasirzadeh" not in reg.get(first.key).aliases
    with pytest.raises(ValidationError, match="not a mention of"):
        reg.split(first.key, "Third", mentions=[other])
    assert [s.entity.name for s in reg.all()] == ["Aziz Nasirzadeh", "Someone Else"]


def test_rename_keeps_the_old_name_as_an_alias_and_names_are_unique_per_type(
    workspace: Workspace,
) -> None:
    reg = workspace.entities()
    iran = reg.create("Iran", "TARGET", external_id="Q794")
    reg.create("Israel", "TARGET")
    reg.create("Iran", "SPEAKER")  # another type: allowed
    with pytest.raises(ValidationError, match="already a TARGET entity called 'Israel'"):
        reg.rename(iran.key, "Israel")
    renamed = reg.rename("Q794", "Islamic Republic of Iran")
    assert renamed.name == "Islamic Republic of Iran" and renamed.aliases == ("Iran",)
    assert reg.get("Iran").kind == "SPEAKER"  # a name before another's alias
    reg.add_alias("Israel", "the regime")
    reg.add_alias("Islamic Republic of Iran", "the regime")
    with pytest.raises(ValidationError, match="names several entities"):
        reg.get("regime")


def test_type_ahead_puts_the_entity_linked_last_first(workspace: Workspace) -> None:
    ws = workspace
    doc = ws.documents.add(ONE, key="one").id
    reg, alice = ws.entities(), ws.annotations("alice")
    reg.create("Aziz Nasirzadeh", "SPEAKER")
    reg.create("Aziz Nasiri", "SPEAKER")
    assert [c.entity.name for c in reg.suggest_for("aziz")] == ["Aziz Nasiri", "Aziz Nasirzadeh"]
    reg.link_mention(alice, speaker(ws, "alice", doc, ONE, "He"), "Aziz Nasirzadeh")
    assert [c.entity.name for c in reg.suggest_for("aziz")] == ["Aziz Nasirzadeh", "Aziz Nasiri"]
