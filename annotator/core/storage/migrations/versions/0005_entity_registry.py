"""entity registry: canonical speakers and targets across documents, and mentions linked to them

Revision ID: 0005
Revises: 0004

The tables are new, and a mention's link goes with its span (ON DELETE CASCADE); an archived
span keeps the entity its mention named (``archived_spans.entity_id``), so a schema change that
archives SPEAKER and one that brings it back leave its link as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merged_into"], ["entities.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("kind", "name", name="uq_entity_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "entity_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_id", "alias", name="uq_entity_alias"),
    )
    op.create_index("ix_entity_aliases_alias", "entity_aliases", ["alias"])
    op.create_table(
        "mention_entities",
        sa.Column("span_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["span_id"], ["spans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("span_id"),
    )
    op.create_index("ix_mention_entities_entity", "mention_entities", ["entity_id"])
    with op.batch_alter_table("archived_spans") as batch:
        batch.add_column(sa.Column("entity_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_archived_spans_entity", "entities", ["entity_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("archived_spans") as batch:
        batch.drop_constraint("fk_archived_spans_entity", type_="foreignkey")
        batch.drop_column("entity_id")
    op.drop_index("ix_mention_entities_entity", table_name="mention_entities")
    op.drop_table("mention_entities")
    op.drop_index("ix_entity_aliases_alias", table_name="entity_aliases")
    op.drop_table("entity_aliases")
    op.drop_table("entities")
