"""text search index: corpus search narrows by an index of the texts' trigrams

Revision ID: 0008
Revises: 0007

Nothing existing changes; the index is built from the texts already stored. SQLite: an FTS5
table with the trigram tokenizer over documents.text (external content: the texts are not
stored twice; detail=none: rowids only, a fifth of the text's size), kept in step by triggers on
insert, delete and a change of the text (a renamed title does not touch it). PostgreSQL: a GIN
index of pg_trgm trigrams on documents.text. Where the database cannot have it (an SQLite build
without FTS5's trigram tokenizer, a server without pg_trgm or the right to install it) the
revision still applies and search reads the texts, as at 0007. The objects are named here, not
imported: this script must keep doing what it did when later versions rename things.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FTS = "documents_fts"
INDEX = "ix_documents_text_trgm"
_SQLITE = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, content='documents', content_rowid='id', "
    "tokenize='trigram', detail=none)",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON documents BEGIN "
    f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON documents BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF text ON documents BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)


def _can(statement: str) -> bool:
    """Whether ``statement`` runs here; tried in a savepoint, so a refusal leaves the
    migration's transaction as it was."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text(statement))
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if sa.inspect(bind).has_table(FTS):  # a run cut short where DDL is not transactional
            return
        if _can(f"CREATE VIRTUAL TABLE temp.{FTS}_probe USING fts5(x, tokenize='trigram')"):
            bind.execute(sa.text(f"DROP TABLE temp.{FTS}_probe"))
            for statement in _SQLITE:
                bind.execute(sa.text(statement))
    elif bind.dialect.name == "postgresql" and _can("CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        bind.execute(
            sa.text(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON documents USING gin (text gin_trgm_ops)"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}"))
        bind.execute(sa.text(f"DROP TABLE IF EXISTS {FTS}"))
    elif bind.dialect.name == "postgresql":
        # pg_trgm stays: other databases' objects on this server may use it.
        bind.execute(sa.text(f"DROP INDEX IF EXISTS {INDEX}"))
