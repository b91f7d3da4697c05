"""The index of the documents' texts that corpus search narrows by (migration 0008).

Substrings, not words: a search for "adar" must still find "radar", so both indexes are of
character trigrams. SQLite: an FTS5 table with the trigram tokenizer over ``documents.text``
(external content, kept by triggers); its ``LIKE`` is answered from the index and checked
against the text by SQLite itself, so it passes exactly the rows a plain ``LIKE`` passes.
PostgreSQL: a pg_trgm GIN index, which the planner uses for ``LIKE``/``ILIKE`` on its own.
Either may be missing (an SQLite build without FTS5, a server without pg_trgm): search then
reads the texts as before.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Connection, column, select, table, text

from annotator.core.storage.models import Document

FTS_TABLE = "documents_fts"  # SQLite; its shadow tables are named FTS_TABLE + "_data" etc.
TRIGGERS = ("documents_fts_insert", "documents_fts_delete", "documents_fts_update")
TRIGRAM_INDEX = "ix_documents_text_trgm"  # PostgreSQL
MIN_FRAGMENT = 3  # characters: a shorter pattern has no trigram, the index cannot narrow it
_WILDCARDS = re.compile(r"[%_]")

_fts = table(FTS_TABLE, column("rowid"), column("text"))


def is_index_object(name: str | None) -> bool:
    """Whether a table, trigger or index of this name is the search index's (not a model's)."""
    return bool(name) and (
        name in (TRIGRAM_INDEX, FTS_TABLE) or str(name).startswith(FTS_TABLE + "_")
    )


def has_text_index(conn: Connection, is_sqlite: bool) -> bool:
    """Whether this database has the index (the migration leaves it out where it cannot be)."""
    if is_sqlite:
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
    else:
        found = "SELECT 1 FROM pg_indexes WHERE indexname = :name"
    name = FTS_TABLE if is_sqlite else TRIGRAM_INDEX
    return conn.execute(text(found), {"name": name}).first() is not None


def sqlite_text_like(fragment: str, low: int, high: int) -> ColumnElement[bool] | None:
    """Documents with ids in [low, high] whose text is ``LIKE '%fragment%'``, found by the
    FTS5 index; None when the fragment is too short for the index to help.

    FTS5 answers ``LIKE`` from its index only without an ``ESCAPE`` clause, so a fragment with
    a wildcard character is narrowed by its longest piece between them (a looser test; the
    caller's exact match decides).
    """
    piece = max(_WILDCARDS.split(fragment), key=len)
    if len(piece) < MIN_FRAGMENT:
        return None
    ids = select(_fts.c.rowid).where(
        _fts.c.text.like(f"%{piece}%"),
        _fts.c.rowid.between(low, high),
    )
    return Document.id.in_(ids)
