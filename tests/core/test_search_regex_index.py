"""A regular expression search narrowed by the text index finds exactly what reading every
text finds: random patterns (case ignored or not, case-tricky letters such as ``ſ``, ``ı`` and
the Kelvin sign, classes, groups, alternatives, repeats, lookarounds) over random texts, on a
real SQLite file and a real PostgreSQL server; and the strings it narrows by are the ones a
reader would name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text

from annotator.core.domain.regex_needles import (
    _CASED_END,
    ANYTHING,
    AllOf,
    AnyOf,
    Condition,
    _case_class,
    required_text,
)
from annotator.core.domain.regex_risk import REPEATS, sub_patterns
from annotator.core.domain.searching import SearchQuery
from annotator.core.services.workspace import Workspace
from annotator.core.storage.fulltext import (
    has_text_index,
    postgres_text_condition,
    sqlite_match_query,
)
from annotator.core.storage.models import Document
from tests.conftest import fresh_pg_database

# Letters whose case Python's re folds beyond ASCII: ſ/s, ı/İ/i, K (Kelvin)/k, σ/ς/Σ, ß/ẞ, µ/μ
ALPHABET = 'abksiKSIſıİ\u212aσςΣßẞµμčČé \n"%_😀'
VARIANTS = {c: "".join(sorted(_case_class(ord(c)))) for c in ALPHABET}
_TEXT_CHARACTERS = ALPHABET + "0123456789"  # \d must find something


def _show(condition: Condition) -> str:
    """A condition as a reader writes it: 'abc' AND ('def' OR 'xyz'); [Dd] a set of letters."""
    if isinstance(condition, AllOf):
        return " AND ".join(map(_show, condition.parts)) if condition.parts else "ANYTHING"
    if isinstance(condition, AnyOf):
        return "(" + " OR ".join(map(_show, condition.parts)) + ")"
    return (
        "'"
        + "".join(
            next(iter(c)) if len(c) == 1 else "[" + "".join(sorted(c)) + "]" for c in condition
        )
        + "'"
    )


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        (r"\b[Dd]ro\w+ strikes?\b", "'[Dd]ro' AND ' st' AND 'str' AND 'tri' AND 'rik' AND 'ike'"),
        (r"hypersonic (glider|missile)s?", "('hypersonic glider' OR 'hypersonic missile')"),
        (r"drone strikes?", "'drone strike'"),
        (r"foo(bar)*baz", "'foo' AND 'baz'"),
        (r"(?i)Kov(?-i:AČ)", "'[Kk\u212a][Oo][Vv]AČ'"),
        (r"\d+", "ANYTHING"),
        (r"a.c|xyz", "ANYTHING"),
        (r"(?:ab|cd)ef", "('abef' OR 'cdef')"),
    ],
)
def test_the_strings_a_regex_is_narrowed_by(pattern: str, needles: str) -> None:
    assert _show(required_text(pattern, ignore_case=False)) == needles


def test_ignoring_case_a_letter_stands_for_every_letter_re_takes_for_it() -> None:
    assert _show(required_text("kiss", ignore_case=True)) == "'[Kk\u212a][Iiİı][Ssſ][Ssſ]'"
    # the FTS5 query asks for ASCII case once (the tokenizer folds it), every other form as is
    query = sqlite_match_query(required_text("kiss", ignore_case=True))
    assert query is not None and '"kis"' in query and '"\u212ais"' in query
    assert '"Kis"' not in query and '"ſſ"' not in query


def test_case_classes_are_those_of_re_for_every_code_point() -> None:
    """The table of lower cases is built up to _CASED_END: nothing after it has another case,
    and each letter's class is exactly the characters ``re`` matches it with, ignoring case."""
    universe = "".join(map(chr, range(0x110000)))
    for letter in "ksiσßµčİ\u212aǅΩ":
        found = frozenset(re.findall(re.escape(letter), universe, re.IGNORECASE))
        assert _case_class(ord(letter)) == found, letter
    beyond = "".join(map(chr, range(_CASED_END, 0x110000)))
    assert beyond.lower() == beyond and beyond.upper() == beyond


_CHAR = st.sampled_from(ALPHABET)
_WORD = st.text(ALPHABET, min_size=3, max_size=6)


def _literal(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


_ATOM = st.one_of(
    _WORD.map(_literal),
    _CHAR.map(_literal),
    st.lists(_CHAR, min_size=1, max_size=4).map(lambda cs: "[" + _literal("".join(cs)) + "]"),
    st.sampled_from([".", r"\w", r"\d", r"\s", r"\b", r"\B", "[^a]", "[a-z]", "^", "$"]),
)


def _wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(inner, min_size=1, max_size=4).map("".join),
        st.lists(inner, min_size=2, max_size=3).map(lambda b: "(?:" + "|".join(b) + ")"),
        st.tuples(inner, st.sampled_from(["?", "*", "+", "{2}", "{1,3}", "??", "+?", "*+"])).map(
            lambda p: "(?:" + p[0] + ")" + p[1]
        ),
        st.tuples(st.sampled_from(["(", "(?i:", "(?-i:", "(?=", "(?!", "(?>"]), inner).map(
            lambda p: p[0] + p[1] + ")"
        ),
        inner.map(lambda i: "(" + i + r")\1"),
    )


PATTERNS = st.lists(st.recursive(_ATOM, _wrap, max_leaves=6), min_size=1, max_size=4).map(
    "".join
)  # a sequence, as most patterns are: words, repeats and groups between them


@st.composite
def _corpus(draw: st.DrawFn) -> tuple[str, bool, list[str]]:
    pattern = draw(_SAFE_PATTERNS)
    pieces = re.findall(r"(?:\\.|[^\\\[\]().?*+{}|^$])+", pattern)  # its literal runs
    words = [re.sub(r"\\(.)", r"\1", p) for p in pieces] or ["a"]

    def piece(word: str) -> st.SearchStrategy[str]:  # a literal run, its case maybe changed
        return st.tuples(*(st.sampled_from(VARIANTS.get(c, c)) for c in word)).map("".join)

    ignore_case = draw(st.booleans())
    matching = st.from_regex(  # texts holding a match, as hypothesis builds them from the pattern
        re.compile(pattern, re.IGNORECASE if ignore_case else 0), alphabet=_TEXT_CHARACTERS
    )
    text_ = st.lists(
        st.one_of(st.sampled_from(words).flatmap(piece), st.text(ALPHABET, max_size=4), matching),
        max_size=8,
    ).map("".join)
    return pattern, ignore_case, draw(st.lists(text_, min_size=1, max_size=6))


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _backtracks_in_reason(pattern: str) -> bool:
    """Whether ``re`` (in this test and in hypothesis's ``from_regex``) runs this pattern over
    short texts in reasonable time: no repeat of something that itself repeats, branches or
    refers back (``((?:[^a]{1,3})+?)\\1$`` took hours over a 60-character text: the ways
    to cut a text into pieces grow exponentially), at most two repeats of variable length in
    all (each one more multiplies the work by the text's length) and at most eight optional
    parts (each doubles it)."""
    variable = optional = 0

    def simple(items: Any) -> bool:  # a repeat's body that backtracks only in itself
        return all(
            op not in (*REPEATS, _sre.BRANCH, _sre.GROUPREF)
            and all(map(simple, sub_patterns(op, av)))
            for op, av in items
        )

    def walk(items: Any) -> bool:
        nonlocal variable, optional
        for op, av in items:
            if op in REPEATS:
                low, high, body = av
                variable += low != high and high > 1
                optional += low != high and high == 1
                if high > 1 and not simple(body):
                    return False
            if not all(map(walk, sub_patterns(op, av))):
                return False
        return variable <= 2 and optional <= 8

    return walk(_parser.parse(pattern))


_SAFE_PATTERNS = PATTERNS.filter(_compiles).filter(_backtracks_in_reason)


def _replace_documents(ws: Workspace, texts: list[str]) -> list[tuple[str, str]]:
    with ws.db.write() as s:
        s.execute(delete(Document))
    docs = []
    for i, body in enumerate(texts):
        doc = ws.documents.add(f"{i}#{body}", key=f"d{i}", title=f"d{i}")
        docs.append((doc.key, doc.text))
    return docs


@pytest.fixture
def indexed_workspace(db_url: str) -> Iterator[Workspace]:
    with Workspace(db_url) as ws:
        with ws.db.read() as s:
            if not has_text_index(s.connection(), is_sqlite=ws.db.is_sqlite):
                pytest.skip("this database cannot have the text index")
        yield ws


def test_a_narrowed_regex_search_finds_exactly_what_reading_every_text_finds(
    indexed_workspace: Workspace,
) -> None:
    ws = indexed_workspace
    narrowed = 0

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(_corpus())
    def check(case: tuple[str, bool, list[str]]) -> None:
        nonlocal narrowed
        pattern, ignore_case, texts = case
        docs = _replace_documents(ws, texts)
        query = SearchQuery(pattern, regex=True, ignore_case=ignore_case)
        # Plain re over every text: the index, and RE2's quick scan when installed, must
        # change nothing (TextMatcher itself runs the scan).
        plain = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        every_text = [
            (key, *m.span())
            for key, body in docs
            for m in plain.finditer(body)
            if m.end() > m.start()
        ]
        found = [(hit.key, hit.start, hit.end) for hit in ws.search(query)]
        assert found == every_text, (pattern, ignore_case, texts)
        narrowed += required_text(pattern, ignore_case) != ANYTHING

    check()
    assert narrowed >= 20  # many searches were narrowed by the index, not all full scans


def _holds_in(condition: Condition, text_: str) -> bool:
    """Whether ``text_`` holds ``condition``, read straight from its definition."""
    if isinstance(condition, AllOf):
        return all(_holds_in(part, text_) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(_holds_in(part, text_) for part in condition.parts)
    return any(
        all(text_[i + j] in chars for j, chars in enumerate(condition))
        for i in range(len(text_) - len(condition) + 1)
    )


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_every_text_a_regex_finds_a_match_in_holds_what_the_regex_is_narrowed_by(
    data: st.DataObject,
) -> None:
    """The narrowing's one promise, checked without a database and so on many more patterns:
    a text the expression matches in is never left out (texts built by hypothesis to match)."""
    pattern = data.draw(_SAFE_PATTERNS, label="pattern")
    ignore_case = data.draw(st.booleans(), label="ignore_case")
    compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    text_ = data.draw(st.from_regex(compiled, alphabet=_TEXT_CHARACTERS), label="text")
    assert _holds_in(required_text(pattern, ignore_case), text_)


@pytest.mark.postgres
def test_postgresql_answers_a_narrowed_regex_from_its_trigram_index(pg_server_url: str) -> None:
    with Workspace(fresh_pg_database(pg_server_url)) as ws:
        for i in range(300):
            ws.documents.add(f"Article {i}: the ministry said {i} times", key=f"d{i}")
        ws.documents.add("A hypersonic glider was tested.", key="rare")
        condition = postgres_text_condition(required_text(r"hyperson\w+ glider", True))
        assert condition is not None
        with ws.db.read() as s:
            s.execute(text("ANALYZE documents"))
            s.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            s.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask for the index
            select_ = Document.__table__.select().where(condition)
            compiled = select_.compile(
                dialect=s.bind.dialect, compile_kwargs={"literal_binds": True}
            )
            plan = "\n".join(r[0] for r in s.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_documents_text_trgm" in plan, plan
        hits = list(ws.search(SearchQuery(r"hyperson\w+ glider", regex=True)))
        assert [h.key for h in hits] == ["rare"]
