"""schema history and archive: every schema change recorded; what it took out of use kept

Revision ID: 0004
Revises: 0003

Nothing existing changes: the tables are new. A database whose annotations were left outside
its schema by an earlier version stays as it was; ``annotator schema use`` now names them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column]:
    """What every archive table keeps of why and when a row was archived."""
    return [
        sa.Column("schema_name", sa.String(length=200), nullable=False),
        sa.Column("schema_version", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("history_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _owners() -> list[sa.Column]:
    return [
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
    ]


def _owner_keys() -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["history_id"], ["schema_history.id"]),
    ]


def upgrade() -> None:
    op.create_table(
        "schema_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("from_schema_id", sa.Integer(), nullable=True),
        sa.Column("to_schema_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["from_schema_id"], ["schemas.id"]),
        sa.ForeignKeyConstraint(["to_schema_id"], ["schemas.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "archived_spans",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        *_owners(),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_provenance(),
        *_owner_keys(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_archived_spans_document", "archived_spans", ["document_id"])
    op.create_table(
        "archived_relations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        *_owners(),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_provenance(),
        *_owner_keys(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_archived_relations_document", "archived_relations", ["document_id"])
    op.create_table(
        "archived_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("span_id", sa.Integer(), nullable=False),
        *_owners(),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("attribute", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        *_provenance(),
        *_owner_keys(),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_archived_values_document", "archived_values", ["document_id"])


def downgrade() -> None:
    for table in ("archived_values", "archived_relations", "archived_spans"):
        op.drop_index(f"ix_{table}_document", table_name=table)
        op.drop_table(table)
    op.drop_table("schema_history")
