"""What every suggestion engine returns: spans and links, each with its engine and confidence.

A *frame* is a statement span with what it links to (its speaker, targets, weapons). Engines
return plain spans and links keyed locally (``key``), so that a link can name a span of the same
run before anything is stored; the service turns them into rows of the suggestions layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.core.domain.schema.model import Schema


@dataclass(frozen=True)
class SuggestedSpan:
    """A span an engine proposes, with the attribute values its evidence implies."""

    key: str  # unique within one engine run on one document, e.g. "q3" or "w12"
    start: int
    end: int
    label: str
    confidence: float  # 0..1, the engine's own estimate
    engine: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    evidence: str = ""  # why, in a few words ("cue 'said' after quote", "pattern S-\\d{3}")
    refers_to: str = ""  # for a mention ("he", "Yilmaz"): the full name it resolves to, if known


@dataclass(frozen=True)
class SuggestedLink:
    """A link between two suggested spans of the same run, named by their keys."""

    source: str
    target: str
    label: str
    confidence: float
    engine: str


@dataclass(frozen=True)
class Suggestions:
    """One engine run on one document."""

    spans: tuple[SuggestedSpan, ...] = ()
    links: tuple[SuggestedLink, ...] = ()

    def frame_of(
        self, statement_key: str
    ) -> tuple[tuple[SuggestedSpan, ...], tuple[SuggestedLink, ...]]:
        """The statement span with every span it links to and those links."""
        links = tuple(link for link in self.links if link.source == statement_key)
        wanted = {statement_key, *(link.target for link in links)}
        return tuple(s for s in self.spans if s.key in wanted), links


@dataclass(frozen=True)
class FrameRoles:
    """Which labels and relations of a schema make a statement frame.

    Read from the schema's ``exports.statements`` section (label STATEMENT, fields speaker:
    said_by, target: aimed_at, weapon: about), so engines work under any schema that declares
    its statement frame, not only the default one.
    """

    statement_label: str
    speaker_relation: str | None
    speaker_label: str | None
    other_relations: Mapping[str, str]  # relation name -> target label (aimed_at -> TARGET)


def frame_roles(schema: Schema) -> FrameRoles | None:
    """The frame a schema declares, or None when it declares no statements export."""
    config = schema.statements
    if config is None:
        return None
    relations = {r.name: r for r in schema.relations}
    speaker_relation = dict(config.fields).get("speaker")
    speaker = relations.get(speaker_relation) if speaker_relation else None
    others = {
        name: relations[name].target
        for field_name, name in config.fields
        if field_name != "speaker" and name in relations
    }
    return FrameRoles(
        statement_label=config.label,
        speaker_relation=speaker.name if speaker else None,
        speaker_label=speaker.target if speaker else None,
        other_relations=others,
    )


Cancelled = Callable[[], bool]


class Engine(Protocol):
    """A suggestion engine: pure, Qt-free, no database; safe to run off the GUI thread."""

    name: str

    def suggest(self, text: str, *, cancelled: Cancelled | None = None) -> Suggestions:
        """Suggestions for one document's text. Stops early (returning what it has) when
        ``cancelled()`` turns true; checked at least every few thousand characters."""
        ...
