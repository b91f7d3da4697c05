"""Changing the active schema without losing work: previewed, refused when it would leave
annotations outside the schema, applied in one transaction, recorded, reversible.

``preview`` counts what a schema would change (``annotator schema diff``, the window's
preview); ``apply`` does it (``schema use``): it plans every document again inside the write
transaction, refuses with the report if anything would be left outside the schema, else
writes the plan, makes the schema active and records the change in the schema history, all in
one commit. What the schema's steps archive comes back when a later schema brings it back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from annotator.core.domain import rules
from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.faults import fault_point
from annotator.core.domain.layers import SUGGESTIONS
from annotator.core.domain.migrating import DocumentPlan, Key, Planner
from annotator.core.domain.schema import Schema
from annotator.core.domain.schema.diff import diff_schemas
from annotator.core.services.schema_changes import reading
from annotator.core.services.schema_changes.report import ChangeReport, Count, layer_name
from annotator.core.services.schema_changes.summary import build_report
from annotator.core.services.schema_changes.writing import CorpusPlan, PlanWriter
from annotator.core.services.schemas import ACTIVE_SCHEMA_KEY, SchemaService
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import SchemaChange, Setting, StoredSchema, utcnow

__all__ = [
    "ChangeReport",
    "Count",
    "HistoryEntry",
    "ReviewRow",
    "SchemaChangeRefused",
    "SchemaChanges",
]


class SchemaChangeRefused(AnnotatorError):
    """A schema that would leave annotations outside it: nothing was changed."""

    def __init__(self, report: ChangeReport) -> None:
        self.report = report
        lines = report.lines()
        super().__init__(
            f"{report.new.name} {report.new.version} would leave annotations outside the "
            "schema; nothing was changed\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded schema change, as ``annotator schema history`` lists it."""

    id: int
    changed_at: str
    who: str
    old: str | None
    new: str
    report: dict[str, object]


@dataclass(frozen=True)
class ReviewRow:
    """A span that lacks a value its schema requires."""

    document_id: int
    document: str
    annotator: str
    status: str
    span_id: int
    label: str
    start: int
    end: int
    missing: tuple[str, ...]


class SchemaChanges:
    """Previews, applies and lists changes of the database's active schema."""

    def __init__(self, db: Database, schemas: SchemaService) -> None:
        self._db = db
        self._schemas = schemas

    def preview(self, new: Schema, old: Schema | None = None) -> ChangeReport:
        """What making ``new`` active would do, counted on the stored data; nothing is written.
        ``old``: the schema to compare with (default: the active one)."""
        with self._db.read() as s:
            if old is None:
                old = self._active(s)
            report, _ = _plan(s.connection(), new, old)
        return report

    def apply(self, new: Schema, who: str) -> ChangeReport:
        """Make ``new`` active and do what its migrations say, in one transaction; refuse with
        the report (``SchemaChangeRefused``) if annotations would be left outside it."""
        ref = self._schemas.register(new)
        with guarded_write(self._db) as s:
            conn = s.connection()
            if not self._db.is_sqlite:  # other desktops wait; their reads go on
                conn.execute(
                    text(
                        "LOCK TABLE spans, relations, archived_spans, archived_relations, "
                        "archived_values IN EXCLUSIVE MODE"
                    )
                )
            old = self._active(s)
            report, plan = _plan(conn, new, old)
            if report.conflicted:
                raise SchemaChangeRefused(report)
            now = utcnow()
            old_id = s.get(Setting, ACTIVE_SCHEMA_KEY)
            history_id = conn.execute(
                insert(SchemaChange)
                .values(
                    changed_at=now,
                    who=rules.annotator_name(who),
                    from_schema_id=int(old_id.value) if old_id is not None else None,
                    to_schema_id=ref.id,
                    report=report.as_json(),
                )
                .returning(SchemaChange.id)
            ).scalar_one()
            PlanWriter(conn, ref.id, history_id, now).write(plan)
            s.merge(Setting(key=ACTIVE_SCHEMA_KEY, value=str(ref.id)))
            s.flush()
            fault_point("schema-before-commit")
        fault_point("schema-after-commit")
        report.history_id = history_id
        return report

    def history(self) -> list[HistoryEntry]:
        """Every recorded schema change, oldest first."""
        with self._db.read() as s:
            names = {
                row.id: f"{row.name} {row.version}"
                for row in s.execute(
                    select(StoredSchema.id, StoredSchema.name, StoredSchema.version)
                )
            }
            rows = s.scalars(select(SchemaChange).order_by(SchemaChange.id)).all()
            return [
                HistoryEntry(
                    row.id,
                    row.changed_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.who,
                    names.get(row.from_schema_id) if row.from_schema_id is not None else None,
                    names[row.to_schema_id],
                    dict(row.report),
                )
                for row in rows
            ]

    def review(self, schema: Schema, statuses: tuple[str, ...] = ("done",)) -> list[ReviewRow]:
        """The spans that lack a value ``schema`` requires, on documents in ``statuses``
        (empty: every document), per layer: what a person must look at again. A link that
        lacks one is named on the span it starts at ("aimed_at.stance_toward")."""
        found: list[ReviewRow] = []
        with self._db.read() as s:
            conn = s.connection()
            layers = reading.layers(conn)
            for doc in reading.documents(conn):
                on_links: dict[int, list[str]] = {}
                for link in doc.links:
                    on_links.setdefault(link.source_id, []).extend(
                        f"{link.label}.{name}"
                        for name in rules.missing_relation_required(
                            schema, link.label, link.attributes
                        )
                    )
                for span in doc.spans:
                    if layers[span.annotator_id][1] == SUGGESTIONS:
                        continue  # machine proposals: nobody's work to look at again
                    status = doc.status.get(span.annotator_id, "new")
                    if statuses and status not in statuses:
                        continue
                    missing = rules.missing_required(schema, span.label, span.attributes)
                    missing += on_links.get(span.id, [])
                    if missing:
                        name, kind = layers[span.annotator_id]
                        found.append(
                            ReviewRow(
                                doc.id,
                                doc.key,
                                layer_name(name, kind),
                                status,
                                span.id,
                                span.label,
                                span.start,
                                span.end,
                                tuple(missing),
                            )
                        )
        return found

    def _active(self, s: Session) -> Schema | None:
        setting = s.get(Setting, ACTIVE_SCHEMA_KEY)
        row = s.get(StoredSchema, int(setting.value)) if setting is not None else None
        if row is None:
            return None
        return self._schemas.load(row.id)


def _plan(conn: Connection, new: Schema, old: Schema | None) -> tuple[ChangeReport, CorpusPlan]:
    """Plan every document's move to ``new``; the report counts it per layer."""
    changes = diff_schemas(old, new) if old is not None else ()
    planner = Planner(new, changes)
    kinds = reading.layers(conn)
    layers = {i: layer_name(name, kind) for i, (name, kind) in kinds.items()}
    counts: Counter[tuple[Key, str]] = Counter()
    examples: dict[Key, list[str]] = {}
    done: dict[Key, list[str]] = {}
    corpus = CorpusPlan()
    for doc in reading.documents(conn):
        plan = planner.plan(
            doc.spans, doc.links, doc.archived_spans, doc.archived_links, doc.archived_values
        )
        for (key, annotator), n in plan.counts.items():
            if key[0] == "review" and kinds[annotator][1] == SUGGESTIONS:
                continue  # suggestions lacking a value are no one's work to review
            counts[key, layers[annotator]] += n
            if key[0] == "review" and doc.status.get(annotator) == "done":
                done.setdefault(key, []).append(f"{doc.key} ({layers[annotator]})")
        for key, shown in plan.examples.items():
            kept = examples.setdefault(key, [])
            kept += [f"{doc.key} {where} ({layers[a]})" for a, where in shown][: 3 - len(kept)]
        _gather(corpus, plan, doc.id)
    return build_report(old, new, changes, counts, examples, done), corpus


def _gather(corpus: CorpusPlan, plan: DocumentPlan, doc_id: int) -> None:
    corpus.updates.update(plan.updates)
    corpus.archive_spans += plan.archive_spans
    corpus.archive_links += plan.archive_links
    corpus.relabel_links += plan.relabel_links
    corpus.link_values.update(plan.link_values)
    corpus.archive_values += [(s, doc_id, a, v, r) for s, a, v, r in plan.archive_values]
    corpus.restore_spans += plan.restore_spans
    corpus.restore_links += plan.restore_links
    corpus.restore_values += plan.restore_values
