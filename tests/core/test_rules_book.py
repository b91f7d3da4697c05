"""Each rule of the rule book on its own, with the whole message a user reads and acts on.

``test_rules`` runs the rules through the editor and the importer; here every rule is called
directly on a small schema that has what the shipped ones lack (a relation joining a label to
itself, a link attribute that is required, each attribute type, a label with no attributes), so
that each refusal is checked word for word: the known names listed, "none" when there are none,
the offsets and the neighbours named.
"""

from __future__ import annotations

from typing import Any

import pytest

from annotator.core.domain import rules
from annotator.core.domain.errors import (
    OffsetError,
    OverlapError,
    RelationError,
    UnknownLabelError,
    ValidationError,
)
from annotator.core.domain.rules import Outside
from annotator.core.domain.schema import Schema, parse_schema

TINY = """\
name: tiny
version: "1"
labels:
  - name: CLAIM
    color: "#f2b134"
    cross_paragraph: false
    attributes:
      - {name: stance, type: choice, required: true, values: [pro, contra]}
      - {name: tags, type: multi, values: [a, b, c], default: [c, a]}
      - {name: sure, type: bool}
      - {name: note, type: text}
  - name: PERSON
    color: "#4f9de0"
  - name: THING
    color: "#4f9de0"
    needs_link: true
relations:
  - name: said_by
    from: CLAIM
    to: PERSON
    max: 1
    required: true
    attributes:
      - {name: how, type: choice, required: true, values: [direct, indirect]}
      - {name: seen, type: bool, default: false}
  - name: same_as
    from: PERSON
    to: PERSON
"""
BARE = """\
name: bare
version: "1"
labels:
  - name: NOTE
    color: "#f2b134"
"""


@pytest.fixture(scope="module")
def tiny() -> Schema:
    return parse_schema(TINY)


@pytest.fixture(scope="module")
def bare() -> Schema:
    return parse_schema(BARE)


def message(error: type[Exception], call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(error) as info:
        call(*args, **kwargs)
    return str(info.value)


# -- names, titles, statuses --


def test_a_name_that_is_no_text_is_named_in_the_refusal() -> None:
    assert message(ValidationError, rules.annotator_name, 42) == (
        "annotator 42 must be a name (text)"
    )


def test_a_long_name_is_shown_cut_to_sixty_characters() -> None:
    name = "b" * 59 + "cdef" + "x" * 200
    assert message(ValidationError, rules.annotator_name, name) == (
        f"annotator name {name[:60]!r} must be 1 to 200 characters, without NUL"
    )
    shown = "b" * 59 + "c"
    assert f"'{shown}'" in message(ValidationError, rules.annotator_name, name)


def test_a_name_with_a_lone_surrogate_is_refused_and_says_so() -> None:
    assert message(ValidationError, rules.annotator_name, "al\ud800ice") == (
        "annotator name 'al\\ud800ice' contains a lone UTF-16 surrogate"
    )
    long = "\ud800" + "b" * 59 + "cdef"
    assert message(ValidationError, rules.annotator_name, long) == (
        f"annotator name {long[:60]!r} contains a lone UTF-16 surrogate"
    )


def test_titles_are_one_trimmed_line_and_their_refusals_say_why() -> None:
    assert rules.document_title("  Talks\tresume\n in  Geneva \x7f") == "Talks resume in Geneva"
    assert rules.document_title("Café") == "Café"
    assert message(ValidationError, rules.document_title, 7) == "title 7 must be text"
    assert message(ValidationError, rules.document_title, " \n\x00 ") == ("a title cannot be empty")
    assert rules.document_title("t" * 500) == "t" * 500
    assert message(ValidationError, rules.document_title, "t" * 501) == (
        "a title is at most 500 characters (501 given)"
    )
    assert message(ValidationError, rules.document_title, "Caf\ud800") == (
        "the title contains a lone UTF-16 surrogate"
    )


def test_a_status_is_returned_as_given_or_refused_with_the_choices() -> None:
    for status in rules.STATUSES:
        assert rules.check_status(status) == status
    assert message(ValidationError, rules.check_status, "finished") == (
        "status 'finished' is not one of new, in_progress, done, skipped"
    )


# -- offsets and paragraphs --


def test_each_offset_refusal_names_the_span_and_the_text() -> None:
    text = "Cafe\u0301 drones."  # 13 characters, a combining mark at 4
    assert message(OffsetError, rules.check_offsets, text, 1.0, 2) == (
        "offsets must be whole numbers, got start=1.0 end=2"
    )
    assert message(OffsetError, rules.check_offsets, text, 0, True) == (
        "offsets must be whole numbers, got start=0 end=True"
    )
    assert message(OffsetError, rules.check_offsets, text, -1, 3) == (
        "span -1-3 lies outside the text (length 13 characters)"
    )
    assert message(OffsetError, rules.check_offsets, text, 0, 14) == (
        "span 0-14 lies outside the text (length 13 characters)"
    )
    assert message(OffsetError, rules.check_offsets, text, 3, 3) == (
        "span 3-3 is empty or reversed (start must be before end)"
    )
    assert message(OffsetError, rules.check_offsets, text, 4, 2) == (
        "span 4-2 is empty or reversed (start must be before end)"
    )
    assert message(OffsetError, rules.check_offsets, text, 0, 4) == (
        "offset 4 falls inside a combined character (before U+0301)"
    )
    assert message(OffsetError, rules.check_offsets, text, 4, 6) == (
        "offset 4 falls inside a combined character (before U+0301)"
    )
    rules.check_offsets(text, 0, 5)
    rules.check_offsets(text, 0, 13)


@pytest.mark.parametrize(
    ("start", "end", "fits"),
    [(0, 5, True), (0, 13, True), (5, 13, True), (0, 4, False), (4, 6, False), (0, 14, False)],
)
def test_the_fast_check_agrees_with_the_exact_one(start: int, end: int, fits: bool) -> None:
    text = "Cafe\u0301 drones."
    assert rules.span_fits(text, start, end) is fits
    if fits:
        rules.check_offsets(text, start, end)
    else:
        with pytest.raises(OffsetError):
            rules.check_offsets(text, start, end)


TWO = "The general spoke.\n\nThe minister answered at length."
BREAK = TWO.index("\n\n")


def test_a_span_over_a_blank_line_is_refused_naming_both_sides(tiny: Schema) -> None:
    assert message(OffsetError, rules.check_paragraphs, tiny, TWO, "CLAIM", 4, 30) == (
        f"a CLAIM span may not cross a paragraph break: 4-30 runs over the blank line at {BREAK} "
        "(“…general spoke.” | “The minist…”); mark it within one paragraph"  # the span's end
    )


def test_the_context_shown_is_thirty_characters_each_side_at_most(tiny: Schema) -> None:
    text = "A" * 50 + "\n \t\n" + "B" * 50
    error = message(OffsetError, rules.check_paragraphs, tiny, text, "CLAIM", 0, len(text))
    assert error == (
        f"a CLAIM span may not cross a paragraph break: 0-{len(text)} runs over the blank "
        f"line at 50 (“…{'A' * 30}” | “{'B' * 30}…”); mark it within one paragraph"
    )


def test_a_break_is_found_after_a_break_at_the_very_start(tiny: Schema) -> None:
    text = "\n\nOne.\n\nTwo."
    error = message(OffsetError, rules.check_paragraphs, tiny, text, "CLAIM", 0, len(text))
    assert "runs over the blank line at 6 (“…One.” | “Two.…”)" in error


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("One line wraps\nhere and goes on.", 0, 31),  # one line break: a wrapped line
        (TWO, 0, BREAK + 2),  # the break at the span's end joins nothing
        (TWO, BREAK, len(TWO)),  # nor at its start
        ("Spoke.\n\n\n", 0, 9),
        ("A wrapped\nline.\n\nNext paragraph.", 0, 15),  # the blank line lies after it
    ],
)
def test_a_span_that_joins_no_two_paragraphs_is_kept(
    tiny: Schema, text: str, start: int, end: int
) -> None:
    rules.check_paragraphs(tiny, text, "CLAIM", start, end)


def test_a_label_that_may_cross_paragraphs_is_not_refused(tiny: Schema) -> None:
    rules.check_paragraphs(tiny, TWO, "PERSON", 4, 30)


# -- labels, relations, attributes --


def test_an_unknown_label_lists_the_schemas_labels(tiny: Schema) -> None:
    assert message(UnknownLabelError, rules.check_label, tiny, "CLAIMS") == (
        "label 'CLAIMS' is not in schema tiny (labels: CLAIM, PERSON, THING)"
    )


def test_an_unknown_relation_lists_the_relations_or_says_none(tiny: Schema, bare: Schema) -> None:
    assert message(UnknownLabelError, rules.relation_of, tiny, "said") == (
        "relation 'said' is not in schema tiny (said_by, same_as)"
    )
    assert message(UnknownLabelError, rules.relation_of, bare, "said") == (
        "relation 'said' is not in schema bare (none)"
    )


def test_an_unknown_attribute_lists_the_attributes_or_says_none(tiny: Schema, bare: Schema) -> None:
    assert message(UnknownLabelError, rules.check_attribute, tiny, "CLAIM", "tone", "x") == (
        "label CLAIM has no attribute 'tone' (attributes: stance, tags, sure, note)"
    )
    assert message(UnknownLabelError, rules.check_attribute, bare, "NOTE", "tone", "x") == (
        "label NOTE has no attribute 'tone' (attributes: none)"
    )
    assert (
        message(UnknownLabelError, rules.check_relation_attribute, tiny, "said_by", "tone", "x")
        == "relation said_by has no attribute 'tone' (attributes: how, seen)"
    )
    assert (
        message(UnknownLabelError, rules.check_relation_attribute, tiny, "same_as", "how", "x")
        == "relation same_as has no attribute 'how' (attributes: none)"
    )
    assert (
        message(
            UnknownLabelError,
            rules.check_relation_attributes,
            tiny,
            "said_by",
            {"tone": "x"},
            apply_defaults=False,
        )
        == "relation said_by has no attribute 'tone' (attributes: how, seen)"
    )


def test_each_attribute_type_refuses_a_wrong_value_saying_what_it_takes(tiny: Schema) -> None:
    def refused(name: str, value: Any) -> str:
        return message(UnknownLabelError, rules.check_attribute, tiny, "CLAIM", name, value)

    assert refused("stance", "neutral") == (
        "CLAIM.stance: 'neutral' is not an allowed value (pro, contra)"
    )
    assert refused("tags", "a") == "CLAIM.tags: expects a list of values, got 'a'"
    assert refused("tags", {"a": 1}) == "CLAIM.tags: expects a list of values, got {'a': 1}"
    assert refused("tags", ["a", "z", "y"]) == "CLAIM.tags: ['z', 'y'] not allowed (a, b, c)"
    assert refused("sure", "yes") == "CLAIM.sure: expects true or false, got 'yes'"
    assert refused("sure", 1) == "CLAIM.sure: expects true or false, got 1"
    assert refused("note", 3) == "CLAIM.note: expects text, got 3"
    assert (
        message(
            UnknownLabelError, rules.check_relation_attribute, tiny, "said_by", "how", "shouted"
        )
        == "said_by.how: 'shouted' is not an allowed value (direct, indirect)"
    )


def test_values_are_stored_as_given_and_a_multi_in_schema_order(tiny: Schema) -> None:
    assert rules.check_attribute(tiny, "CLAIM", "stance", "contra") == "contra"
    assert rules.check_attribute(tiny, "CLAIM", "tags", ("c", "a", "c")) == ["a", "c"]
    assert rules.check_attribute(tiny, "CLAIM", "tags", []) == []
    assert rules.check_attribute(tiny, "CLAIM", "sure", False) is False
    assert rules.check_attribute(tiny, "CLAIM", "note", "") == ""
    assert rules.check_relation_attribute(tiny, "said_by", "seen", True) is True


def test_a_new_span_or_link_gets_the_defaults_an_edit_does_not(tiny: Schema) -> None:
    given = {"stance": "pro", "note": None}
    assert rules.check_attributes(tiny, "CLAIM", given, apply_defaults=True) == {
        "stance": "pro",
        "tags": ["a", "c"],
    }
    assert rules.check_attributes(tiny, "CLAIM", given, apply_defaults=False) == {"stance": "pro"}
    assert rules.check_attributes(tiny, "CLAIM", None, apply_defaults=False) == {}
    assert rules.check_attributes(tiny, "CLAIM", {"tags": ["b"]}, apply_defaults=True) == {
        "tags": ["b"]
    }  # a choice made is kept over the default
    assert rules.check_relation_attributes(tiny, "said_by", None, apply_defaults=True) == {
        "seen": False
    }
    assert rules.check_relation_attributes(
        tiny, "said_by", {"how": "direct"}, apply_defaults=False
    ) == {"how": "direct"}


def test_required_values_that_are_missing_are_listed(tiny: Schema) -> None:
    for empty in ({}, {"stance": None}, {"stance": ""}, {"stance": []}):
        assert rules.missing_required(tiny, "CLAIM", empty) == ["stance"]
    assert rules.missing_required(tiny, "CLAIM", {"stance": "pro"}) == []
    assert rules.missing_required(tiny, "GONE", {}) == []  # a label the schema dropped
    assert rules.missing_relation_required(tiny, "said_by", {"seen": True}) == ["how"]
    assert rules.missing_relation_required(tiny, "said_by", {"how": "direct"}) == []
    assert rules.missing_relation_required(tiny, "gone", {}) == []


# -- links --


def test_a_link_between_the_wrong_labels_names_both_pairs(tiny: Schema) -> None:
    assert (
        message(RelationError, rules.check_relation_labels, tiny, "said_by", "PERSON", "CLAIM")
        == "said_by links CLAIM -> PERSON, not PERSON -> CLAIM"
    )
    assert (
        message(RelationError, rules.check_relation_labels, tiny, "said_by", "CLAIM", "THING")
        == "said_by links CLAIM -> PERSON, not CLAIM -> THING"
    )
    rules.check_relation_labels(tiny, "said_by", "CLAIM", "PERSON")


def test_a_span_cannot_be_linked_to_itself(tiny: Schema) -> None:
    assert (
        message(
            RelationError, rules.check_link, tiny, "same_as", ("#3", "PERSON"), ("#3", "PERSON"), []
        )
        == "a span cannot be linked to itself"
    )
    rules.check_link(tiny, "same_as", ("#3", "PERSON"), ("#4", "PERSON"), ["#5", "#6"])


def test_a_link_made_twice_names_both_spans_and_the_relation(tiny: Schema) -> None:
    assert (
        message(
            RelationError,
            rules.check_link,
            tiny,
            "same_as",
            ("#3", "PERSON"),
            ("#4", "PERSON"),
            ["#4"],
        )
        == "span #3 is already linked to #4 by same_as"
    )


def test_a_relations_maximum_is_named_with_what_to_do(tiny: Schema) -> None:
    rules.check_link(tiny, "said_by", ("#1", "CLAIM"), ("#2", "PERSON"), [])
    assert (
        message(
            RelationError,
            rules.check_link,
            tiny,
            "said_by",
            ("#1", "CLAIM"),
            ("#2", "PERSON"),
            ["#9"],
        )
        == "said_by allows 1 link from one CLAIM; remove the existing link first"
    )


def test_spans_lacking_a_required_link_are_listed_with_what_they_lack(tiny: Schema) -> None:
    spans = [("#1", "CLAIM"), ("#2", "PERSON"), ("#3", "THING"), ("#4", "THING"), ("#5", "CLAIM")]
    links = [("said_by", "#1", "#2"), ("same_as", "#2", "#4"), ("said_by", "#2", "#5")]
    assert rules.missing_links(tiny, spans, links) == [
        ("#3", "THING", "a link"),
        ("#5", "CLAIM", "said_by link"),  # a target, not a source, of said_by
    ]
    assert rules.missing_links(tiny, [("#7", "GONE")], []) == []


# -- what a schema lacks of stored annotations --


def test_what_a_schema_lacks_of_a_span_is_named(tiny: Schema) -> None:
    assert rules.span_outside(tiny, "GONE", {"stance": "pro"}) == [
        Outside("label", ("GONE",), "spans")
    ]
    found = rules.span_outside(
        tiny,
        "CLAIM",
        {
            "gone": None,  # no value: nothing outside, and the rest is still read
            "tone": "calm",
            "stance": "neutral",
            "tags": ["a", "x", "y"],
            "sure": "yes",
            "note": 3,
        },
    )
    assert [f.text for f in found] == [
        "attribute CLAIM.tone is not in the schema",
        "value CLAIM.stance 'neutral' is not in the schema",
        "value CLAIM.tags 'x' is not in the schema",
        "value CLAIM.tags 'y' is not in the schema",
        "CLAIM.sure holds values that are not bool",
        "CLAIM.note holds values that are not text",
    ]
    assert {f.unit for f in found} == {"values"}
    assert rules.span_outside(tiny, "CLAIM", {"stance": "pro", "tags": ["b"]}) == []


def test_a_value_of_the_wrong_shape_is_a_type_not_a_value(tiny: Schema) -> None:
    """A list where one value is wanted (or one value where a list is), or a number among
    the choices, is not a value the schema could add: it is of the wrong type."""
    found = rules.span_outside(tiny, "CLAIM", {"stance": ["pro"], "tags": "a"})
    assert [f.text for f in found] == [
        "CLAIM.stance holds values that are not choice",
        "CLAIM.tags holds values that are not multi",
    ]
    found = rules.span_outside(tiny, "CLAIM", {"tags": ["a", 3]})
    assert [f.text for f in found] == ["CLAIM.tags holds values that are not multi"]


def test_what_a_schema_lacks_of_a_link_is_named(tiny: Schema) -> None:
    assert rules.link_outside(tiny, "gone", "CLAIM", "PERSON") == Outside(
        "relation", ("gone",), "links"
    )
    ends = rules.link_outside(tiny, "said_by", "PERSON", "CLAIM")
    assert ends is not None and ends.unit == "links"
    assert ends.text == "relation said_by does not link PERSON -> CLAIM in the schema"
    assert rules.link_outside(tiny, "said_by", "CLAIM", "PERSON") is None
    assert [f.text for f in rules.link_values_outside(tiny, "said_by", {"how": "loud"})] == [
        "value said_by.how 'loud' is not in the schema"
    ]
    assert [f.text for f in rules.link_values_outside(tiny, "said_by", {"tone": 1})] == [
        "attribute said_by.tone is not in the schema"
    ]
    assert rules.link_values_outside(tiny, "gone", {"how": "loud"}) == []
    assert rules.link_values_outside(tiny, "said_by", {"how": "direct", "seen": None}) == []


def test_an_outside_label_or_relation_is_worded_for_the_user() -> None:
    assert Outside("label", ("GONE",), "spans").text == "label GONE is not in the schema"
    assert Outside("relation", ("gone",), "links").text == "relation gone is not in the schema"
    assert Outside("attribute", ("A", "b"), "values").text == "attribute A.b is not in the schema"


# -- overlap --


def test_overlap_refusals_name_the_spans(tiny: Schema) -> None:
    others = [("#1", 0, 5), ("#2", 10, 20), ("#3", 30, 40)]
    assert message(OverlapError, rules.check_overlap, "CLAIM", False, 15, 35, others) == (
        "CLAIM spans may not overlap: 15-35 overlaps #2 (10-20)"
    )
    assert message(OverlapError, rules.check_overlap, "CLAIM", True, 30, 40, others) == (
        "a CLAIM span at 30-40 already exists (#3)"
    )
    rules.check_overlap("CLAIM", True, 15, 35, others)
    rules.check_overlap("CLAIM", False, 20, 30, others)


def test_the_first_clash_is_the_earliest_in_the_text() -> None:
    spans = [(50, 60, "c"), (0, 30, "a"), (10, 20, "b"), (55, 58, "d")]
    assert rules.first_overlap(False, list(spans)) == ("overlap", (10, 20, "b"), (0, 30, "a"))
    # allowed to overlap, only a duplicate clashes; named as the later and the earlier
    assert rules.first_overlap(True, [*spans, (10, 20, "e")]) == (
        "duplicate",
        (10, 20, "e"),
        (10, 20, "b"),
    )
    assert rules.first_overlap(True, list(spans)) is None
    assert rules.first_overlap(False, [(0, 10, "a"), (10, 20, "b")]) is None
    # the duplicate named is the one given later, whatever its reference
    assert rules.first_overlap(True, [(10, 20, "T9"), (10, 20, "T1")]) == (
        "duplicate",
        (10, 20, "T1"),
        (10, 20, "T9"),
    )


def test_an_overlap_is_named_against_the_span_reaching_furthest() -> None:
    """A long span and a short one inside it: the next span overlaps the long one, even where
    it starts after the short one ends."""
    spans = [(0, 100, "long"), (5, 10, "short"), (50, 60, "late")]
    assert rules.first_overlap(False, spans[:1] + spans[2:]) == (
        "overlap",
        (50, 60, "late"),
        (0, 100, "long"),
    )
    assert rules.first_overlap(True, list(spans)) is None
