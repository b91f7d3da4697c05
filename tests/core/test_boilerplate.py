"""Boilerplate recognised in scraped articles, and marked by hand (issue 13, defect 2): the
site's lines, the headline again, captions, "Read more", "Recent Posts", the mailing list and
© lines are found; the story, and every span the demo's annotators made, are not."""

from __future__ import annotations

import json

import pytest

from annotator.core.domain import boilerplate as bp
from annotator.core.domain.errors import ValidationError
from annotator.core.formats.readers.boilerplate import detect_boilerplate
from annotator.core.services.bundled import demo_corpus, demo_team_work
from annotator.core.services.workspace import Workspace
from tests import scraped_pages


def flagged_lines(text: str) -> list[str]:
    return [text[s:e] for s, e in detect_boilerplate(text)]


def test_the_furniture_of_a_scraped_page_is_found_and_the_story_is_not() -> None:
    text = scraped_pages.REPEATED
    lines = text.splitlines()
    headline = "Valdoria vows retaliation after drone strike on Orsk depot"
    assert flagged_lines(text) == [
        "Skip to main content",
        "Eastern Flank Observer",
        "News · Analysis · Maps · Podcasts",
        headline,  # the second time
        "Smoke rises over the Orsk depot after the strike. © CPA/Dario Kranjčević",
    ]
    second = detect_boilerplate(text)[3]
    assert text.index(headline) < second[0]  # the headline itself stays
    assert lines[-1] not in flagged_lines(text)


@pytest.mark.parametrize("page", ["CATEGORIES", "JOBS_SLOGAN", "STANDFIRST"])
def test_the_story_of_every_scraped_page_stays(page: str) -> None:
    text = getattr(scraped_pages, page)
    story = [ln for ln in text.splitlines() if ln.strip()][-1]
    assert story not in flagged_lines(text)
    assert any("Share" in ln or "Search" in ln or "Tags" in ln for ln in flagged_lines(text))


def _demo() -> list[dict]:
    docs = [json.loads(line) for line in demo_corpus().read_text(encoding="utf-8").splitlines()]
    team = demo_team_work().read_text(encoding="utf-8").splitlines()
    return docs + [json.loads(line) for line in team]


def test_the_demo_articles_tails_are_boilerplate_and_no_annotation_lies_in_it() -> None:
    for doc in _demo():
        text = doc["text"]
        found = bp.merge(detect_boilerplate(text))
        lines = flagged_lines(text)
        assert "Recent Posts" in lines, doc["id"]
        assert any(ln.startswith(("©", "Copyright ©")) for ln in lines), doc["id"]
        assert any(ln.startswith("Join the mailing list") for ln in lines), doc["id"]
        assert sum(" ago" in ln for ln in lines) >= 3, doc["id"]
        assert lines.count(doc["title"]) <= 1, doc["id"]  # once at most: the repeat
        for span in doc.get("spans", []):
            assert not bp.overlapping(found, span["start"], span["end"]), (doc["id"], span)


def test_marks_toggle_and_combine_with_what_was_recognised() -> None:
    detected = [(0, 10), (20, 30)]
    marked, unmarked = bp.toggled(detected, [], [], (40, 50))  # not boilerplate: marked
    assert (marked, unmarked) == ([(40, 50)], [])
    now = bp.effective(detected, marked, unmarked)
    assert now == [(0, 10), (20, 30), (40, 50)]
    marked, unmarked = bp.toggled(now, marked, unmarked, (20, 30))  # recognised: unmarked
    assert bp.effective(detected, marked, unmarked) == [(0, 10), (40, 50)]
    marked, unmarked = bp.toggled(
        bp.effective(detected, marked, unmarked), marked, unmarked, (40, 50)
    )
    assert bp.effective(detected, marked, unmarked) == [(0, 10)]
    assert bp.whole_lines("ab\ncd ef\ngh", 4, 5) == (3, 8)
    assert bp.covering([(3, 8)], 3, 8) and not bp.covering([(3, 8)], 2, 8)
    assert bp.overlapping([(3, 8)], 7, 20) and not bp.overlapping([(3, 8)], 8, 20)


def test_marks_are_stored_in_the_meta_and_the_text_never_changes(workspace: Workspace) -> None:
    text = scraped_pages.REPEATED
    doc = workspace.documents.add(text, key="page", meta={"source_site": "efo"})
    service = workspace.boilerplate
    recognised = service.ranges(doc.id)
    story = bp.whole_lines(text, text.index("ORSK"), text.index("ORSK") + 1)
    now = service.set_marks(doc.id, [story], [recognised[0]])
    assert story in now and recognised[0] not in now
    assert service.ranges(doc.id) == now
    again = workspace.documents.get(doc.id)
    assert again.text == text and again.meta["source_site"] == "efo"
    assert again.meta["boilerplate"] == {"marked": [list(story)], "unmarked": [list(recognised[0])]}
    with pytest.raises(ValidationError):
        service.set_marks(doc.id, [(0, len(text) + 5)], [])
    assert service.ranges(doc.id) == now
    service.set_marks(doc.id, [], [])
    assert "boilerplate" not in workspace.documents.get(doc.id).meta
    assert service.ranges(doc.id) == recognised
