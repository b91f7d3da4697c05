"""How the search line is read: filters, phrases, quotes, and what is said about a key the
schema does not know (the window's box and ``annotator search QUERY`` read it alike)."""

from __future__ import annotations

import pytest

from annotator.core.domain.schema import Schema
from annotator.core.domain.search_syntax import combined, parse_search
from annotator.core.domain.searching import SearchQuery
from annotator.core.services.bundled import default_schema


@pytest.fixture(scope="module")
def schema() -> Schema:
    return default_schema()


def test_the_issues_example(schema: Schema) -> None:
    parsed = parse_search("label:STATEMENT stance:denies speaker:Hatami", schema)
    assert parsed.query == SearchQuery(
        labels=("STATEMENT",), attributes=(("stance", "denies"),), links=(("SPEAKER", "Hatami"),)
    )
    assert parsed.notes == ()


def test_keys_and_names_are_matched_without_case(schema: Schema) -> None:
    query = parse_search("Label:statement STANCE:Denies Said_By:hatami", schema).query
    assert query.labels == ("STATEMENT",)
    assert query.attributes == (("stance", "denies"),)
    assert query.links == (("said_by", "hatami"),)


def test_quotes_hold_spaces_and_quoted_text_is_never_a_filter(schema: Schema) -> None:
    query = parse_search('speaker:"Mehmet Yılmaz" “crushing response”', schema).query
    assert query.links == (("SPEAKER", "Mehmet Yılmaz"),)
    assert query.text == "crushing response"
    query = parse_search('"stance:denies" missile', schema).query
    assert (query.text, query.attributes) == ("stance:denies missile", ())


def test_links_own_values_and_statuses(schema: Schema) -> None:
    query = parse_search('aimed_at:Estmar stance_toward:threatens status:"in progress"', schema)
    assert query.query.links == (("aimed_at", "Estmar"),)
    assert query.query.link_values == (("stance_toward", "threatens"),)
    assert query.query.attributes == ()
    assert query.query.statuses == ("in_progress",)


def test_what_the_schema_does_not_know_stays_text_and_a_likely_typo_is_told(
    schema: Schema,
) -> None:
    parsed = parse_search("stanse:denies", schema)
    assert (parsed.query.text, parsed.query.attributes) == ("stanse:denies", ())
    assert len(parsed.notes) == 1 and "'stanse' is not a label, value or link" in parsed.notes[0]
    # times and addresses are text, said nothing about
    parsed = parse_search("at 12:30 https://example.org/a", schema)
    assert (parsed.query.text, parsed.notes) == ("at 12:30 https://example.org/a", ())
    # a value the schema does not offer is searched as given, and said
    parsed = parse_search("stance:deny", schema)
    assert parsed.query.attributes == (("stance", "deny"),)
    assert parsed.notes == ("'deny' is not a value of stance (supports, opposes, threatens, "
                            "denies, neutral)",)  # fmt: skip
    parsed = parse_search("label:QUOTE", schema)
    assert parsed.query.labels == ("QUOTE",) and "label 'QUOTE' is not in schema" in parsed.notes[0]


def test_an_expression_keeps_its_own_white_space(schema: Schema) -> None:
    query = parse_search(r"label:STATEMENT \bmissile  forces?\b speaker:Yılmaz", schema, regex=True)
    assert query.query.text == r"\bmissile  forces?\b"
    assert query.query.labels == ("STATEMENT",) and query.query.links == (("SPEAKER", "Yılmaz"),)
    # a non-capturing group's colon is not a key
    assert parse_search("(?:rocket|missile)s", schema, regex=True).query.text == (
        "(?:rocket|missile)s"
    )


def test_lists_add_to_the_line_without_repeats(schema: Schema) -> None:
    query = parse_search("label:STATEMENT missile", schema).query
    query = combined(query, labels=("STATEMENT", "SPEAKER"), statuses=("done",), layers=())
    assert query.labels == ("STATEMENT", "SPEAKER")
    assert query.statuses == ("done",) and query.text == "missile"


def test_without_a_schema_only_the_fixed_keys_are_filters() -> None:
    parsed = parse_search("label:STATEMENT annotator:alice stance:denies")
    assert parsed.query.labels == ("STATEMENT",) and parsed.query.layers == ("alice",)
    assert parsed.query.text == "stance:denies" and parsed.notes == ()
