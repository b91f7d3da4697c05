"""Alembic environment: always given a live connection by ``upgrade_to_head``."""

from alembic import context

from annotator.core.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached from the alembic command line
    raise SystemExit(
        "run migrations through annotator.core.storage.db.Database, not the alembic CLI"
    )

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
