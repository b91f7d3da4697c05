"""layers and assignments: an annotator's kind (person, gold, suggestions); who has which document

Revision ID: 0003
Revises: 0002

A person who was called "gold" or "suggestions" before these became the layers' names keeps
their work under "<name> (person)", so that nothing of theirs turns into gold silently.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    annotators = sa.table("annotators", sa.column("name", sa.String))
    for reserved in ("gold", "suggestions"):
        op.execute(
            annotators.update()
            .where(annotators.c.name == reserved)
            .values(name=f"{reserved} (person)")
        )
    with op.batch_alter_table("annotators") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="person")
        )
    op.create_table(
        "assignments",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "annotator_id"),
    )
    op.create_index("ix_assignments_annotator", "assignments", ["annotator_id", "document_id"])


def downgrade() -> None:
    op.drop_index("ix_assignments_annotator", table_name="assignments")
    op.drop_table("assignments")
    with op.batch_alter_table("annotators") as batch:
        batch.drop_column("kind")
