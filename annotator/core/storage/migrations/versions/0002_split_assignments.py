"""split assignments: a document's split, kept across dataset versions

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "split_assignments",
        sa.Column("names", sa.String(length=400), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("stratify", sa.String(length=200), nullable=True),
        sa.Column("export_id", sa.String(length=64), nullable=False),
        sa.Column("dealt_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("names", "document_id"),
    )


def downgrade() -> None:
    op.drop_table("split_assignments")
