"""The tables, as typed SQLAlchemy 2 models. Changes to them need an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Document(Base):
    """An imported article. Its text never changes; ``content_hash`` proves it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[str | None] = mapped_column(String(40), nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Annotator(Base):
    """A layer of annotation: a person's work, or the one gold or suggestions layer (``kind``)."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person", server_default="person")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoredSchema(Base):
    """Every schema annotations were made under, kept verbatim so old work stays explicable."""

    __tablename__ = "schemas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Project-wide settings shared by every desktop on the database (e.g. the active schema)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DocumentStatus(Base):
    __tablename__ = "document_status"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default="new")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_status_annotator", "annotator_id", "status"),)


class Span(Base):
    __tablename__ = "spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    schema_id: Mapped[int] = mapped_column(ForeignKey("schemas.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # AUTOINCREMENT: ids are never reused, so undo can restore a deleted span under its old id
    # even while other desktops add spans to the same database.
    __table_args__ = (
        Index("ix_spans_doc_annotator", "document_id", "annotator_id", "start"),
        {"sqlite_autoincrement": True},
    )


class Relation(Base):
    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    schema_id: Mapped[int] = mapped_column(ForeignKey("schemas.id"))
    label: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    # A link's own values (stance toward its target), checked as a span's are.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "label", name="uq_relation"),
        Index("ix_relations_doc_annotator", "document_id", "annotator_id"),
        Index("ix_relations_target", "target_id"),
        {"sqlite_autoincrement": True},
    )


class SplitAssignment(Base):
    """Which split a document was dealt to, kept so that later dataset versions never move it.

    ``names`` is the split's identity: its part names, sorted and joined by commas (e.g.
    ``dev,test,train``); every export and every format with those names uses these rows. The
    shares, seed and stratification in force when the document was dealt, and the export that
    dealt it, are kept so that a manifest can say how each document got its split.
    """

    __tablename__ = "split_assignments"

    names: Mapped[str] = mapped_column(String(400), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[str] = mapped_column(String(100))
    shares: Mapped[str] = mapped_column(Text)  # JSON object, part name to share
    seed: Mapped[int] = mapped_column(Integer)
    stratify: Mapped[str | None] = mapped_column(String(200), nullable=True)
    export_id: Mapped[str] = mapped_column(String(64))
    dealt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """A document handed to an annotator: their queue. Work is never taken back from it."""

    __tablename__ = "assignments"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    assigned_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_assignments_annotator", "annotator_id", "document_id"),)


class SchemaChange(Base):
    """One change of the active schema: who, when, from which schema to which, and what each
    step did to the annotations (counts per layer), so a team can tell why its data moved."""

    __tablename__ = "schema_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    who: Mapped[str] = mapped_column(String(200))
    from_schema_id: Mapped[int | None] = mapped_column(ForeignKey("schemas.id"), nullable=True)
    to_schema_id: Mapped[int] = mapped_column(ForeignKey("schemas.id"))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ArchivedSpan(Base):
    """A span a schema change took out of use (its label was archived), kept whole under the
    id it had: a later schema that brings the label back puts it back exactly."""

    __tablename__ = "archived_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The schema it was made under, by name: an imported archive may come from elsewhere.
    schema_name: Mapped[str] = mapped_column(String(200))
    schema_version: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("schema_history.id"), nullable=True)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The entity the mention named (its link goes with the span; it comes back with it).
    entity_id: Mapped[int | None] = mapped_column(
        ForeignKey("entities.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (Index("ix_archived_spans_document", "document_id"),)


class ArchivedRelation(Base):
    """A link a schema change took out of use (its relation, or one of its spans, archived).
    Its ends are span ids, of live or archived spans: never both at once, ids are not reused."""

    __tablename__ = "archived_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[int] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    schema_name: Mapped[str] = mapped_column(String(200))
    schema_version: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("schema_history.id"), nullable=True)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_archived_relations_document", "document_id"),)


class ArchivedValue(Base):
    """A value a schema change took off a span that stayed (its attribute or value archived)."""

    __tablename__ = "archived_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    span_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    attribute: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    schema_name: Mapped[str] = mapped_column(String(200))
    schema_version: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("schema_history.id"), nullable=True)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_archived_values_document", "document_id"),
        {"sqlite_autoincrement": True},
    )


class SuggestionRow(Base):
    """What an engine said about one span or link of the suggestions layer: which engines
    proposed it, how sure they were and why. The span or link itself is an ordinary row of the
    "suggestions" annotator, so every export and view reads it as a layer."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    span_id: Mapped[int | None] = mapped_column(
        ForeignKey("spans.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    relation_id: Mapped[int | None] = mapped_column(
        ForeignKey("relations.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    engines: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")
    refers_to: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_suggestions_document", "document_id"),
        {"sqlite_autoincrement": True},
    )


class Entity(Base):
    """A canonical someone or something mentions refer to across documents (issue 10).

    ``key`` is its stable id (a uuid): exports and backups carry it, never the row id, so a
    restored database gives the same ids. An entity merged into another stays as a row with
    ``merged_into`` set (its mentions and aliases moved): provenance for "where did X go".
    """

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    merged_into: Mapped[int | None] = mapped_column(
        ForeignKey("entities.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("kind", "name", name="uq_entity_name"),
        {"sqlite_autoincrement": True},
    )


class SuggestionDecision(Base):
    """One person's decision on one suggestion: accepted (``result_id``: the span or link it
    became in their layer), edited (accepted, then changed) or rejected. No row: still open.
    Each person decides for their own layer, so two annotators of a document both see it."""

    __tablename__ = "suggestion_decisions"

    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    result_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EntityAlias(Base):
    """Another way the text names an entity ("Hatami", "the defence minister"), normalised."""

    __tablename__ = "entity_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("entity_id", "alias", name="uq_entity_alias"),
        Index("ix_entity_aliases_alias", "alias"),
    )


class MentionEntity(Base):
    """A mention (a span of an entity label) linked to its entity; goes with the span."""

    __tablename__ = "mention_entities"

    span_id: Mapped[int] = mapped_column(
        ForeignKey("spans.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_mention_entities_entity", "entity_id"),)
