"""The entity registry: canonical speakers and targets across documents (issue 10).

Every change is one transaction. Merging keeps every mention link (they move); the merged
entity stays as a row pointing at the one it went into, so its old id still finds it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from annotator.core.domain import jsonio
from annotator.core.domain.entities import (
    Candidate,
    EntityRecord,
    alias_index,
    clean_kind,
    clean_name,
    is_pronoun,
    normalise_alias,
    rank_candidates,
)
from annotator.core.domain.entity_file import EntityEntry, EntryProblem, entry_dict, parse_entry
from annotator.core.domain.errors import ImportRejected, Problem, ValidationError
from annotator.core.domain.wording import counted
from annotator.core.services import entity_rows as rows
from annotator.core.services.entity_import import RegistryMerge, merge_entries
from annotator.core.services.entity_links import EntityLinks
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Document,
    Entity,
    EntityAlias,
    MentionEntity,
    Span,
)


@dataclass(frozen=True)
class EntitySummary:
    """One line of ``entities list``."""

    entity: EntityRecord
    mentions: int


@dataclass(frozen=True)
class MentionRow:
    """A mention linked to an entity, as ``entities show`` lists it."""

    span_id: int
    document: str
    annotator: str
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class EntityDetail:
    entity: EntityRecord
    mentions: tuple[MentionRow, ...]
    merged: tuple[EntityRecord, ...]  # the entities merged into this one

    def counts(self) -> list[tuple[str, str, int]]:
        """(document, annotator, mentions), for "who said what where"."""
        found: dict[tuple[str, str], int] = {}
        for m in self.mentions:
            found[(m.document, m.annotator)] = found.get((m.document, m.annotator), 0) + 1
        return [(doc, who, n) for (doc, who), n in sorted(found.items())]


class EntityService(EntityLinks):
    """The registry shared by every document and annotator of a database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading --

    def all(self, kind: str | None = None, *, merged: bool = False) -> list[EntitySummary]:
        """Entities by type and name with their mention counts; ``merged`` adds merged ones."""
        with self._db.read() as s:
            query = select(Entity).order_by(Entity.kind, Entity.name, Entity.id)
            if not merged:
                query = query.where(Entity.merged_into.is_(None))
            if kind is not None:
                query = query.where(Entity.kind == clean_kind(kind))
            found = rows.records(s, list(s.scalars(query)))
            counts = rows.mention_counts(s)
        return [EntitySummary(e, counts.get(e.id, 0)) for e in found]

    def get(self, ref: str) -> EntityRecord:
        """By key, external id, name or alias (the live entity a merged key leads to)."""
        with self._db.read() as s:
            return rows.record(s, rows.find(s, ref))

    def by_id(self, entity_id: int) -> EntityRecord:
        with self._db.read() as s:
            return rows.record(s, rows.find(s, f"#{entity_id}"))

    def show(self, ref: str) -> EntityDetail:
        with self._db.read() as s:
            row = rows.find(s, ref)
            found = s.execute(
                select(
                    Span.id,
                    Document.key,
                    Annotator.name,
                    Span.label,
                    Document.text,
                    Span.start,
                    Span.end,
                )
                .join(MentionEntity, MentionEntity.span_id == Span.id)
                .join(Document, Document.id == Span.document_id)
                .join(Annotator, Annotator.id == Span.annotator_id)
                .where(MentionEntity.entity_id == row.id)
                .order_by(Document.id, Annotator.name, Span.start)
            )
            mentions = tuple(
                MentionRow(i, doc, who, label, text[a:b], a, b)
                for i, doc, who, label, text, a, b in found
            )
            merged = rows.records(
                s, list(s.scalars(select(Entity).where(Entity.merged_into == row.id)))
            )
            return EntityDetail(rows.record(s, row), mentions, tuple(merged))

    def suggest_for(self, text: str, kind: str | None = None, limit: int = 20) -> list[Candidate]:
        """The type-ahead's candidates for what was typed (or a mention's text)."""
        with self._db.read() as s:
            found = rows.records(s, rows.live(s))
            uses = rows.mention_counts(s)
            recent = rows.recent_order(s)
        kind = clean_kind(kind) if kind else None
        return rank_candidates(text, found, uses, kind, limit, recent)

    def match(self, text: str) -> EntityRecord | None:
        """The one entity whose name or alias a mention's text is (never for a pronoun):
        what a new mention is pre-linked to."""
        if is_pronoun(text):
            return None
        with self._db.read() as s:
            found = alias_index(rows.records(s, rows.live(s))).get(normalise_alias(text), [])
        return found[0] if len(found) == 1 else None

    # -- the registry --

    def create(
        self,
        name: str,
        kind: str,
        *,
        external_id: str | None = None,
        note: str = "",
        aliases: Sequence[str] = (),
    ) -> EntityRecord:
        with guarded_write(self._db) as s:
            row = rows.create(s, name, kind, external_id=external_id, note=note)
            for alias in aliases:
                rows.add_alias(s, row, alias)
            return rows.record(s, row)

    def rename(self, ref: str, name: str) -> EntityRecord:
        """A new canonical name; the old one stays findable as an alias."""
        with guarded_write(self._db) as s:
            row = rows.find(s, ref)
            name = clean_name(name)
            rows.check_free_name(s, row.kind, name, exclude=row.id)
            old = row.name
            row.name = name
            s.flush()
            s.execute(
                delete(EntityAlias).where(
                    EntityAlias.entity_id == row.id, EntityAlias.alias == name
                )
            )
            rows.add_alias(s, row, old)
            return rows.record(s, row)

    def edit(
        self,
        ref: str,
        *,
        external_id: str | None = None,
        note: str | None = None,
        add_aliases: Sequence[str] = (),
        remove_aliases: Sequence[str] = (),
    ) -> EntityRecord:
        """Set the external id (e.g. a Wikidata QID; "" clears it) or the note, add and remove
        aliases: all of it in one transaction, or none."""
        with guarded_write(self._db) as s:
            row = rows.find(s, ref)
            if external_id is not None:
                row.external_id = external_id.strip() or None
            if note is not None:
                row.note = note
            for alias in add_aliases:
                rows.add_alias(s, row, alias)
            for alias in remove_aliases:
                self._remove_alias_in(s, row, alias)
            s.flush()
            return rows.record(s, row)

    def update(
        self, ref: str, *, external_id: str | None = None, note: str | None = None
    ) -> EntityRecord:
        return self.edit(ref, external_id=external_id, note=note)

    def add_alias(self, ref: str, alias: str) -> EntityRecord:
        return self.edit(ref, add_aliases=[alias])

    def remove_alias(self, ref: str, alias: str) -> EntityRecord:
        return self.edit(ref, remove_aliases=[alias])

    @staticmethod
    def _remove_alias_in(s: Session, row: Entity, alias: str) -> None:
        norm = normalise_alias(alias)
        gone = [
            alias_id
            for alias_id, text in s.execute(
                select(EntityAlias.id, EntityAlias.alias).where(EntityAlias.entity_id == row.id)
            )
            if normalise_alias(text) == norm
        ]
        if not gone:
            raise ValidationError(f"{row.name} has no alias {alias!r}")
        s.execute(delete(EntityAlias).where(EntityAlias.id.in_(gone)))

    def merge(self, source: str, into: str) -> EntityRecord:
        """Merge ``source`` into ``into``: its mentions and aliases move, its name becomes an
        alias, and it stays as a row marked merged (provenance). One transaction."""
        with guarded_write(self._db) as s:
            gone, kept = rows.find(s, source), rows.find(s, into)
            if gone.id == kept.id:
                raise ValidationError(f"{source!r} and {into!r} are the same entity")
            s.execute(
                update(MentionEntity)
                .where(MentionEntity.entity_id == gone.id)
                .values(entity_id=kept.id)
            )
            for alias in [gone.name, *rows.aliases_of(s, [gone.id])[gone.id]]:
                rows.add_alias(s, kept, alias)
            s.execute(delete(EntityAlias).where(EntityAlias.entity_id == gone.id))
            s.execute(
                update(Entity).where(Entity.merged_into == gone.id).values(merged_into=kept.id)
            )
            gone.merged_into = kept.id
            if kept.external_id is None and gone.external_id is not None:
                kept.external_id = gone.external_id
            s.flush()
            return rows.record(s, kept)

    def split(
        self,
        ref: str,
        name: str,
        *,
        mentions: Sequence[int] = (),
        aliases: Sequence[str] = (),
        kind: str | None = None,
    ) -> EntityRecord:
        """A new entity ``name`` taking the chosen mentions (span ids) and aliases of ``ref``."""
        with guarded_write(self._db) as s:
            old = rows.find(s, ref)
            new = rows.create(s, name, kind or old.kind)
            held = set(
                s.scalars(select(MentionEntity.span_id).where(MentionEntity.entity_id == old.id))
            )
            strangers = [i for i in mentions if i not in held]
            if strangers:
                raise ValidationError(
                    f"span #{strangers[0]} is not a mention of {old.name} ({old.key})"
                )
            if mentions:
                s.execute(
                    update(MentionEntity)
                    .where(MentionEntity.span_id.in_(list(mentions)))
                    .values(entity_id=new.id)
                )
            own = rows.aliases_of(s, [old.id])[old.id]
            for alias in aliases:
                norm = normalise_alias(alias)
                moving = [a for a in own if normalise_alias(a) == norm]
                if not moving:
                    raise ValidationError(f"{old.name} has no alias {alias!r}")
                s.execute(
                    delete(EntityAlias).where(
                        EntityAlias.entity_id == old.id, EntityAlias.alias.in_(moving)
                    )
                )
                for text in moving:
                    rows.add_alias(s, new, text)
            return rows.record(s, new)

    # -- files --

    def export_jsonl(self, out: str | Path) -> int:
        """Write the whole registry (merged entities too) as JSON lines; the file appears
        complete or not at all. Returns the number of entities."""
        out = Path(out)
        with self._db.read() as s:
            found = rows.records(
                s, list(s.scalars(select(Entity).order_by(Entity.kind, Entity.name, Entity.id)))
            )
        scratch = out.with_name(f".{out.name}.part")
        try:
            with scratch.open("wb") as handle:
                for entity in found:
                    handle.write(jsonio.dumps_line(entry_dict(entity)))
            os.replace(scratch, out)
        finally:
            scratch.unlink(missing_ok=True)
        return len(found)

    def import_jsonl(self, path: str | Path) -> RegistryMerge:
        """Merge a registry file into this one, all or nothing: every problem is named with
        its file and line, and then nothing is changed."""
        path = Path(path)
        entries, problems = read_registry(path)
        merged = RegistryMerge(problems=problems)
        if problems:
            raise _refused(merged)
        with guarded_write(self._db) as s:
            merge_entries(s, entries, merged)
            if merged.problems:
                raise _refused(merged)
        return merged


def read_registry(path: Path) -> tuple[list[EntityEntry], list[Problem]]:
    """The entries of a registry file, and a problem for each bad line."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(name, None, "", f"cannot read: {exc.strerror}")]
    entries: list[EntityEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = parse_entry(jsonio.loads(line), name, number)
        except jsonio.JSONDecodeError as exc:
            problems.append(Problem(name, number, "", f"not valid JSON ({exc})"))
            continue
        except EntryProblem as exc:
            problems.append(exc.problem)
            continue
        if entry.key in seen:
            problems.append(
                Problem(name, number, "id", f"{entry.key} is also on line {seen[entry.key]}")
            )
            continue
        seen[entry.key] = number
        entries.append(entry)
    if not entries and not problems:
        problems.append(Problem(name, None, "", "the file holds no entities"))
    return entries, problems


def _refused(merged: RegistryMerge) -> ImportRejected:
    return ImportRejected(
        merged.problems,
        f"import refused, nothing was imported ({counted(len(merged.problems), 'problem')}):",
    )
