"""The entity registry's rules, without a database: how a mention's text is compared with the
names and aliases of known entities, which mentions are pronouns, and which candidates a
type-ahead shows first.

A speaker is named in full once ("Defence Minister Aziz Nasirzadeh"), then by surname, title or
pronoun; comparing texts after ``normalise_alias`` lets "Nasirzadeh's", "the minister" and
"“Nasirzadeh”" find the same entity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from annotator.core.domain.errors import ValidationError

MAX_ENTITY_NAME = 500  # the name and alias columns
MAX_EXTERNAL_ID = 200

PRONOUNS = frozenset(
    {
        "he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs",
        "it", "its", "i", "me", "my", "we", "us", "our", "ours", "you", "your",
        "himself", "herself", "itself", "themselves", "ourselves",
    }
)  # fmt: skip

# Titles and roles that precede a name; longest first so "defence minister" wins over "minister".
_TITLES = sorted(
    (
        "gen", "general", "lt", "lieutenant", "lt gen", "lieutenant general", "maj", "major",
        "maj gen", "major general", "brig", "brig gen", "brigadier", "brigadier general",
        "col", "colonel", "adm", "admiral", "rear admiral", "vice admiral", "cmdr", "commander",
        "capt", "captain", "minister", "defence minister", "defense minister",
        "foreign minister", "prime minister", "president", "vice president", "deputy",
        "spokesman", "spokeswoman", "spokesperson", "sheikh", "ayatollah", "mr", "mrs", "ms",
        "dr", "sir", "the", "chief", "secretary", "secretary general",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_TITLE_RE = re.compile(r"^(?:(?:" + "|".join(re.escape(t) for t in _TITLES) + r")\.?\s+)+")
_QUOTES = str.maketrans({c: None for c in "\"'“”‘’«»„‟‚‛`´"})
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|s'|s’)$")


def normalise_alias(text: str) -> str:
    """The form in which names and aliases are compared and stored: NFC, casefolded, without
    typographic quotes, possessive or leading titles, and with single spaces.

    A text that is nothing but a title ("the minister") keeps it: a title alone may still be
    how an article names its speaker.
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    folded = _POSSESSIVE_RE.sub("", " ".join(folded.split()).rstrip(".,;:"))
    folded = " ".join(folded.translate(_QUOTES).split())
    stripped = _TITLE_RE.sub("", folded + " ").strip() if folded else ""
    return stripped or folded


def is_pronoun(text: str) -> bool:
    """A pronoun mention ("he", "its") links to its entity but is never made an alias."""
    return normalise_alias(text) in PRONOUNS


def clean_name(name: str, what: str = "name") -> str:
    """A name or alias as given, trimmed; refused when empty or too long."""
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise ValidationError(f"an entity {what} cannot be empty")
    if len(cleaned) > MAX_ENTITY_NAME:
        raise ValidationError(f"an entity {what} is at most {MAX_ENTITY_NAME} characters")
    return cleaned


def clean_kind(kind: str) -> str:
    """An entity type as stored: one word in upper case ("SPEAKER", "PERSON", "COUNTRY")."""
    cleaned = kind.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_\-]{0,99}", cleaned):
        raise ValidationError(f"{kind!r} is not an entity type (one word: letters, digits, _)")
    return cleaned


@dataclass(frozen=True)
class EntityRecord:
    """An entity as the services hand it out; ``key`` is the stable id exports carry."""

    id: int
    key: str
    kind: str
    name: str
    external_id: str | None = None
    note: str = ""
    aliases: tuple[str, ...] = ()
    merged_into: str | None = None  # the key of the entity it was merged into


@dataclass(frozen=True)
class MentionLink:
    """A mention linked to an entity; what undo of a link, an unlink or a deletion needs."""

    span_id: int
    entity_id: int
    linked_by: str
    linked_at: datetime
    added_alias: str | None = None  # the alias the link added (undo takes it away again)


@dataclass(frozen=True)
class Candidate:
    """One line of the type-ahead: the entity, and the name or alias that matched."""

    entity: EntityRecord
    matched: str
    rank: tuple[int, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """What the popup shows: the name, and the alias that matched when it is another."""
        if normalise_alias(self.matched) == normalise_alias(self.entity.name):
            return self.entity.name
        return f"{self.entity.name} ({self.matched})"


def rank_candidates(
    typed: str,
    entities: Iterable[EntityRecord],
    uses: dict[int, int] | None = None,
    kind: str | None = None,
    limit: int = 20,
    recent: dict[int, int] | None = None,
) -> list[Candidate]:
    """Entities whose name or an alias starts with, then contains, what was typed.

    Within each group: the mention's own type first, then the recently linked (``recent``:
    entity id -> 0 for the latest), then the most used (``uses``: mentions per entity id),
    then by name. Nothing typed lists every entity that way.
    """
    wanted = normalise_alias(typed) if typed.strip() else ""
    uses = uses or {}
    recent = recent or {}
    found: list[Candidate] = []
    for entity in entities:
        if entity.merged_into is not None:
            continue
        best: tuple[int, str] | None = None
        for text in (entity.name, *entity.aliases):
            norm = normalise_alias(text)
            words = norm.split()
            if not wanted or norm == wanted:
                score = 0
            elif norm.startswith(wanted):
                score = 1
            elif any(w.startswith(wanted) for w in words):
                score = 2
            elif wanted in norm:
                score = 3
            else:
                continue
            if best is None or score < best[0]:
                best = (score, text)
        if best is None:
            continue
        rank = (
            best[0],
            0 if kind is None or entity.kind == kind else 1,
            recent.get(entity.id, len(recent)),
            -uses.get(entity.id, 0),
        )
        found.append(Candidate(entity, best[1], rank))
    found.sort(key=lambda c: (c.rank, c.entity.name.casefold(), c.entity.id))
    return found[:limit]


def alias_index(entities: Sequence[EntityRecord]) -> dict[str, list[EntityRecord]]:
    """Normalised name or alias -> the live entities it names (prelinking a document)."""
    index: dict[str, list[EntityRecord]] = {}
    for entity in entities:
        if entity.merged_into is not None:
            continue
        for text in {normalise_alias(t) for t in (entity.name, *entity.aliases)}:
            index.setdefault(text, []).append(entity)
    return index
