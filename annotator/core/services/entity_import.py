"""Bringing registry entries into a database, inside the caller's transaction: matched to an
entity there by id, then external id, then type and name; otherwise made under the file's id.

Used by ``entities import`` and by the native import (each record's ``entities`` section), so
an entity lands the same way whichever file brings it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.domain.entity_file import EntityEntry
from annotator.core.domain.errors import Problem
from annotator.core.services import entity_rows as rows
from annotator.core.storage.models import Entity


@dataclass
class RegistryMerge:
    """What an import did to the registry; ``ids`` maps each file id to the row it became."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _match(s: Session, entry: EntityEntry) -> Entity | None:
    """The stored entity an entry is: by id; a live entry then by external id, then by type
    and name (a merged entry by type and name only: its external id is its survivor's too)."""
    row = s.scalar(select(Entity).where(Entity.key == entry.key))
    if row is None and entry.external_id is not None and entry.merged_into is None:
        row = s.scalar(
            select(Entity)
            .where(Entity.external_id == entry.external_id, Entity.merged_into.is_(None))
            .order_by(Entity.id)
        )
    if row is None:
        row = s.scalar(select(Entity).where(Entity.kind == entry.kind, Entity.name == entry.name))
    if row is not None and row.merged_into is not None and entry.merged_into is None:
        row = rows.find(s, f"#{row.id}")  # merged here since: its mentions go where it went
    return row


def merge_entries(s: Session, entries: Sequence[EntityEntry], into: RegistryMerge) -> None:
    """Add ``entries`` to the registry; a conflict is a problem in ``into`` (the caller then
    rolls back). Names and aliases are only ever added: nothing stored is lost."""
    made: list[tuple[EntityEntry, Entity]] = []
    # Live entries first: a merged one may share its survivor's external id.
    for entry in sorted(entries, key=lambda e: e.merged_into is not None):
        if entry.key in into.ids:
            continue  # the same entity again (another document of a native file)
        row = _match(s, entry)
        if row is None:
            row = rows.create(
                s,
                entry.name,
                entry.kind,
                external_id=entry.external_id,
                note=entry.note,
                key=entry.key,
            )
            into.created += 1
            changed = True
            made.append((entry, row))
        else:
            if (
                entry.external_id is not None
                and row.external_id is not None
                and row.external_id != entry.external_id
            ):
                into.problems.append(
                    Problem(
                        entry.file,
                        entry.line,
                        "external_id",
                        f"{entry.name!r} has external id {entry.external_id} here but "
                        f"{row.external_id} in the database ({row.key} {row.name!r})",
                    )
                )
                continue
            changed = False
            if row.external_id is None and entry.external_id is not None:
                row.external_id, changed = entry.external_id, True
            if not row.note and entry.note:
                row.note, changed = entry.note, True
            if entry.name != row.name:
                changed = rows.add_alias(s, row, entry.name) is not None or changed
        for alias in entry.aliases:
            changed = rows.add_alias(s, row, alias) is not None or changed
        if row not in (r for _, r in made):
            if changed:
                into.updated += 1
            else:
                into.unchanged += 1
        into.ids[entry.key] = row.id
    for entry, row in made:
        if entry.merged_into is None:
            continue
        target = into.ids.get(entry.merged_into) or s.scalar(
            select(Entity.id).where(Entity.key == entry.merged_into)
        )
        if target is None or target == row.id:
            why = "is neither in the file nor in the database" if target is None else "is itself"
            into.problems.append(
                Problem(
                    entry.file, entry.line, "merged_into", f"entity {entry.merged_into!r} {why}"
                )
            )
            continue
        row.merged_into = target
    s.flush()
