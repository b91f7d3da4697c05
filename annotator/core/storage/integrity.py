"""Checking a database for damage: SQLite's own checks, or orphan rows on any server.

Each problem is one line a user can read; an empty list means the database is sound.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, and_, func, select

from annotator.core.domain.wording import counted
from annotator.core.storage.models import Base

MAX_PROBLEMS = 100  # integrity_check stops listing after this many


def sqlite_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` on the file at ``path``.

    A plain sqlite3 connection, not our engine: a damaged file must still be checkable, and
    checking must not migrate, switch journal modes or back up anything.
    """
    con = sqlite3.connect(path)  # PRAGMAs only: no transaction is ever opened
    try:
        try:
            rows = con.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        problems = [str(row[0]) for row in rows if row[0] != "ok"]
        try:
            orphans = con.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return [*problems, str(exc)]
        problems += [
            f"{table} row {rowid}: refers to a missing row in {parent}"
            for table, rowid, parent, _fk in orphans
        ]
        return problems
    finally:
        con.close()


def orphan_problems(conn: Connection) -> list[str]:
    """Rows whose foreign key points at no row: a query per foreign key of our tables."""
    problems: list[str] = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table
            # Joined to an alias: a table that refers to itself (entities.merged_into) too.
            referred = parent.alias()
            pairs = [(element.parent, referred.c[element.column.name]) for element in fk.elements]
            joined = and_(*(child == column for child, column in pairs))
            present = and_(*(child.isnot(None) for child, _ in pairs))
            missing = pairs[0][1].is_(None)
            count = conn.execute(
                select(func.count())
                .select_from(table.outerjoin(referred, joined))
                .where(present, missing)
            ).scalar_one()
            if count:
                columns = ", ".join(c.name for c, _ in pairs)
                problems.append(
                    f"{table.name}: {counted(count, 'row')} whose {columns} "
                    f"{'refers' if count == 1 else 'refer'} to a missing row "
                    f"in {parent.name}"
                )
    return problems
