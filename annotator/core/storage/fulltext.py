"""The index of the documents' texts that corpus search narrows by (migration 0008).

Substrings, not words: a search for "adar" must still find "radar", so both indexes are of
character trigrams. SQLite: an FTS5 table with the trigram tokenizer over ``documents.text``
(external content, kept by triggers), asked with ``MATCH`` for trigrams; PostgreSQL: a pg_trgm
GIN index, which the planner uses for ``~`` on its own. Search asks either for the strings
every match must contain (``domain/regex_needles.py``) and makes the exact match itself, so
the index only ever narrows. Either may be missing (an SQLite build without FTS5, a server
without pg_trgm): search then reads the texts as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    column,
    literal_column,
    or_,
    select,
    table,
    text,
)

from annotator.core.domain.regex_needles import AllOf, AnyOf, Condition, Needle, trigrams
from annotator.core.storage.models import Document

FTS_TABLE = "documents_fts"  # SQLite; its shadow tables are named FTS_TABLE + "_data" etc.
TRIGGERS = ("documents_fts_insert", "documents_fts_delete", "documents_fts_update")
TRIGRAM_INDEX = "ix_documents_text_trgm"  # PostgreSQL
MAX_VARIANTS = 64  # the most strings one trigram of a needle is looked up as (case variants)
MAX_TRIGRAMS = 32  # the most trigrams of one needle looked up (those of fewest variants)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

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


@contextmanager
def indexed_at_the_end(conn: Connection, inserted: Callable[[], Sequence[int]]) -> Iterator[None]:
    """Within one SQLite write transaction: documents inserted in the block are indexed by one
    statement at its end instead of by the insert trigger row by row.

    FTS5 writes what it has gathered at every statement that changes it: fed by the trigger,
    one small segment per document, which it must then merge (0.88 s of CPU for 5,000 articles
    of 5 kB, against 0.50 s in one statement). The trigger is dropped and made again, from its
    own stored definition, inside the same transaction: SQLite holds the write lock from BEGIN,
    so no other writer can insert meanwhile, readers see the database as it was before or after,
    and a rollback (an error, a refused import) brings the trigger back with everything else.
    Only inserts are taken over; a delete or a change of text inside the block is still indexed
    by its own trigger. Does nothing where there is no index (PostgreSQL keeps its own).
    """
    trigger = f"{FTS_TABLE}_insert"
    found = None
    if conn.dialect.name == "sqlite":
        found = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": trigger},
        ).first()
    if found is None:
        yield
        return
    conn.execute(text(f"DROP TRIGGER {trigger}"))
    yield
    ids = list(inserted())
    for i in range(0, len(ids), 10_000):
        conn.execute(
            text(
                f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT id, text FROM documents "
                "WHERE id IN (SELECT value FROM json_each(:ids))"
            ),
            {"ids": "[" + ",".join(map(str, ids[i : i + 10_000])) + "]"},
        )
    conn.execute(text(found[0]))


def sqlite_match_query(condition: Condition) -> str | None:
    """An FTS5 query every text holding ``condition`` passes, or None when it cannot narrow.

    Each needle is looked up as its trigrams (``detail=none`` keeps no positions, so no phrase
    of several), each trigram as an OR of the strings it may be. The table's tokenizer is
    ``trigram`` with its default ``case_sensitive 0``: it folds case itself, so variants that
    differ only in ASCII case are asked once; every other variant (``ſ`` for ``s``) is asked
    as it is, so the answer never depends on how FTS5 folds anything beyond ASCII.
    """
    if isinstance(condition, AllOf):
        parts = [q for q in map(sqlite_match_query, condition.parts) if q is not None]
        return " AND ".join(parts) if parts else None
    if isinstance(condition, AnyOf):
        alternatives = [sqlite_match_query(part) for part in condition.parts]
        if any(q is None for q in alternatives):
            return None
        return "(" + " OR ".join(q for q in alternatives if q is not None) + ")"
    usable = [
        variants
        for variants in trigrams(condition, lambda s: s.translate(_ASCII_LOWER))
        if len(variants) <= MAX_VARIANTS and all(map(_bindable, variants))
    ]
    # A pasted paragraph: a few dozen of its trigrams narrow as well as all of them.
    usable = sorted(set(usable), key=lambda w: (len(w), sorted(w)))[:MAX_TRIGRAMS]
    windows = ["(" + " OR ".join(_fts_string(v) for v in sorted(w)) + ")" for w in usable]
    return " AND ".join(windows) if windows else None


def sqlite_text_match(query: str, low: int, high: int) -> ColumnElement[bool]:
    """Documents with ids in [low, high] that the FTS5 ``query`` finds, from the index only."""
    ids = select(_fts.c.rowid).where(
        literal_column(FTS_TABLE).op("MATCH")(query), _fts.c.rowid.between(low, high)
    )
    return Document.id.in_(ids)


def postgres_text_condition(condition: Condition) -> ColumnElement[bool] | None:
    """A condition on ``documents.text`` every text holding ``condition`` passes, or None.

    Each needle is one ``~`` of a pattern we write ourselves (plain characters and bracketed
    sets of them, the same in PostgreSQL's regex dialect as in Python's), which pg_trgm's GIN
    index answers and PostgreSQL checks on the text: never the user's own expression, whose
    meaning differs between the two dialects (``\\b`` is a backspace to PostgreSQL).
    """
    if isinstance(condition, AllOf):
        parts = [c for c in map(postgres_text_condition, condition.parts) if c is not None]
        return and_(*parts) if parts else None
    if isinstance(condition, AnyOf):
        alternatives = [postgres_text_condition(part) for part in condition.parts]
        if any(c is None for c in alternatives):
            return None
        return or_(*(c for c in alternatives if c is not None))
    if not all(_bindable(ch) for position in condition for ch in position):
        return None
    return Document.text.op("~")(_postgres_pattern(condition))


def _postgres_pattern(needle: Needle) -> str:
    def one(ch: str) -> str:
        return "\\" + ch if ch.isascii() and not ch.isalnum() else ch

    return "".join(
        one(next(iter(chars))) if len(chars) == 1 else "[" + "".join(map(one, sorted(chars))) + "]"
        for chars in needle
    )


def _fts_string(variant: str) -> str:
    return '"' + variant.replace('"', '""') + '"'


def _bindable(value: str) -> bool:
    """Whether a text can hold this at all: never a NUL (FTS5's query parser stops at one,
    PostgreSQL's text refuses it) nor a lone surrogate (no UTF-8 for it)."""
    return "\x00" not in value and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
