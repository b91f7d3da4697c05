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
from annotator.core.services.bundled import default_schema
from annotator.core.services.workspace import Workspace
from tests import pg_server
from tests.bench.bench_search import RARE_REGEX, REGEX
from tests.conftest import fresh_pg_database

COLUMNS = "id, key, title, text, length, source, url, published, meta, content_hash, created_at"
QUERIES = {
    "first page, common word": (SearchQuery(text="missile"), 50),
    "rare word, every hit": (SearchQuery(text="hypersonic"), None),
    "absent word": (SearchQuery(text="zzzunused"), None),
    "regex, every hit": (SearchQuery(text=REGEX, regex=True), None),
    "rare regex, every hit": (SearchQuery(text=RARE_REGEX, regex=True), None),
    "label + value, every hit": (
        SearchQuery(labels=("STATEMENT",), attributes=(("stance", "threatens"),)),
        None,
    ),
}
SPAN_COLUMNS = 'document_id, start, "end", label, attributes, created_at, updated_at'


def _load(url: str, corpus: str) -> None:
    import psycopg

    with Workspace(url) as ws:  # the spans' schema and layer, as bench_search makes them
        schema_id = ws.schemas.set_active(default_schema()).id
        annotator_id = ws.annotators.person("bench").id
    source = sqlite3.connect(corpus)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY documents ({COLUMNS}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {COLUMNS} FROM documents"):
                copy.write_row(row)
        spans = f"COPY spans (annotator_id, schema_id, {SPAN_COLUMNS}) FROM STDIN"
        with conn.cursor() as cur, cur.copy(spans) as copy:
            for row in source.execute(f"SELECT {SPAN_COLUMNS} FROM spans"):
                copy.write_row((annotator_id, schema_id, *row))
        conn.execute("ANALYZE documents")
        conn.execute("ANALYZE spans")


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
