"""The dashboard's figures: progress over time, labels and values, speakers, agreement.

Each table is one aggregate query (grouped in SQL, a few hundred rows back however large the
corpus), read in one snapshot, on SQLite and PostgreSQL alike. Agreement is the agreement
report's (``services/agreement.py``), measured only when asked: it reads every span.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Text, case, cast, func, select

from annotator.core.domain import layers as layer_kinds
from annotator.core.domain.entities import is_pronoun, normalise_alias
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.domain.statistics import (
    Table,
    agreement_table,
    label_and_value_tables,
    pair_agreement_table,
    progress_table,
    speaker_table,
)
from annotator.core.domain.suggesting.frames import frame_roles
from annotator.core.services.agreement import (
    compared_attributes,
    measure_agreement,
    measure_pairs,
    partners,
)
from annotator.core.services.exporting.source import snapshot
from annotator.core.services.team_reading import choose_layers
from annotator.core.storage.db import Database
from annotator.core.storage.models import (
    Annotator,
    Document,
    DocumentStatus,
    Entity,
    MentionEntity,
    Relation,
    Span,
)


class StatisticsCancelled(ValidationError):
    """The caller's progress callback said stop; nothing was measured."""


class StatisticsService:
    """Figures over a database's work under one schema. ``layers`` chooses whose spans count
    (layer names; None: every person's, not gold's nor the suggestions')."""

    def __init__(self, db: Database, schema: Schema) -> None:
        self._db = db
        self._schema = schema

    def layer_names(self) -> list[str]:
        """Every layer with spans or statuses, people first: what a filter offers."""
        with snapshot(self._db) as conn:
            rows = conn.execute(select(Annotator.name, Annotator.kind).order_by(Annotator.name))
            found = [(kind != layer_kinds.PERSON, name) for name, kind in rows]
        return [name for _, name in sorted(found)]

    def _layer_filter(self, layers: Sequence[str] | None) -> ColumnElement[bool]:
        if layers is None:
            return Annotator.kind == layer_kinds.PERSON
        return Annotator.name.in_([a.name for a in choose_layers(self._db, layers)])

    def _day(self) -> ColumnElement[Any]:
        """The day (UTC, ISO text) a status was set, in this database's dialect."""
        if self._db.is_sqlite:  # stored as UTC text
            return func.date(DocumentStatus.updated_at)
        return func.to_char(func.timezone("UTC", DocumentStatus.updated_at), "YYYY-MM-DD")

    def progress(self, layers: Sequence[str] | None = None) -> Table:
        """Documents done per annotator per day, with running totals. A document counts on the
        day it was marked done, as long as it stays done (reopened: it no longer counts)."""
        day = self._day().label("day")
        query = (
            select(Annotator.name, day, func.count())
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .where(DocumentStatus.status == "done", self._layer_filter(layers))
            .group_by(Annotator.name, day)
        )
        with snapshot(self._db) as conn:
            rows = [(who, str(d), n) for who, d, n in conn.execute(query)]
        return progress_table(rows)

    def labels_and_values(self, layers: Sequence[str] | None = None) -> tuple[Table, Table]:
        """Spans per label, and per value of each choice, multi-choice and yes/no attribute
        (free text is no distribution), per layer."""
        attrs = cast(Span.attributes, Text).label("attrs")
        query = (
            select(Annotator.name, Span.label, attrs, func.count())
            .join(Annotator, Annotator.id == Span.annotator_id)
            .where(self._layer_filter(layers))
            .group_by(Annotator.name, Span.label, attrs)
        )
        with snapshot(self._db) as conn:
            groups = [(who, label, a, n) for who, label, a, n in conn.execute(query)]
        return label_and_value_tables(groups, compared_attributes(self._schema))

    def speakers(self, layers: Sequence[str] | None = None, top: int | None = None) -> Table:
        """Statements per speaker: by the registry's entity when the speaker mention is linked
        to one, else by the mention's text in the registry's normal form (unlinked pronouns
        together). The speaker is the
        target of the schema's statement frame's speaker link (``said_by``)."""
        roles = frame_roles(self._schema)
        if roles is None or roles.speaker_relation is None:
            return speaker_table([], normalise_alias)
        speaker = Span.__table__.alias("speaker")
        text = case(
            (
                MentionEntity.entity_id.is_(None),
                func.substr(Document.text, speaker.c.start + 1, speaker.c.end - speaker.c.start),
            ),
            else_=None,
        ).label("mention")
        query = (
            select(Entity.key, Entity.name, text, func.count(Relation.source_id.distinct()))
            .select_from(Relation)
            .join(Annotator, Annotator.id == Relation.annotator_id)
            .join(speaker, speaker.c.id == Relation.target_id)
            .join(Document, Document.id == Relation.document_id)
            .outerjoin(MentionEntity, MentionEntity.span_id == speaker.c.id)
            .outerjoin(Entity, Entity.id == MentionEntity.entity_id)
            .where(Relation.label == roles.speaker_relation, self._layer_filter(layers))
            .group_by(Entity.key, Entity.name, text)
        )
        with snapshot(self._db) as conn:
            groups = [(k, name, t, n) for k, name, t, n in conn.execute(query)]
        return speaker_table(groups, normalise_alias, top, is_pronoun)

    def agreement(
        self,
        layers: Sequence[str] | None = None,
        *,
        statuses: Sequence[str] | None = ("done",),
        progress: Progress | None = None,
    ) -> Table:
        """Agreement on the documents each has in ``statuses``; ``progress`` returning False
        stops it.

        No ``layers`` (every person): per label, the mean pairwise span F1 and alpha_u between
        people. Chosen ``layers`` (the dashboard's layer box, ``stats --layer``): agreement is
        between two, so each chosen layer is compared with every person and every other chosen
        layer, one row per pair and label — whom that annotator (or gold) agrees with."""
        pairs = partners(self._db, layers) if layers else []
        total = 2 + len(pairs) if layers else 2
        step = 0

        def checkpoint() -> None:  # before reading, after reading, after measuring (each pair)
            nonlocal step
            if progress is not None and progress(step, total) is False:
                raise StatisticsCancelled("agreement not measured: cancelled")
            step += 1

        checkpoint()
        with self._db.guard():
            if layers:
                entries = measure_pairs(
                    self._db, self._schema, pairs, statuses=statuses, checkpoint=checkpoint
                )
                table = pair_agreement_table(entries)
            else:
                report = measure_agreement(
                    self._db, self._schema, statuses=statuses, checkpoint=checkpoint
                )
                table = agreement_table(report)
        checkpoint()
        return table

    def tables(self, layers: Sequence[str] | None = None) -> list[Table]:
        """Every table but agreement (which is measured on demand), for ``stats --csv``."""
        labels, values = self.labels_and_values(layers)
        return [self.progress(layers), labels, values, self.speakers(layers)]


def save_csv(table: Table, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``table`` as CSV, all or nothing: a scratch file beside it, then renamed over it.
    An existing file is refused unless ``overwrite`` (the window asked the user first)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ValidationError(f"{path} already exists (not overwritten)")
    scratch = path.with_name(f".{path.name}.part")
    try:
        scratch.write_text(table.csv_text(), encoding="utf-8", newline="")
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return path
