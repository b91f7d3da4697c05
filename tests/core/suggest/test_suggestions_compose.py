"""Composing several engines' suggestions: duplicates merged, spans inside a statement linked
to it by the frame's relations, and the engine registry."""

from __future__ import annotations

import pytest

from annotator.core.domain.errors import ValidationError
from annotator.core.domain.suggesting.composer import compose
from annotator.core.domain.suggesting.frames import (
    SuggestedLink,
    SuggestedSpan,
    Suggestions,
    frame_roles,
)
from annotator.core.domain.suggesting.registry import (
    EngineUnavailable,
    available_engines,
    engine_names,
    make_engine,
)
from annotator.core.services.bundled import default_schema

ROLES = frame_roles(default_schema())


def span(key: str, start: int, end: int, label: str, engine: str, conf: float) -> SuggestedSpan:
    return SuggestedSpan(key, start, end, label, conf, engine, evidence=f"{engine} {key}")


QUOTES = Suggestions(
    spans=(
        span("q1", 0, 50, "STATEMENT", "quotes", 0.8),
        span("q2", 55, 60, "SPEAKER", "quotes", 0.7),
        span("q3", 10, 20, "WEAPON", "quotes", 0.4),
    ),
    links=(SuggestedLink("q1", "q2", "said_by", 0.7, "quotes"),),
)
PATTERNS = Suggestions(
    spans=(
        span("p1", 10, 20, "WEAPON", "patterns", 0.6),
        span("p2", 30, 34, "TARGET", "patterns", 0.6),
        span("p3", 70, 80, "WEAPON", "patterns", 0.6),
    )
)


def test_duplicates_merge_keeping_the_most_confident_and_every_engine() -> None:
    composed = compose([QUOTES, PATTERNS], ROLES)
    weapon = next(m for m in composed.spans if m.place == (10, 20, "WEAPON"))
    assert weapon.engines == ("quotes", "patterns")
    assert (weapon.span.confidence, weapon.span.evidence) == (0.6, "patterns p1")
    assert len(composed.spans) == 5


def test_spans_inside_a_statement_get_the_frames_links() -> None:
    composed = compose([QUOTES, PATTERNS], ROLES)
    links = {(m.source, m.target, m.label): m for m in composed.links}
    statement = (0, 50, "STATEMENT")
    assert set(links) == {
        (statement, (55, 60, "SPEAKER"), "said_by"),
        (statement, (10, 20, "WEAPON"), "about"),
        (statement, (30, 34, "TARGET"), "aimed_at"),
    }  # the weapon at 70-80 lies outside: no link
    about = links[(statement, (10, 20, "WEAPON"), "about")]
    assert about.engines == ("quotes", "patterns") and about.confidence == 0.6


def test_a_span_is_linked_to_the_innermost_statement_only() -> None:
    nested = Suggestions(
        spans=(
            span("a", 0, 100, "STATEMENT", "quotes", 0.9),
            span("b", 5, 40, "STATEMENT", "quotes", 0.9),
            span("w", 10, 20, "WEAPON", "patterns", 0.6),
        )
    )
    composed = compose([nested], ROLES)
    assert [(m.source, m.label) for m in composed.links] == [((5, 40, "STATEMENT"), "about")]


def test_without_a_frame_nothing_is_linked() -> None:
    assert compose([PATTERNS], None).links == ()


def test_the_registry_knows_patterns_and_says_when_quotes_is_missing() -> None:
    schema = default_schema()
    assert engine_names() == ("patterns", "quotes")
    assert make_engine("patterns", schema).name == "patterns"
    with pytest.raises(ValidationError, match=r"no engine 'regexes' \(engines: patterns, quotes\)"):
        make_engine("regexes", schema)
    try:
        quotes = make_engine("quotes", schema)
    except EngineUnavailable as exc:
        assert str(exc) == "engine 'quotes' is not available in this installation"
        assert [e.name for e in available_engines(schema)] == ["patterns"]
    else:  # once the quotes engine is merged it is built from the schema's cue verbs
        assert quotes.name == "quotes"
        assert [e.name for e in available_engines(schema)] == ["patterns", "quotes"]
