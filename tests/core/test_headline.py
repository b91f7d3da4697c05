"""The title of a scraped article is its headline, not the site's furniture (issue 13, defect 1).

The pages are written as scrapes of real news sites come out: category lines, breadcrumbs,
share bars, a jobs site's slogan, the headline twice, a standfirst, bylines and dates. Every
reader that finds no title of its own (plain text, HTML, JSONL without ``title``) goes through
the same detection; a JSONL ``title`` is kept as given, and the text is never changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.domain.errors import NotFoundError, ValidationError
from annotator.core.formats.readers import read_html, read_jsonl, read_txt
from annotator.core.formats.readers.headline import detect_headline, is_boilerplate
from annotator.core.services.bundled import demo_corpus
from annotator.core.services.workspace import Workspace
from tests.scraped_pages import (
    CATEGORIES,
    HTML_PAGE,
    HTML_SITE_TITLE,
    HTML_TITLE_ONLY,
    JOBS_SLOGAN,
    REPEATED,
    SLOGAN_ALONE,
    STANDFIRST,
)

PAGES = {
    "categories": (CATEGORIES, "Iran warns it will strike back at any attack on its nuclear sites"),
    "jobs-slogan": (JOBS_SLOGAN, "Sarnova signs €2bn deal for 40 Albatros cruise missiles"),
    "slogan-alone": (SLOGAN_ALONE, "Valdoria orders 12 air-defence batteries after drone strikes"),
    "repeated": (REPEATED, "Valdoria vows retaliation after drone strike on Orsk depot"),
    "standfirst": (STANDFIRST, "Dalmora denies shipping rockets and drones to Valdorian rebels"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_plain_text_page_is_titled_by_its_headline(name: str, tmp_path: Path) -> None:
    text, headline = PAGES[name]
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_txt(path, name)
    assert doc.title == headline
    assert doc.text == text  # nothing is taken out of the text: offsets depend on it


@pytest.mark.parametrize(
    ("page", "headline"),
    [
        (HTML_PAGE, "Korvath tests hypersonic glide vehicle, ministry says"),
        (HTML_SITE_TITLE, "Halvard adds 38 Korvathi missile suppliers to sanctions list"),
        (HTML_TITLE_ONLY, "Estmar moves Skyward batteries to eastern border"),
    ],
)
def test_an_html_page_is_titled_by_its_h1_or_its_own_title(
    page: str, headline: str, tmp_path: Path
) -> None:
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert read_html(path, "page").title == headline


def test_jsonl_keeps_a_given_title_and_finds_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "scraped.jsonl"
    records = [
        {"id": "given", "title": "Team lead's own title", "text": CATEGORIES},
        {"id": "missing", "text": JOBS_SLOGAN},
        {"id": "blank", "title": "  ", "text": REPEATED},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    titles = {d.key: d.title for d in read_jsonl(path)}  # type: ignore[union-attr]
    assert titles == {
        "given": "Team lead's own title",
        "missing": PAGES["jobs-slogan"][1],
        "blank": PAGES["repeated"][1],
    }


def test_the_demo_articles_are_found_without_their_titles() -> None:
    """The bundled corpus, its titles taken away: each headline is found again."""
    for line in demo_corpus().read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert detect_headline(record["text"]) == record["title"], record["id"]


@pytest.mark.parametrize(
    "line",
    [
        "Categories: Hard NewsSecurity",
        "Home › Defence › Missiles & Strategic Forces",
        "Share · Post · Email · Print",
        "Frontier Security Review · Search… · Subscribe · Log in",
        "Search… · Subscribe",
        "Menu | Search | Newsletter",
        "By Lena Hartmann | Meridian Wire Service",
        "21 March 2026 · 4 min read",
        "Photo: A Tarkan-2 missile on a mobile launcher. (Meridian Wire)",
        "© CPA/Inês Barros",
        "Skip to main content",
    ],
)
def test_known_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fall after Korvath missile test",
        "Updated rules for arms exports take effect",
        "Home guard called up as Valdoria mobilises",
        "Korvath › Estmar talks collapse",
    ],
)
def test_headlines_that_start_like_boilerplate_are_not(line: str) -> None:
    assert not is_boilerplate(line)


def test_an_import_stores_the_headline(tmp_path: Path) -> None:
    """Through the importer: the list, the filter and the exports all read this title."""
    page = tmp_path / "iran.txt"
    page.write_text(CATEGORIES, encoding="utf-8")
    with Workspace(f"sqlite:///{tmp_path / 'db.sqlite3'}") as ws:
        ws.import_files([page])
        ids = ws.documents.ids(None, search="strike back")
        assert len(ids) == 1
        assert ws.documents.get(ids[0]).title == PAGES["categories"][1]
        assert ws.documents.ids(None, search="Categories") == []


def test_a_rename_is_checked_and_committed_and_leaves_the_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with Workspace(url) as ws, Workspace(url) as other:
        doc = ws.documents.add(CATEGORIES, key="iran")
        renamed = ws.documents.rename(doc.id, "  Iran vows\tto strike\nback ")
        assert renamed.title == "Iran vows to strike back"
        seen = other.documents.get(doc.id)  # committed: another connection reads it
        assert (seen.title, seen.text, seen.content_hash) == (
            "Iran vows to strike back",
            doc.text,
            doc.content_hash,
        )
        for bad in ("", " \n\t", "x" * 501):
            with pytest.raises(ValidationError):
                ws.documents.rename(doc.id, bad)
        with pytest.raises(NotFoundError):
            ws.documents.rename(doc.id + 100, "Anything")
        assert other.documents.get(doc.id).title == "Iran vows to strike back"
