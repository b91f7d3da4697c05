"""Corpus search as a team lead uses it: text, regular expressions, labels, values, layers and
statuses, on SQLite and PostgreSQL alike, a page at a time."""

from __future__ import annotations

from itertools import islice

import pytest

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.searching import Hit, SearchQuery, snippet
from annotator.core.services import search as search_module
from annotator.core.services.workspace import Workspace

WARN = (
    "Korvath warns Estmar over missile plan\n"
    "“Our missile forces will be doubled within five years,” Gen. Yılmaz said on Saturday.\n"
    "The ministry denied that drones were shipped to Estmar.\n"
)
DENY = (
    "Dalmora denies shipping rockets\n"
    "“We know where these weapons come from,” Kovačević said. ‘ÉTAT’ and état were quoted.\n"
    "MISSILE shipments stopped, the Missile agency said.\n"
)
QUIET = "A quiet week\nNothing about weapons at all.\n"


def at(text: str, fragment: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``fragment``: found, not counted by hand."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


@pytest.fixture
def corpus(workspace: Workspace) -> Workspace:
    """Three documents; alice and bob annotated the first two, gold holds one statement."""
    warn = workspace.documents.add(WARN, key="warn", title="Korvath warns Estmar")
    deny = workspace.documents.add(DENY, key="deny", title="Dalmora denies")
    workspace.documents.add(QUIET, key="quiet", title="A quiet week")
    alice, bob = workspace.annotations("alice"), workspace.annotations("bob")
    quote = at(WARN, "“Our missile forces will be doubled within five years,”")
    alice.create_span(warn.id, *quote, "STATEMENT", {"stance": "threatens", "form": "direct"})
    alice.create_span(warn.id, *at(WARN, "Gen. Yılmaz"), "SPEAKER")
    alice.create_span(warn.id, *at(WARN, "Estmar"), "TARGET")
    bob.create_span(warn.id, *quote, "STATEMENT", {"stance": "supports"})
    deny_quote = at(DENY, "“We know where these weapons come from,”")
    bob.create_span(deny.id, *deny_quote, "STATEMENT", {"stance": "denies"})
    bob.create_span(deny.id, *at(DENY, "Kovačević"), "SPEAKER")
    alice.set_status(warn.id, "done")
    bob.set_status(deny.id, "in_progress")
    workspace.gold().create_span(warn.id, *quote, "STATEMENT", {"stance": "threatens"})
    return workspace


def hits(ws: Workspace, **asked: object) -> list[Hit]:
    return list(ws.search(SearchQuery(**asked)))  # type: ignore[arg-type]


def places(found: list[Hit]) -> list[tuple[str, str]]:
    """(document, the text at the hit's offsets) for each hit: what a reader checks."""
    texts = {"warn": WARN, "deny": DENY, "quiet": QUIET}
    return [(h.key, texts[h.key][h.start : h.end]) for h in found]


def test_plain_text_ignores_case_and_lists_every_occurrence_in_order(corpus: Workspace) -> None:
    found = hits(corpus, text="missile")
    assert places(found) == [
        ("warn", "missile"),
        ("warn", "missile"),
        ("deny", "MISSILE"),
        ("deny", "Missile"),
    ]
    assert [h.start for h in found[:2]] == [at(WARN, "missile")[0], at(WARN, "missile", 1)[0]]
    assert all(h.span_id is None and h.label is None for h in found)
    assert found[0].title == "Korvath warns Estmar"
    exact = hits(corpus, text="Missile", ignore_case=False)
    assert places(exact) == [("deny", "Missile")]


def test_text_that_is_not_ascii_is_found_with_or_without_case(corpus: Workspace) -> None:
    # SQL's LIKE folds ASCII case only: "état" must still find "ÉTAT".
    assert places(hits(corpus, text="état")) == [("deny", "ÉTAT"), ("deny", "état")]
    assert places(hits(corpus, text="état", ignore_case=False)) == [("deny", "état")]
    assert places(hits(corpus, text="yılmaz")) == [("warn", "Yılmaz")]


def test_accents_are_ignored_only_when_asked(corpus: Workspace) -> None:
    assert hits(corpus, text="kovacevic") == []
    found = hits(corpus, text="kovacevic", ignore_accents=True)
    assert places(found) == [("deny", "Kovačević")]
    both = hits(corpus, text="etat", ignore_accents=True)
    assert places(both) == [("deny", "ÉTAT"), ("deny", "état")]


def test_regular_expressions_and_a_bad_one_refused_with_a_clear_error(corpus: Workspace) -> None:
    found = hits(corpus, text=r"\bdr\w+s\b", regex=True)
    assert places(found) == [("warn", "drones")]
    assert places(hits(corpus, text=r"(?i)^the \w+", regex=True)) == []  # ^: the text's start
    assert places(hits(corpus, text=r"(?m)^the \w+", regex=True)) == [("warn", "The ministry")]
    # Characters special to a regular expression are plain without --regex.
    assert hits(corpus, text="(") == []
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        corpus.search(SearchQuery(text="missile(", regex=True))
    # A pattern that can match nothing at all finds no empty hits.
    assert hits(corpus, text="x*", regex=True) == []


def test_label_finds_annotations_of_every_person_with_their_annotator(corpus: Workspace) -> None:
    found = hits(corpus, labels=("STATEMENT",))
    assert [(h.key, h.label, h.annotator) for h in found] == [
        ("warn", "STATEMENT", "alice"),
        ("warn", "STATEMENT", "bob"),
        ("deny", "STATEMENT", "bob"),
    ]  # gold only when asked for by name
    assert all(h.span_id is not None for h in found)
    assert places(found)[0] == ("warn", "“Our missile forces will be doubled within five years,”")
    # With text: the annotations whose own text holds it.
    speakers = hits(corpus, text="kova", labels=("SPEAKER", "TARGET"))
    assert places(speakers) == [("deny", "Kovačević")]


def test_attribute_value_and_layer(corpus: Workspace) -> None:
    threats = hits(corpus, attributes=(("stance", "threatens"),))
    assert [(h.key, h.annotator, h.attributes["stance"]) for h in threats] == [
        ("warn", "alice", "threatens")
    ]
    gold = hits(corpus, attributes=(("stance", "threatens"),), layers=("gold",))
    assert [(h.key, h.annotator) for h in gold] == [("warn", "gold")]
    both = hits(corpus, attributes=(("stance", "threatens"), ("form", "direct")))
    assert len(both) == 1
    assert hits(corpus, attributes=(("stance", "threatens"), ("form", "indirect"))) == []
    bobs = hits(corpus, layers=("bob",))
    assert {h.annotator for h in bobs} == {"bob"} and len(bobs) == 3
    with pytest.raises(ValidationError, match="no annotator or layer called carol"):
        corpus.search(SearchQuery(text="missile", layers=("carol",)))


def test_status_filters_documents_by_the_searched_layers_status(corpus: Workspace) -> None:
    assert {h.key for h in hits(corpus, text="said", statuses=("done",))} == {"warn"}
    # Annotating puts a document in progress: bob's two.
    assert {h.key for h in hits(corpus, text="said", statuses=("in_progress",))} == {"warn", "deny"}
    # "new": a document some searched annotator has not opened (alice never opened "deny").
    assert {h.key for h in hits(corpus, text="a", statuses=("new",))} == {"deny", "quiet"}
    alice_new = hits(corpus, text="weapons", layers=("alice",), statuses=("new",))
    assert alice_new == []  # alice's layer: annotations only, and she has none in "deny"
    bob_statements = hits(corpus, labels=("STATEMENT",), statuses=("in_progress",))
    assert [(h.key, h.annotator) for h in bob_statements] == [("warn", "bob"), ("deny", "bob")]


def test_pages_and_stopping_early_read_only_what_is_shown(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        workspace.documents.add(f"Report {n}: the missile test failed.", key=f"r{n:02}")
    monkeypatch.setattr(search_module, "FIRST_BATCH", 4)
    monkeypatch.setattr(search_module, "MAX_BATCH", 4)
    read: list[int] = []
    real = search_module._documents

    def counting(db, which, narrow):  # type: ignore[no-untyped-def]
        found = real(db, which, narrow)
        read.extend(row[0] for row in found)
        return found

    monkeypatch.setattr(search_module, "_documents", counting)
    query = SearchQuery(text="missile")
    page = list(islice(workspace.search(query), 10, 15))
    assert [h.key for h in page] == ["r10", "r11", "r12", "r13", "r14"]
    assert len(read) == 16  # four batches of four: nothing past the page
    seen: list[tuple[int, int]] = []
    stopped = list(
        workspace.search(query, lambda done, total: seen.append((done, total)) or done < 8)
    )
    assert [h.key for h in stopped] == [f"r{n:02}" for n in range(8)]
    assert seen[-1] == (8, 30)


def test_snippets_are_one_line_of_the_documents_own_text(corpus: Workspace) -> None:
    (hit,) = hits(corpus, text="Kovačević")
    assert hit.match == "Kovačević"
    assert "\n" not in hit.snippet
    assert hit.before.endswith("come from,” ") and hit.after.startswith(" said. ‘ÉTAT’")
    start = DENY.index(hit.before.lstrip("…").replace(" “We", "\n“We"))
    assert start < hit.start
    # Near the start and the end of a text: no ellipsis, nothing past the ends.
    first = hits(corpus, text="Dalmora")[0]
    assert first.before == "" and first.match == "Dalmora"
    last = hits(corpus, text="agency said.")[0]
    assert last.after == " "  # the text's final newline, shown as a space


def test_snippet_bounds_cut_at_words_and_shorten_a_long_match() -> None:
    text = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike " * 3
    start, end = at(text, "hotel", 1)
    before, match, after = snippet(text, start, end, context=20)
    assert (before, match) == ("…echo foxtrot golf ", "hotel")
    assert after == " india juliett kilo…"
    assert text[start - len(before) + 1 : start] == before[1:]
    long_before, long_match, _ = snippet(text, 0, len(text))
    assert long_before == "" and "…" in long_match and len(long_match) < len(text)


def test_nothing_asked_is_refused(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="nothing to search for"):
        workspace.search(SearchQuery())
    with pytest.raises(ValidationError, match="status 'finished'"):
        workspace.search(SearchQuery(text="x", statuses=("finished",)))


def test_an_annotation_hit_shows_the_same_snippet_as_its_whole_text_would(
    workspace: Workspace,
) -> None:
    """Annotation hits read only the span and its context from the database: what they show
    must be what the whole text gives, at a text's start and end, after characters outside
    ASCII (offsets are characters, not bytes) and for a span longer than a hit shows."""
    body = "Ünïcödé 😀 " * 12 + "“We will respond,” Kovačević said. " + "x y " * 80 + "end."
    doc = workspace.documents.add(body, key="d", title="D")
    alice = workspace.annotations("alice")
    spans = [(0, 7), at(body, "“We will respond,”"), at(body, "Kovačević"), (5, len(body) - 3)]
    spans.append((len(body) - 4, len(body)))
    for start, end in spans:
        alice.create_span(doc.id, start, end, "STATEMENT")
    found = hits(workspace, labels=("STATEMENT",))
    assert [(h.start, h.end) for h in found] == sorted(spans)
    for hit in found:
        assert (hit.before, hit.match, hit.after) == snippet(body, hit.start, hit.end)
    with_text = hits(workspace, labels=("STATEMENT",), text="respond")
    assert [(h.start, h.end) for h in with_text] == sorted(spans[1:4:2])


def test_ignoring_case_text_finds_every_form_re_takes_for_its_letters(workspace: Workspace) -> None:
    """``re`` ignoring case takes ``ſ`` for s, ``ı`` for i and the Kelvin sign for k; SQLite's
    LIKE folds ASCII only, so the narrowing must not drop these texts."""
    body = "The miſſile was fired. A \u212aey point. Dırty tricks.\n"
    workspace.documents.add(body, key="odd")
    workspace.documents.add("Nothing here.\n", key="plain")
    for asked, form in [
        ("missile", "miſſile"),
        ("key point", "\u212aey point"),
        ("dirty", "Dırty"),
    ]:
        found = hits(workspace, text=asked)
        assert [(h.key, h.match) for h in found] == [("odd", form)], asked
        assert hits(workspace, text=asked, ignore_case=False) == []
