"""The text index search narrows by (migration 0008): built from the texts already stored,
kept in step as documents come and go, taken out again by a downgrade, and never changing what
a search finds."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, inspect, select, text

from annotator.cli.main import main
from annotator.core.domain.errors import ImportRejected
from annotator.core.domain.regex_needles import required_text
from annotator.core.domain.searching import Hit, SearchQuery
from annotator.core.services.importing import ImportBatch, ParsedDocument
from annotator.core.services.workspace import Workspace
from annotator.core.storage.fulltext import (
    FTS_TABLE,
    TRIGRAM_INDEX,
    has_text_index,
    is_index_object,
    sqlite_match_query,
    sqlite_text_match,
)
from annotator.core.storage.migrations import alembic_config
from annotator.core.storage.models import Document

WORDS = [
    *("missile", "Missile", "MISSILE", "drone", "drones", "radar", "Kovačević", "Yılmaz"),
    *("état", "ÉTAT", "straße", "50%", "a_b", "c:\\path", "the", "said", "of", "“we", "will”"),
    *("miſſile", "\u212aey", "dırty"),  # forms re takes for s, k and i ignoring case
]
QUERIES = [
    SearchQuery(text="missile"),
    SearchQuery(text="missile", ignore_case=False),
    SearchQuery(text="Missile", ignore_case=False),
    SearchQuery(text="issil"),  # inside a word: the index is of substrings, not words
    SearchQuery(text="the missile"),
    SearchQuery(text="kovačević"),
    SearchQuery(text="Kovačević", ignore_case=False),
    SearchQuery(text="etat", ignore_accents=True),
    SearchQuery(text="50%"),
    SearchQuery(text="a_b"),
    SearchQuery(text="c:\\path"),
    SearchQuery(text="ra"),  # too short for a trigram
    SearchQuery(text="Yılmaz said"),
    SearchQuery(text=r"dron\w+", regex=True),
    SearchQuery(text="absent word"),
    SearchQuery(text="key"),
    SearchQuery(text="Dirty", ignore_case=False),
    SearchQuery(text="dirty"),
    SearchQuery(text="missile", labels=("STATEMENT",)),
]


def _corpus(ws: Workspace, rng: random.Random, count: int) -> None:
    alice = ws.annotations("alice")
    for i in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        doc = ws.documents.add(f"Article {i}\n{body}\n", key=f"d{i}", title=f"Article {i}")
        if i % 3 == 0:
            alice.create_span(doc.id, 0, len(f"Article {i}\n{body}"), "STATEMENT")


def _all_hits(ws: Workspace) -> list[list[Hit]]:
    return [list(ws.search(query)) for query in QUERIES]


def _indexed(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return has_text_index(conn, is_sqlite=url.startswith("sqlite"))
    finally:
        engine.dispose()


def _migrate(url: str, revision: str, *, down: bool) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            step = command.downgrade if down else command.upgrade
            step(alembic_config(conn), revision)
    finally:
        engine.dispose()


def _index_or_skip(url: str) -> None:
    if not _indexed(url):  # e.g. a server without pg_trgm: search reads the texts, tested too
        pytest.skip("this database cannot have the text index")


def test_search_finds_the_same_with_and_without_the_index(db_url: str) -> None:
    with Workspace(db_url) as ws:
        _index_or_skip(db_url)
        _corpus(ws, random.Random(13), 300)
        indexed = _all_hits(ws)
        _migrate(db_url, "0007", down=True)  # the index and its triggers dropped
        assert not _indexed(db_url)
        plain = _all_hits(ws)
    assert indexed == plain
    assert all(indexed[:3]) and not indexed[QUERIES.index(SearchQuery(text="absent word"))]


def test_a_0007_database_with_documents_gets_the_index_and_gives_it_back(db_url: str) -> None:
    _migrate(db_url, "0007", down=False)
    with Workspace(db_url) as ws:  # opening upgrades: the index is built from what is stored
        pass
    _migrate(db_url, "0007", down=True)
    with Workspace(db_url) as ws:
        _index_or_skip(db_url)
        _corpus(ws, random.Random(7), 60)
        before = _all_hits(ws)
    _migrate(db_url, "0007", down=True)
    assert not _indexed(db_url)
    with Workspace(db_url) as ws:  # 0007 -> 0008 with the documents in it
        assert _indexed(db_url)
        assert _all_hits(ws) == before
        assert ws.documents.count() == 60


def test_the_index_follows_documents_imported_deleted_and_retitled(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(db_url) as ws:
        _index_or_skip(db_url)
        _corpus(ws, random.Random(3), 20)
    articles = tmp_path / "articles"
    articles.mkdir()
    for i in range(5):
        (articles / f"new{i}.txt").write_text(f"Imported {i}\nA hypersonic glider, number {i}.\n")
    with pytest.raises(SystemExit) as done:
        main(["--db", db_url, "import", str(articles)])
    assert done.value.code == 0, capsys.readouterr().err
    with Workspace(db_url) as ws:
        found = [h.key for h in ws.search(SearchQuery(text="hypersonic"))]
        assert found == [f"new{i}" for i in range(5)]
        gone = ws.documents.by_key("new1")
        kept = ws.documents.by_key("new2")
        assert gone is not None and kept is not None
        with ws.db.write() as s:
            s.execute(delete(Document).where(Document.id == gone.id))
        ws.documents.rename(kept.id, "Renamed: hypersonic")
        found = [h.key for h in ws.search(SearchQuery(text="hypersonic"))]
        assert found == ["new0", "new2", "new3", "new4"]
        assert [h.key for h in ws.search(SearchQuery(text="number 1."))] == []
        if ws.db.is_sqlite:
            _fts_agrees_with_documents(db_url)


def _fts_agrees_with_documents(url: str) -> None:
    """FTS5's own check of an external-content index against its table: every row's trigrams
    as the text has them now (it raises on any difference)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
            )
            rows = conn.execute(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE text LIKE '%hypersonic%'")
            )
            ids = sorted(r[0] for r in rows)
            expected = conn.execute(
                text("SELECT id FROM documents WHERE text LIKE '%hypersonic%' ORDER BY id")
            )
            assert ids == [r[0] for r in expected]
    finally:
        engine.dispose()


def _insert_trigger(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": f"{FTS_TABLE}_insert"}
            ).first()
            return None if found is None else str(found[0])
    finally:
        engine.dispose()


def test_the_sqlite_index_narrows_to_the_texts_holding_the_required_strings(
    tmp_path: Path,
) -> None:
    """What the index passes on to the exact match: the documents in the id range whose text
    holds every string the pattern requires (case folded), and nothing else; a pattern that
    requires nothing as long as a trigram is not narrowed at all (None: every text is read)."""
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    texts = ["the radar saw it", "no such thing", "a RADAR too", "zz only", "radar again"]
    with Workspace(url) as ws:
        ids = [ws.documents.add(body, key=f"k{i}").id for i, body in enumerate(texts)]
        _index_or_skip(url)

        def passed(pattern: str, low: int, high: int) -> set[int] | None:
            query = sqlite_match_query(required_text(pattern, ignore_case=True))
            if query is None:
                return None
            with ws.db.read() as session:
                narrowed = sqlite_text_match(query, low, high)
                found = session.execute(select(Document.id).where(narrowed))
                return set(found.scalars())

        # the last "radar" text is out of the id range; "zz" is shorter than a trigram
        assert passed("zz.*radar", ids[0], ids[3]) == {ids[0], ids[2]}
        assert passed("rad", ids[0], ids[4]) == {ids[0], ids[2], ids[4]}  # three: a trigram
        assert passed("radar (saw|again)", ids[0], ids[4]) == {ids[0], ids[4]}  # not "RADAR too"
        assert passed("ra.ar", ids[0], ids[4]) is None
        assert passed("zz", ids[0], ids[4]) is None


def test_only_the_index_s_own_tables_and_indexes_are_taken_for_it() -> None:
    """The schema check leaves the index's objects out of its comparison with the models, and
    nothing else."""
    assert [is_index_object(name) for name in (FTS_TABLE, f"{FTS_TABLE}_data", TRIGRAM_INDEX)] == [
        True,
        True,
        True,
    ]
    assert [is_index_object(name) for name in ("documents", "spans", "", None)] == [
        False,
        False,
        False,
        False,
    ]


def _trigram_fts5() -> bool:
    """Whether this Python's SQLite has FTS5 with the trigram tokenizer (3.34 and later)."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


def _in_catalogue(url: str) -> bool:
    """The index as the database's own catalogue lists it (a table on SQLite, an index on
    PostgreSQL), read without ``has_text_index``."""
    engine = create_engine(url)
    try:
        found = inspect(engine)
        if url.startswith("sqlite"):
            return FTS_TABLE in found.get_table_names()
        return TRIGRAM_INDEX in {index["name"] for index in found.get_indexes("documents")}
    finally:
        engine.dispose()


def test_an_import_indexes_its_documents_and_leaves_the_index_to_every_other_writer(
    sqlite_url: str,
) -> None:
    """An import indexes what it inserts in one statement at its end (its insert trigger is
    set aside meanwhile, in the same transaction): after it, and after one refused half way
    (rolled back), the trigger is as it was and keeps indexing what anyone else inserts."""
    with Workspace(sqlite_url) as ws:
        _corpus(ws, random.Random(5), 10)
        trigger = _insert_trigger(sqlite_url)
        assert trigger is not None
        ImportBatch(ws.db).run(
            [ParsedDocument(text=f"A hypersonic glider, take {i}.", key=f"g{i}") for i in range(30)]
        )
        with pytest.raises(ImportRejected, match="already used by another document"):
            ImportBatch(ws.db).run(  # the second "dup" is refused inside the write transaction
                [
                    ParsedDocument(text="A hypersonic drone, first.", key="dup"),
                    ParsedDocument(text="A hypersonic drone, second.", key="dup"),
                ]
            )
        assert _insert_trigger(sqlite_url) == trigger
        with ws.db.write() as s:  # another writer, not an import
            s.execute(
                text(
                    "INSERT INTO documents (key, title, text, length, meta, content_hash, "
                    "created_at) VALUES ('raw', 'raw', 'A hypersonic raw row.', 21, '{}', 'x', "
                    "'2026-01-01 00:00:00')"
                )
            )
        found = [h.key for h in ws.search(SearchQuery(text="hypersonic"))]
        assert found == [f"g{i}" for i in range(30)] + ["raw"]
        regex = [
            h.key for h in ws.search(SearchQuery(text=r"hyperson\w+ (glider|raw)", regex=True))
        ]
        assert regex == found
    _fts_agrees_with_documents(sqlite_url)


def test_search_uses_the_index_exactly_when_the_database_has_it(db_url: str) -> None:
    """Search asks whether the index is there before narrowing by it: never when it was left out
    (an SQLite without FTS5, a server without pg_trgm, a downgrade), always when it is there."""
    Workspace(db_url).close()
    present = _in_catalogue(db_url)
    if db_url.startswith("sqlite"):
        assert present == _trigram_fts5()
    assert _indexed(db_url) is present
    _migrate(db_url, "0007", down=True)
    assert not _in_catalogue(db_url)
    assert _indexed(db_url) is False


def test_a_regex_nested_past_what_its_walk_can_take_reads_every_text(db_url: str) -> None:
    """``re`` compiles 400 nested alternatives; reading their required strings recurses past
    Python's limit. The search then reads every text, as without the index, not a traceback."""
    pattern = "(?:abc|" * 400 + "xyz" + ")" * 400
    with Workspace(db_url) as ws:
        _index_or_skip(db_url)
        ws.documents.add("The abc and the xyz.", key="a")
        ws.documents.add("Neither here.", key="b")
        with pytest.raises(RecursionError):
            required_text(pattern, True)
        hits = list(ws.search(SearchQuery(pattern, regex=True)))
    assert [(h.key, h.start, h.end) for h in hits] == [("a", 4, 7), ("a", 16, 19)]
