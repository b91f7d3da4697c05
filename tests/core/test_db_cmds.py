"""``annotator db check`` / ``db backup``, and a damaged file met by export: one line, no traceback.

The damage is real: garbage written over pages of a real database's file, beyond page 1.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.services.workspace import Workspace

PAGE = 4096


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def make_database(path: Path, documents: int = 300) -> None:
    with Workspace(str(path)) as ws:
        for i in range(documents):
            ws.documents.add(
                f"Headline {i}\n" + f"Sentence {i} of a long article. " * 60, key=f"{i}"
            )
    # Closed: the write-ahead log is checkpointed into the file and removed.
    assert not path.with_name(path.name + "-wal").exists()


def damage(path: Path) -> None:
    """Garbage over a run of pages in the middle of the file, where the documents live."""
    size = path.stat().st_size
    assert size > 40 * PAGE
    with open(path, "r+b") as f:
        for page in range(size // PAGE // 2, size // PAGE // 2 + 8):
            f.seek(page * PAGE)
            f.write(b"\xde\xad\xbe\xef" * (PAGE // 4))


def test_export_of_a_damaged_database_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    damage(db)
    out = tmp_path / "out.jsonl"
    code, stdout, err = run(capsys, "--db", str(db), "export", "--status", "any", str(out))
    assert code == 1
    assert stdout == ""
    assert err == (
        f"error: the database {db} is damaged (database disk image is malformed); "
        f"run `annotator --db {db} db check` and restore a backup\n"
    )
    assert not out.exists()


def test_db_check_lists_the_damage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    code, out, err = run(capsys, "--db", str(db), "db", "check")
    assert (code, out, err) == (0, f"sqlite:///{db}: ok\n", "")
    damage(db)
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "db", "check")
    assert code == 1
    assert out.strip()  # SQLite's own words, one problem a line
    assert "Traceback" not in out + err
    assert err.startswith(f"sqlite:///{db}: ") and (err.endswith((" problem\n", " problems\n")))
    assert db.read_bytes() == before  # checking repairs nothing, writes nothing


def test_db_check_finds_orphan_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db, documents=2)
    con = sqlite3.connect(db)  # foreign keys are off by default on a plain connection
    con.execute(
        "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
        "VALUES (99, 1, 'done', '2026-01-01')"
    )
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--db", str(db), "db", "check")
    assert code == 1
    assert "document_status row 1: refers to a missing row in documents" in out.splitlines()


def test_db_check_on_a_mistyped_path_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    typo = tmp_path / "tema.sqlite3"
    for command in (["db", "check"], ["db", "backup", str(tmp_path / "copy.sqlite3")]):
        code, _, err = run(capsys, "--db", str(typo), *command)
        assert (code, err) == (1, f"error: no database at {typo}\n")
    assert list(tmp_path.iterdir()) == []


def test_db_backup_copies_while_another_process_writes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db, documents=5)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO settings (key, value) VALUES ('uncommitted', 'x')")
        copy = tmp_path / "copy.sqlite3"
        code, out, err = run(capsys, "--db", str(db), "db", "backup", str(copy))
        assert (code, out, err) == (0, f"backed up to {copy}\n", "")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with Workspace(str(copy), create=False) as ws:
        assert ws.documents.count() == 5
    con = sqlite3.connect(copy)
    # A consistent snapshot: what the writer had not committed is not in the copy.
    assert con.execute("SELECT count(*) FROM settings WHERE key = 'uncommitted'").fetchone() == (0,)
    con.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_db_backup_refuses_to_overwrite_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db, documents=2)
    copy = tmp_path / "copy.sqlite3"
    copy.write_text("precious")
    code, _, err = run(capsys, "--db", str(db), "db", "backup", str(copy))
    assert (code, err) == (1, f"error: {copy} already exists; add --force to replace it\n")
    assert copy.read_text() == "precious"
    code, _, err = run(capsys, "--db", str(db), "db", "backup", "--force", str(copy))
    assert code == 0, err
    with Workspace(str(copy), create=False) as ws:
        assert ws.documents.count() == 2


def test_db_backup_never_writes_over_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db, documents=2)
    before = db.read_bytes()
    monkeypatch.chdir(tmp_path)
    for target in (str(db), "team.sqlite3", "./team.sqlite3"):
        code, _, err = run(capsys, "--db", str(db), "db", "backup", "--force", target)
        assert code == 1
        shown = tmp_path / target.removeprefix("./")
        assert err == f"error: {shown} is the database itself; choose another file\n"
    assert db.read_bytes() == before


def test_db_backup_of_postgresql_prints_pg_dump_without_the_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql+psycopg://lead:s3cret@db.example.org/team"
    code, out, err = run(capsys, "--db", url, "db", "backup", str(tmp_path / "team.dump"))
    assert code == 1
    assert "pg_dump --format=custom" in err
    assert "lead@db.example.org/team" in err
    assert "s3cret" not in out + err


def test_db_check_on_a_sound_database_says_ok(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    """Once on SQLite (the pragmas) and once on PostgreSQL (the orphan queries)."""
    with Workspace(db_url) as ws:
        ws.documents.add("Headline\nBody.", key="k")
    code, out, err = run(capsys, "--db", db_url, "db", "check")
    assert (code, err) == (0, "")
    assert out.endswith(": ok\n")
