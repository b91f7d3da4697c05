"""One search line over text and annotations, links included (issue 13's example,
``label:STATEMENT stance:denies speaker:Hatami``), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from annotator.core.domain.search_syntax import parse_search
from annotator.core.services.workspace import Workspace

TEXT = (
    "Korvath warns Estmar\n"
    "“Our missile forces will be doubled,” Gen. Yılmaz said. “We deny every report,” "
    "Kovačević said of Estmar's claims. Estmar, Hatami warned, will pay.\n"
)


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@dataclass
class Frames:
    ws: Workspace
    doubled: int  # alice: said by Yılmaz, aimed at Estmar, threatens
    deny: int  # alice: said by Kovačević, aimed at Estmar, opposes
    hatami: int  # bob: said by Hatami, no target
    yilmaz: int
    kovacevic: int
    estmar: int  # alice's TARGET of both her statements
    hatami_speaker: int  # bob's


@pytest.fixture
def frames(workspace: Workspace) -> Frames:
    doc = workspace.documents.add(TEXT, key="warn", title="Korvath warns Estmar")
    alice, bob = workspace.annotations("alice"), workspace.annotations("bob")
    with alice.batch() as edit:
        doubled = edit.create_span(
            doc.id,
            *at("“Our missile forces will be doubled,”"),
            "STATEMENT",
            {"stance": "threatens"},
        )
        deny = edit.create_span(
            doc.id, *at("“We deny every report,”"), "STATEMENT", {"stance": "denies"}
        )
        yilmaz = edit.create_span(doc.id, *at("Gen. Yılmaz"), "SPEAKER")
        kovacevic = edit.create_span(doc.id, *at("Kovačević"), "SPEAKER")
        estmar = edit.create_span(doc.id, *at("Estmar's"), "TARGET")
        edit.link(doubled.id, yilmaz.id, "said_by")
        edit.link(deny.id, kovacevic.id, "said_by")
        edit.link(doubled.id, estmar.id, "aimed_at", {"stance_toward": "threatens"})
        edit.link(deny.id, estmar.id, "aimed_at", {"stance_toward": "opposes"})
    with bob.batch() as edit:
        hatami = edit.create_span(doc.id, *at("Estmar, Hatami warned, will pay."), "STATEMENT")
        said = edit.create_span(doc.id, *at("Hatami"), "SPEAKER")
        edit.link(hatami.id, said.id, "said_by")
    return Frames(
        workspace, doubled.id, deny.id, hatami.id, yilmaz.id, kovacevic.id, estmar.id, said.id
    )


def found(f: Frames, line: str, **options: bool) -> list[int]:
    parsed = parse_search(line, f.ws.active_schema(), **options)
    return [hit.span_id for hit in f.ws.search(parsed.query) if hit.span_id is not None]


def test_the_issues_example_finds_statements_by_value_and_speaker(frames: Frames) -> None:
    assert found(frames, "label:STATEMENT stance:denies speaker:Kovačević") == [frames.deny]
    assert found(frames, "label:STATEMENT stance:denies speaker:Yılmaz") == []
    assert found(frames, "label:STATEMENT speaker:Hatami") == [frames.hatami]
    # the link's own name says the same as its far end's label; case is ignored in both
    assert found(frames, "said_by:kovačević") == [frames.deny]
    assert found(frames, "LABEL:statement SPEAKER:KOVAČEVIĆ") == [frames.deny]


def test_accents_are_ignored_in_a_linked_text_only_when_asked(frames: Frames) -> None:
    assert found(frames, "speaker:kovacevic") == []
    assert found(frames, "speaker:kovacevic", ignore_accents=True) == [frames.deny]


def test_a_link_is_found_from_either_end(frames: Frames) -> None:
    assert found(frames, "label:SPEAKER statement:doubled") == [frames.yilmaz]
    # the statement's speaker and its target both link to it
    assert found(frames, "statement:report") == [frames.kovacevic, frames.estmar]
    assert found(frames, "label:SPEAKER statement:report") == [frames.kovacevic]


def test_a_links_own_value_and_its_far_end(frames: Frames) -> None:
    assert found(frames, "aimed_at:Estmar") == [frames.doubled, frames.deny]
    assert found(frames, "aimed_at:Estmar stance_toward:opposes") == [frames.deny]
    assert found(frames, "label:STATEMENT stance_toward:threatens") == [frames.doubled]
    assert found(frames, "target:estmar stance_toward:neutral") == []


def test_text_and_filters_together_and_a_quoted_phrase_is_text(frames: Frames) -> None:
    assert found(frames, "missile speaker:Yılmaz") == [frames.doubled]
    assert found(frames, '"every report" annotator:alice') == [frames.deny]
    # a link's name reads from its source: said_by:Hatami is what Hatami said, never Hatami's
    # own span, though the statement it is linked from holds the name too
    assert found(frames, "annotator:bob said_by:Hatami") == [frames.hatami]
    assert found(frames, "annotator:bob statement:Hatami") == [frames.hatami_speaker]
    # a filter-looking phrase in quotes is text: no article holds it
    parsed = parse_search('"speaker:Hatami"', frames.ws.active_schema())
    assert parsed.query.links == () and list(frames.ws.search(parsed.query)) == []
