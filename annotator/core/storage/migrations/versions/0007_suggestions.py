"""suggestions: what engines said about the suggestions layer's spans and links, and each
person's decision on them

Revision ID: 0007
Revises: 0006

Nothing existing changes: the tables are new, and the suggested spans and links themselves are
ordinary rows of the "suggestions" annotator. A table already there (a run cut short between
its statements on a database without transactional DDL) is left as it is.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _has(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _has("suggestions"):
        op.create_table(
            "suggestions",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("document_id", sa.Integer(), nullable=False),
            sa.Column("span_id", sa.Integer(), nullable=True),
            sa.Column("relation_id", sa.Integer(), nullable=True),
            sa.Column("engines", sa.JSON(), nullable=False),
            sa.Column("confidence", sa.Float(), nullable=False),
            sa.Column("evidence", sa.Text(), nullable=False),
            sa.Column("refers_to", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["span_id"], ["spans.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["relation_id"], ["relations.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("span_id"),
            sa.UniqueConstraint("relation_id"),
            sqlite_autoincrement=True,
        )
        op.create_index("ix_suggestions_document", "suggestions", ["document_id"])
    if not _has("suggestion_decisions"):
        op.create_table(
            "suggestion_decisions",
            sa.Column("suggestion_id", sa.Integer(), nullable=False),
            sa.Column("annotator_id", sa.Integer(), nullable=False),
            sa.Column("decision", sa.String(length=20), nullable=False),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("result_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["suggestion_id"], ["suggestions.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("suggestion_id", "annotator_id"),
        )


def downgrade() -> None:
    if _has("suggestion_decisions"):
        op.drop_table("suggestion_decisions")
    if _has("suggestions"):
        op.drop_index("ix_suggestions_document", table_name="suggestions")
        op.drop_table("suggestions")
