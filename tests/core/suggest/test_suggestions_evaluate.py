"""Evaluating the stored suggestions against a person's done work: precision, recall and F1
per engine and label, and whether found statements name the right speaker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.suggesting import registry
from annotator.core.domain.suggesting.frames import (
    Cancelled,
    SuggestedLink,
    SuggestedSpan,
    Suggestions,
)
from annotator.core.services.workspace import Workspace
from tests.core.suggest.suggestion_helpers import (
    MISSILES,
    NATO,
    QUOTE,
    TEXT,
    at,
    workspace_with_quotes,
)

SPEAKER = at(TEXT, "Gen. Yilmaz")


class SpeakerEngine:
    """Stands in for the quotes engine (another branch): the quote, said by Gen. Yilmaz."""

    name = "speakers"

    def suggest(self, text: str, *, cancelled: Cancelled | None = None) -> Suggestions:
        return Suggestions(
            spans=(
                SuggestedSpan("s", *QUOTE, "STATEMENT", 0.9, self.name),
                SuggestedSpan("k", *SPEAKER, "SPEAKER", 0.8, self.name, refers_to="Ali Yilmaz"),
            ),
            links=(SuggestedLink("s", "k", "said_by", 0.8, self.name),),
        )


@pytest.fixture
def ws_doc(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, int]]:
    monkeypatch.setitem(registry.FACTORIES, "speakers", lambda schema, **options: SpeakerEngine())
    ws, doc = workspace_with_quotes(sqlite_url)
    alice = ws.annotations("alice")
    statement = alice.create_span(doc, *QUOTE, "STATEMENT", {"stance": "threatens"})
    yilmaz = alice.create_span(doc, SPEAKER[0] + len("Gen. "), SPEAKER[1], "SPEAKER")
    alice.link(statement.id, yilmaz.id, "said_by")
    alice.create_span(doc, *MISSILES, "WEAPON", {"weapon_type": "ballistic_missile"})
    alice.create_span(doc, *NATO, "TARGET")
    alice.set_status(doc, "done")
    try:
        yield ws, doc
    finally:
        ws.close()


def test_scores_per_engine_and_label(ws_doc: tuple[Workspace, int]) -> None:
    ws, _ = ws_doc
    service = ws.suggestions()
    service.compute(engines=["patterns", "speakers"])
    result = service.evaluate("alice")
    assert (result.against, result.documents) == ("alice", 1)
    # Both engines proposed the quote: one suggestion that remembers both, the surer version.
    (statement,) = [x for x in service.suggestions(ws_doc[1]) if x.label == "STATEMENT"]
    assert statement.engines == ("patterns", "speakers") and statement.confidence == 0.9
    by = {e.engine: e for e in result.engines}
    assert list(by) == ["patterns", "speakers", "all"]
    patterns = by["patterns"]
    # Patterns found the quote, the missiles and NATO, and suggested "Drones" too.
    assert {k: (s.found, s.suggested, s.reference) for k, s in patterns.labels.items()} == {
        "STATEMENT": (1, 1, 1),
        "TARGET": (1, 1, 1),
        "WEAPON": (1, 2, 1),
    }
    assert patterns.labels["WEAPON"].precision == 0.5 and patterns.labels["WEAPON"].recall == 1
    assert round(patterns.labels["WEAPON"].f1, 4) == 0.6667
    # The speaker engine's "Gen. Yilmaz" overlaps alice's "Yilmaz": found, and right.
    speakers = by["speakers"]
    assert speakers.labels["SPEAKER"].found == 1
    assert (speakers.speakers.right, speakers.speakers.judged) == (1, 1)
    assert patterns.speakers.judged == 1 and patterns.speakers.right == 0  # no said_by of its own
    assert by["all"].total.reference == 4 and by["all"].total.found == 4


def test_only_documents_the_reference_marked_done_count(ws_doc: tuple[Workspace, int]) -> None:
    ws, doc = ws_doc
    ws.documents.add(TEXT.replace("Korvath", "Estmar"), key="art-2")
    service = ws.suggestions()
    service.compute(engines=["patterns"])
    assert service.evaluate("alice").documents == 1
    ws.annotations("alice").set_status(doc, "in_progress")
    assert service.evaluate("alice").documents == 0


def test_a_reference_that_does_not_exist_is_named(ws_doc: tuple[Workspace, int]) -> None:
    ws, _ = ws_doc
    service = ws.suggestions()
    with pytest.raises(ValidationError, match="no suggestions in this database yet"):
        service.evaluate("alice")
    service.compute()
    with pytest.raises(ValidationError, match="no annotator or layer called 'nobody'"):
        service.evaluate("nobody")
    with pytest.raises(ValidationError, match="cannot be their own reference"):
        service.evaluate("suggestions")
