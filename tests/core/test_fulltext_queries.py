"""The queries the text index is asked, exactly as SQLite's FTS5 and PostgreSQL receive them.

``test_search_index`` checks what they find on real databases; these pin what is sent: which
trigrams and case forms, which needles are left out (too many forms, a NUL, a lone surrogate),
and how the parts of a condition join. A wrong query here either loses hits or reads more.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from annotator.core.domain.regex_needles import AllOf, AnyOf, Needle
from annotator.core.storage.fulltext import (
    MAX_TRIGRAMS,
    MAX_VARIANTS,
    _bindable,
    _fts_string,
    _postgres_pattern,
    postgres_text_condition,
    sqlite_match_query,
)


def plain(text: str) -> Needle:
    return tuple(frozenset({ch}) for ch in text)


def cased(text: str) -> Needle:
    """Each letter in its two ASCII cases, as a search ignoring case asks for it."""
    return tuple(frozenset({ch.lower(), ch.upper()}) for ch in text)


def pg(condition: object) -> str | None:
    made = postgres_text_condition(condition)  # type: ignore[arg-type]
    if made is None:
        return None
    return str(made.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


# -- SQLite: FTS5 trigram queries --


def test_a_needle_is_asked_as_its_trigrams_and_ascii_case_once() -> None:
    # FTS5's trigram tokenizer folds ASCII case itself: "DRo" and "dro" are one string to it.
    assert sqlite_match_query(cased("Drone")) == '("dro") AND ("one") AND ("ron")'


def test_forms_beyond_ascii_case_are_each_asked_fewest_forms_first() -> None:
    s = frozenset({"s", "S", "ſ"})  # the long s: re finds it for "s" ignoring case
    needle = (frozenset({"i"}), s, s, frozenset({"u"}), frozenset({"e"}))
    assert sqlite_match_query(needle) == (
        '("sue" OR "ſue") AND ("iss" OR "isſ" OR "iſs" OR "iſſ") '
        'AND ("ssu" OR "sſu" OR "ſsu" OR "ſſu")'
    )


def test_a_quote_in_a_needle_is_doubled_inside_its_fts5_string() -> None:
    assert _fts_string('say "no"') == '"say ""no"""'
    assert sqlite_match_query(plain('a"b')) == '("a""b")'


def test_a_needle_shorter_than_a_trigram_cannot_narrow() -> None:
    assert sqlite_match_query(plain("ab")) is None
    assert sqlite_match_query(AllOf((plain("ab"), plain("xyz")))) == '("xyz")'


def test_a_trigram_of_more_forms_than_the_limit_is_left_out_and_the_limit_itself_kept() -> None:
    four = frozenset({"a", "á", "à", "â"})  # 4 x 4 x 4 = 64 strings: the limit
    query = sqlite_match_query((four, four, four))
    assert MAX_VARIANTS == 64 and query is not None
    assert query.count('"') == 2 * 64
    five = four | {"ä"}  # 125 strings: looked up, it would cost more than it narrows
    assert sqlite_match_query((five, five, five)) is None
    longer = sqlite_match_query((five, five, five, frozenset({"x"})))
    assert longer is not None and longer.count('"') == 2 * 25  # its 25-form trigram alone


def test_a_long_needle_is_asked_by_the_trigrams_of_fewest_forms() -> None:
    text = "the minister said that the programme would go on "  # 50 characters, 48 trigrams
    needle = tuple(frozenset({"s", "S", "ſ"}) if ch == "s" else frozenset({ch}) for ch in text)
    query = sqlite_match_query(needle)
    assert query is not None
    windows = query.split(" AND ")
    assert len(windows) == MAX_TRIGRAMS == 32
    assert all(" OR " not in w for w in windows)  # only trigrams without an "s" are kept
    assert windows[0] == '(" go")'  # sorted by their strings, the same query every time


def test_nul_and_lone_surrogates_cannot_be_in_a_text() -> None:
    assert _bindable("plain") and _bindable("\ud7ff\ue000")  # the code points around them
    for bad in ("a\x00b", "\ud800", "\udfff", "x\udbffy"):
        assert not _bindable(bad)
    assert sqlite_match_query(plain("ab\x00cd")) is None  # every trigram holds the NUL
    assert sqlite_match_query(plain("abc\x00")) == '("abc")'


def test_an_alternative_that_cannot_narrow_makes_the_whole_any_of_read_everything() -> None:
    assert sqlite_match_query(AnyOf((plain("abc"), plain("xyz")))) == '(("abc") OR ("xyz"))'
    assert sqlite_match_query(AnyOf((plain("abc"), plain("xy")))) is None


# -- PostgreSQL: one ~ per needle, of a pattern we write --


def test_a_needle_is_a_pattern_of_its_characters_with_sets_for_its_forms() -> None:
    assert _postgres_pattern(cased("ab")) == "[Aa][Bb]"
    assert _postgres_pattern(plain("a.b")) == "a\\.b"
    assert _postgres_pattern(plain("é")) == "é"
    assert pg(cased("ab")) == "documents.text ~ '[Aa][Bb]'"


def test_all_of_joins_with_and_leaving_out_what_cannot_be_bound() -> None:
    assert pg(AllOf((plain("abc"), plain("xyz")))) == (
        "(documents.text ~ 'abc') AND (documents.text ~ 'xyz')"
    )
    assert pg(AllOf((plain("abc"), plain("x\x00z")))) == "documents.text ~ 'abc'"
    assert pg(AllOf((plain("a\x00c"),))) is None


def test_any_of_joins_with_or_and_reads_everything_if_one_cannot_be_asked() -> None:
    assert pg(AnyOf((plain("abc"), plain("xyz")))) == (
        "(documents.text ~ 'abc') OR (documents.text ~ 'xyz')"
    )
    assert pg(AnyOf((plain("abc"), plain("x\ud800z")))) is None
    assert pg(plain("x\ud800z")) is None
