"""The dashboard's figures on 100,000 documents (times the scale) with 1,000,000 spans of two
annotators, 10 links each, every document done (``export_corpus.generate``).

- ours: ``Workspace.statistics().tables()`` (what the dashboard counts on opening and ``annotator
  stats --csv`` writes: progress per day, spans per label and value, statements per speaker),
  in a fresh process, opening the database included.
- reference: the same three aggregates as bare SQL with plain ``sqlite3`` on the same file
  (what the scans alone cost, nothing parsed or folded).

Agreement is measured only when asked; its cost is ``bench_agreement.py``'s.
"""

from __future__ import annotations

import sqlite3

from tests.bench.common import Figure, measure
from tests.bench.export_corpus import corpus_path, generate

FIGURES = (
    "dashboard tables, 100k docs, 1M spans",
    "same, with start-up and opening",
    "dashboard tables peak RSS",
)
DOCS, SPANS = 100_000, 1_000_000


def ours(path: str) -> dict[str, float]:
    """The tables' rows, and the seconds the tables took once the database was open."""
    import time

    from annotator.core.services.workspace import Workspace

    with Workspace(path, create=False) as ws:
        statistics = ws.statistics()
        start = time.perf_counter()
        rows = sum(len(table.rows) for table in statistics.tables())
        return {"rows": rows, "tables_s": time.perf_counter() - start}


def reference(path: str) -> int:
    con = sqlite3.connect(path)
    queries = (
        "SELECT annotator_id, date(updated_at), count(*) FROM document_status"
        " WHERE status = 'done' GROUP BY 1, 2",
        "SELECT annotator_id, label, attributes, count(*) FROM spans GROUP BY 1, 2, 3",
        "SELECT m.entity_id, CASE WHEN m.entity_id IS NULL"
        ' THEN substr(d.text, s.start + 1, s."end" - s.start) END AS t,'
        " count(DISTINCT r.source_id) FROM relations r"
        " JOIN spans s ON s.id = r.target_id JOIN documents d ON d.id = r.document_id"
        " LEFT JOIN mention_entities m ON m.span_id = s.id"
        " WHERE r.label = 'said_by' GROUP BY 1, 2",
    )
    rows = sum(len(con.execute(q).fetchall()) for q in queries)
    con.close()
    return rows


def run(scale: float) -> list[Figure]:
    docs, spans = max(100, round(DOCS * scale)), max(1000, round(SPANS * scale))
    path = corpus_path(docs, spans)
    if not path.exists():
        generate(path, docs, spans)
    ref = measure("tests.bench.bench_statistics:reference", str(path))
    got = measure("tests.bench.bench_statistics:ours", str(path))
    tables = got.result["tables_s"]
    return [
        Figure(
            FIGURES[0],
            tables,
            "s",
            ref.seconds,
            target="<= 2x reference",
            met=tables <= 2 * ref.seconds,
            note=f"{got.result['rows']} table rows; {docs} documents, {spans} spans",
        ),
        Figure(
            FIGURES[1],
            got.seconds,
            "s",
            ref.seconds,
            note="imports, opening the database, the tables",
        ),
        Figure(FIGURES[2], got.peak_rss_mb, "MB", ref.peak_rss_mb),
    ]


def main() -> None:
    import sys

    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
