"""What the daily automatic backup adds to opening a large SQLite database for writing.

- ours: ``Workspace(path, backup=True)`` (as the window opens it) when a backup is due (no
  backup younger than a day), in a fresh child process; the copy is made with SQLite's online
  backup API into ``backups/``.
- reference: the same open when no backup is due (one was made a moment ago).

The difference is what a user waits, once a day, when opening the window or importing.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from tests.bench.common import Figure, measure

MB = 100  # size of the database at scale 1
FIGURES = ("open, backup due (100 MB)", "open, no backup due")


def build(path: Path, megabytes: int) -> None:
    """An annotator database of about ``megabytes`` MB: real tables, 5 kB articles."""
    from annotator.core.services.workspace import Workspace

    Workspace(str(path)).close()
    body = "The ministry said the programme would continue. " * 100
    con = sqlite3.connect(path)
    rows = (
        (
            f"k{i}",
            f"Article {i}",
            f"Article {i}\n{body}",
            len(body) + 12,
            "{}",
            hashlib.sha256(f"{i}".encode()).hexdigest(),
            "2026-01-01 00:00:00",
        )
        for i in range(megabytes * 1024 * 1024 // len(body))
    )
    con.executemany(
        "INSERT INTO documents (key, title, text, length, meta, content_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.commit()
    con.close()


def child(path: str) -> None:
    """Open for writing and close: what the window and ``annotator import`` do first."""
    from annotator.core.services.workspace import Workspace

    Workspace(path, backup=True).close()


def run(scale: float) -> list[Figure]:
    megabytes = max(1, round(MB * scale))
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        db = Path(tmp) / "team.sqlite3"
        build(db, megabytes)
        size = db.stat().st_size / 1e6
        shutil.rmtree(db.parent / "backups", ignore_errors=True)
        due = measure("tests.bench.bench_open:child", str(db))
        made = sorted((db.parent / "backups").iterdir())
        not_due = measure("tests.bench.bench_open:child", str(db))
        assert len(sorted((db.parent / "backups").iterdir())) == len(made) == 1
    return [
        Figure(FIGURES[0], due.seconds, "s", not_due.seconds, note=f"{size:.0f} MB file"),
        Figure(FIGURES[1], not_due.seconds, "s"),
    ]


def main() -> None:
    from tests.bench.common import print_figures

    print_figures(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))


if __name__ == "__main__":
    main()
