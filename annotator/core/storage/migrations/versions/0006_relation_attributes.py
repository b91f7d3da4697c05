"""relation attributes: a link carries its own values (stance toward its target)

Revision ID: 0006
Revises: 0005

Links made before keep what they were: the column is added with a server default, so each
existing row (live and archived) gets an empty object, never NULL; the default is then dropped,
as every other JSON column has none (new rows get ``{}`` from the models).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TABLES = ("relations", "archived_relations")


def upgrade() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        op.add_column(
            table, sa.Column("attributes", sa.JSON(), nullable=False, server_default="{}")
        )
        if bind.dialect.name != "sqlite":
            op.alter_column(table, "attributes", existing_type=sa.JSON(), server_default=None)
            continue
        # SQLite drops a default by copying the table: keep AUTOINCREMENT and the highest id
        # ever given, so an id that undo may still put back is never handed out again.
        kwargs = {"sqlite_autoincrement": True} if table == "relations" else {}
        seq = _sequence(bind, table)
        with op.batch_alter_table(table, recreate="always", table_kwargs=kwargs) as batch:
            batch.alter_column("attributes", existing_type=sa.JSON(), server_default=None)
        if seq is not None:
            bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)"),
                {"t": table, "s": seq},
            )


def _sequence(bind: sa.Connection, table: str) -> int | None:
    exists = bind.execute(
        sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    ).first()
    if exists is None:
        return None
    found = bind.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}
    ).scalar()
    return None if found is None else int(found)


def downgrade() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        kwargs = {"sqlite_autoincrement": True} if table == "relations" else {}
        seq = _sequence(bind, table) if bind.dialect.name == "sqlite" else None
        with op.batch_alter_table(table, table_kwargs=kwargs) as batch:
            batch.drop_column("attributes")
        if seq is not None:
            bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)"),
                {"t": table, "s": seq},
            )
