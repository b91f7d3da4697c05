"""Looking after a database: checking it for damage, and copying it while it is in use."""

from __future__ import annotations

from pathlib import Path

from annotator.core.domain.errors import AnnotatorError
from annotator.core.storage import backups, integrity
from annotator.core.storage.db import Database
from annotator.core.storage.url import display, parse, without_password


def check_database(url: str | None) -> tuple[str, list[str]]:
    """(the database's name, its problems); no problems means it is sound. Never writes."""
    if url is None:
        from annotator.core.storage.url import default_url

        url = default_url()
    parsed = parse(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.is_file():
            raise AnnotatorError(f"no database at {path}")
        return display(parsed), integrity.sqlite_problems(path)
    db = Database(url, must_exist=True)
    try:
        with db.engine.connect() as conn:
            return db.display_name, integrity.orphan_problems(conn)
    finally:
        db.close()


def backup_database(url: str | None, target: Path, *, force: bool = False) -> Path:
    """Copy a SQLite database to ``target`` with the online backup API; whole or not at all."""
    if url is None:
        from annotator.core.storage.url import default_url

        url = default_url()
    parsed = parse(url)
    if parsed.get_backend_name() != "sqlite":
        raise AnnotatorError(
            "db backup copies SQLite files; back up a server database with: "
            f"pg_dump --format=custom --file {target} '{without_password(parsed)}'"
        )
    return backups.backup(Path(parsed.database or ""), target, force=force)
