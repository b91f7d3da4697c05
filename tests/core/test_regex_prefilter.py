"""The search's quick scan (``domain/regex_prefilter.py``): RE2 may rule out a text only where
Python's ``re`` finds nothing, and a search gives ``re``'s hits with it or without it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.domain import regex_prefilter
from annotator.core.domain.regex_prefilter import loose_re2, may_match_utf8, quick_search
from annotator.core.domain.searching import SearchQuery, TextMatcher
from annotator.core.services.workspace import Workspace
from tests.core.test_search_regex_index import _SAFE_PATTERNS, ALPHABET, _replace_documents

pytest.importorskip("re2", reason="the quick scan needs the search extra (google-re2)")

_TEXT = ALPHABET + "0123456789\u2028\x1c٣“”"
DRONES = r"\b[Dd]ro\w+ strikes?\b"


def _ruled_in(pattern: str, flags: int, text: str) -> bool:
    """What both forms of the scan say of ``text`` (the Python one and SQLite's on bytes)."""
    loose = loose_re2(pattern, flags)
    quick = quick_search(pattern, flags)
    assert loose is not None and quick is not None, pattern
    by_bytes = may_match_utf8(loose, text.encode())
    assert quick(text) == by_bytes
    return by_bytes


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("(?i)i", "İ"),  # RE2's own case folding does not pair these; re does
        ("(?i)k", "\u212a"),  # the Kelvin sign
        ("(?i)s", "ſ"),
        ("(?i)\u212a", "k"),
        ("(?i)ſ", "S"),
        (r"\w+", "č"),  # RE2's \w is ASCII
        (r"\bčap\b", "a čap."),  # and so is its \b
        (r"[^\W\d_]+", "é"),
        (r"\s", "\u2028"),
        (r"\s", "\x1c"),
        (r"(?a)[^\s]", "\x1c"),  # ASCII mode: \x1c is not white space there
        (r"\d", "٣"),
        (r"(?<=a)b", "ab"),
        (r"(?<!x)b", "ab"),
        (r"(a)\1", "aa"),
        (r"(a)?(?(1)a|b)", "b"),
        (r"a{1001}", "a" * 1001),  # past RE2's largest counted repeat
        ("x$", "x\n"),
        ("(?m)^y", "x\ny"),
        ("(?s).", "\n"),
        (r"(?>a+)b", "aab"),
        ("a++b", "aab"),
        ("(?i:dro)ne", "DROne"),
        ("(?x) dr o ne  # a comment", "drone"),
        ("", "anything"),
        ("x*", ""),
    ],
)
def test_texts_that_re_matches_in_are_never_ruled_out(pattern: str, text: str) -> None:
    assert re.search(pattern, text)
    assert _ruled_in(pattern, 0, text)


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_a_text_a_regex_matches_in_is_never_ruled_out(data: st.DataObject) -> None:
    """The scan's one promise, on patterns and texts hypothesis builds (texts made to match,
    between pieces of any of the characters re folds or classes oddly)."""
    pattern = data.draw(_SAFE_PATTERNS, label="pattern")
    flags = re.IGNORECASE if data.draw(st.booleans(), label="ignore_case") else 0
    compiled = re.compile(pattern, flags)
    around = st.text(_TEXT, max_size=6)
    matching = data.draw(st.from_regex(compiled, alphabet=_TEXT), label="matching")
    text = data.draw(around) + matching + data.draw(around)
    if not compiled.search(text):  # the pieces around broke an anchor or a look-around
        text = matching
    assert compiled.search(text)
    assert _ruled_in(pattern, flags, text), (pattern, flags, text)


def test_texts_without_a_match_are_ruled_out() -> None:
    """Not a scan that lets everything through: texts without the words are left out."""
    assert _ruled_in(DRONES, re.IGNORECASE, "Drone strikes hit the depot, “officials” said.")
    for text in ("Missile tests resumed.", "“Drones” were seen; no strikes.", ""):
        assert not _ruled_in(DRONES, re.IGNORECASE, text), text


def test_without_re2_there_is_no_scan_and_the_hits_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = SearchQuery(DRONES, regex=True, ignore_case=True)
    text = "drone strikes, DRONE STRIKES and drones strike"
    with_scan = list(TextMatcher(query).find(text))
    monkeypatch.setattr(regex_prefilter, "_re2", lambda: None)
    assert quick_search(DRONES) is None and loose_re2(DRONES) is None
    assert list(TextMatcher(query).find(text)) == with_scan == [(0, 13), (15, 28), (33, 46)]


def test_sqlite_hands_python_only_the_texts_the_scan_lets_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan runs inside SQLite: a ruled-out text is never matched in Python."""
    scanned: list[str] = []
    find = TextMatcher.find

    def counted(self: TextMatcher, text: str):  # type: ignore[no-untyped-def]
        scanned.append(text)
        return find(self, text)

    monkeypatch.setattr(TextMatcher, "find", counted)
    # Every text holds what the text index narrows by ("dro", " strike"): only the scan tells.
    texts = [f"Report {i}: drones were seen, but no strikes." for i in range(40)]
    texts[7] = "Officials said drone strikes hit the depot."
    texts[31] = "Two drone strikes, then “Drones strike again”."
    with Workspace(f"sqlite:///{tmp_path / 'scan.sqlite3'}") as ws:
        docs = _replace_documents(ws, texts)
        hits = list(ws.search(SearchQuery(DRONES, regex=True, ignore_case=True)))
        drones = re.compile(DRONES, re.IGNORECASE)
        expected = [(key, *m.span()) for key, body in docs for m in drones.finditer(body)]
        assert [(h.key, h.start, h.end) for h in hits] == expected
        assert [key for key, _s, _e in expected] == ["d7", "d31", "d31"]
        assert len(scanned) == 2  # the two texts with the words, of forty
        scanned.clear()
        assert list(ws.search(SearchQuery(r"\bdrones were seen\W+strikes", regex=True))) == []
        assert scanned == []
