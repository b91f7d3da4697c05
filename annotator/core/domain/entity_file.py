"""The registry as JSON lines: one entity per line, the layout ``entities export`` writes,
``entities import`` reads and a native export's ``entities`` section uses.

``{"id": "e-…", "type": "SPEAKER", "name": "…", "aliases": […], "external_id": null,
"note": "", "merged_into": null}``; every key is always there (column loaders need one type
per key). Problems name the file, the line and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.core.domain.entities import (
    MAX_EXTERNAL_ID,
    EntityRecord,
    clean_kind,
    clean_name,
)
from annotator.core.domain.errors import Problem, ValidationError

KEYS = ("id", "type", "name", "aliases", "external_id", "note", "merged_into")


@dataclass(frozen=True)
class EntityEntry:
    """One entity as a file holds it, checked."""

    key: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    external_id: str | None = None
    note: str = ""
    merged_into: str | None = None
    file: str = ""
    line: int | None = None


def entry_dict(entity: EntityRecord) -> dict[str, Any]:
    return {
        "id": entity.key,
        "type": entity.kind,
        "name": entity.name,
        "aliases": list(entity.aliases),
        "external_id": entity.external_id,
        "note": entity.note,
        "merged_into": entity.merged_into,
    }


class EntryProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse_entry(value: Any, file: str, line: int | None, where: str = "") -> EntityEntry:
    """An entity from its JSON object; ``EntryProblem`` names what is wrong and where."""

    def bad(key: str, reason: str) -> EntryProblem:
        return EntryProblem(Problem(file, line, f"{where}{key}", reason))

    if not isinstance(value, dict):
        raise bad("", "an entity must be a JSON object")
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        raise bad(unknown[0], f"is not a key of an entity ({', '.join(KEYS)})")
    texts: dict[str, str | None] = {}
    for key in ("id", "type", "name", "external_id", "note", "merged_into"):
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            raise bad(key, "must be a string")
        texts[key] = item
    try:
        key = (texts["id"] or "").strip()
        if not key or len(key) > 64:
            raise bad("id", "is missing" if not key else "is longer than 64 characters")
        if texts["type"] is None:
            raise bad("type", "is missing")
        kind = clean_kind(texts["type"])
        if texts["name"] is None:
            raise bad("name", "is missing")
        name = clean_name(texts["name"])
        aliases = value.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise bad("aliases", "must be a list of strings")
        external = (texts["external_id"] or "").strip() or None
        if external is not None and len(external) > MAX_EXTERNAL_ID:
            raise bad("external_id", f"is longer than {MAX_EXTERNAL_ID} characters")
        return EntityEntry(
            key,
            kind,
            name,
            tuple(clean_name(a, "alias") for a in aliases),
            external,
            texts["note"] or "",
            (texts["merged_into"] or "").strip() or None,
            file,
            line,
        )
    except ValidationError as exc:
        raise bad("", str(exc)) from None
