"""Not a bench_ module (it needs a PostgreSQL server and the search bench's corpus): corpus
search on PostgreSQL over the 100,000 documents of ``bench_search``, with and without the
trigram index of migration 0008.

    python -m tests.bench.pg_search_probe /tmp/annotator-bench/search-v1-scale1/search.sqlite3

Starts the tests' own server (tests/pg_server.py), copies the documents into a fresh database
with COPY, and times three runs of each search in this process.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from itertools import islice

from sqlalchemy import create_engine, text

from annotator.core.domain.searching import SearchQuery
from annotator.core.services.workspace import Workspace
from tests import pg_server
from tests.conftest import fresh_pg_database

COLUMNS = "id, key, title, text, length, source, url, published, meta, content_hash, created_at"
QUERIES = {
    "first page, common word": (SearchQuery(text="missile"), 50),
    "rare word, every hit": (SearchQuery(text="hypersonic"), None),
    "absent word": (SearchQuery(text="zzzunused"), None),
}


def _load(url: str, corpus: str) -> None:
    import psycopg

    source = sqlite3.connect(corpus)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY documents ({COLUMNS}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {COLUMNS} FROM documents"):
                copy.write_row(row)
        conn.execute("ANALYZE documents")


def _times(url: str, label: str) -> None:
    with Workspace(url) as ws:
        list(ws.search(SearchQuery(text="warm-up")))
        for name, (query, limit) in QUERIES.items():
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                found = sum(1 for _ in islice(ws.search(query), limit))
                runs.append(round((time.perf_counter() - start) * 1000))
            print(f"{label:<14} {name:<24} {found:>6} hits  {runs} ms", flush=True)


def main() -> None:
    server, reason = pg_server.start_server()
    if not server:
        raise SystemExit(f"no PostgreSQL server: {reason}")
    try:
        url = fresh_pg_database(server)
        Workspace(url).close()
        _load(url, sys.argv[1])
        _times(url, "with index")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_documents_text_trgm"))
        engine.dispose()
        _times(url, "without index")
    finally:
        pg_server.stop_server(server)


if __name__ == "__main__":
    main()
