"""Opening a database: exactly the one the user named, never a write lock just to read.

Real SQLite files, a real second connection holding the write lock, and the real command line in
a subprocess where the lock matters.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import AnnotatorError
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
NER = schemas_dir() / "named_entities.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def annotator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ANNOTATOR_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=25,  # a guard only: the old code waited out its 30 s busy timeout here
    )


def make_database(path: Path, documents: int = 3) -> None:
    with Workspace(str(path)) as ws:
        for i in range(documents):
            ws.documents.add(f"Headline {i}\nThe minister said so.", key=f"k{i}")


# -- 5: an up-to-date database opens without the write lock --


def test_stats_export_and_the_window_open_while_another_process_writes(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what a long import holds
        writer.execute("INSERT INTO settings (key, value) VALUES ('busy', 'yes')")
        done = annotator("--db", str(db), "stats", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "documents: 3" in done.stdout.splitlines()
        out = tmp_path / "out.jsonl"
        done = annotator("--db", str(db), "export", "--status", "any", str(out), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert len(out.read_text(encoding="utf-8").splitlines()) == 3
        # The window opens its workspace for writing: that too only reads when up to date.
        with Workspace(str(db)) as ws:
            assert ws.documents.count() == 3
        writer.execute("COMMIT")
    finally:
        writer.close()


# -- 3: commands that only read never create a file --


@pytest.mark.parametrize("command", [["stats"], ["export", "out.jsonl"]])
def test_reading_a_mistyped_path_creates_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "tema.sqlite3"
    code, _, err = run(capsys, "--db", str(typo), *command)
    assert code == 1
    assert err == f"error: no database at {typo}\n"
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []


def test_reading_an_empty_file_is_refused_and_leaves_it_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    code, _, err = run(capsys, "--db", str(empty), "stats")
    assert code == 1
    assert err == f"error: no annotator database in sqlite:///{empty}: it is empty\n"
    assert empty.stat().st_size == 0


# -- 2: a plain path is exactly that file --

ODD_NAMES = ["what?.sqlite3", "a%20b.sqlite3", "a b.sqlite3", "Ωmega-çà.sqlite3", "x#y.sqlite3"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_plain_path_opens_exactly_that_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    folder = tmp_path / "dbs"
    folder.mkdir()
    monkeypatch.chdir(folder)
    make_database(folder / name, documents=2)
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".sqlite3") == [name]
    for given in (name, str(folder / name)):  # relative and absolute
        code, out, err = run(capsys, "--db", given, "stats")
        assert code == 0, err
        assert out.splitlines()[:2] == [f"database: sqlite:///{folder / name}", "documents: 2"]
    code, out, err = run(capsys, "--db", name, "demo", "--annotator", "alice")
    assert code == 0, err
    files = {p.name for p in folder.iterdir()}
    assert files <= {name, f"{name}-wal", f"{name}-shm", "backups"}, files


# -- 1: an in-memory or empty URL is refused, never a vanishing database --


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:", ""])
@pytest.mark.parametrize("command", [["demo"], ["stats"], ["schema", "use", str(NER)]])
def test_an_in_memory_or_empty_url_is_refused(
    capsys: pytest.CaptureFixture[str], url: str, command: list[str]
) -> None:
    code, out, err = run(capsys, "--db", url, *command)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "in-memory" in err or "empty" in err


def test_an_import_into_sqlite_slash_slash_slash_reports_no_success(tmp_path: Path) -> None:
    data = tmp_path / "docs.jsonl"
    data.write_text(
        "".join(f'{{"text": "Headline {i}\\nBody {i}."}}\n' for i in range(2000)), encoding="utf-8"
    )
    done = annotator("--db", "sqlite:///", "import", str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert "imported" not in done.stdout
    assert done.stderr.startswith("error: 'sqlite:///' is an in-memory database")
    assert "Traceback" not in done.stderr


def test_the_window_refuses_an_in_memory_database() -> None:
    for url in ("sqlite://", ""):
        with pytest.raises(AnnotatorError, match=r"in-memory|empty"):
            Workspace(url)


# -- 4: another program's SQLite file is left byte for byte as it was --


def other_programs_database(path: Path) -> bytes:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.executemany("INSERT INTO recipes (name) VALUES (?)", [("soup",), ("bread",)])
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["demo"], ["stats"]])
def test_another_programs_database_is_refused_and_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "recipes.db"
    before = other_programs_database(path)
    assert before[18:20] == b"\x01\x01"  # rollback journal
    code, _, err = run(capsys, "--db", str(path), *command)
    assert code == 1
    assert err == (
        f"error: sqlite:///{path} is not an annotator database (it holds other tables: "
        "recipes); it was left untouched\n"
    )
    assert path.read_bytes() == before  # same bytes, header 18-19 still 1,1: not WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipes.db"]


def test_an_alembic_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other_programs_database(path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(AnnotatorError, match="is not an annotator database"):
        Workspace(str(path))
    assert path.read_bytes() == before


def test_our_new_database_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Workspace(str(path)).close()
    assert path.read_bytes()[18:20] == b"\x02\x02"


# -- 9: rolling automatic backups --

STAMP = re.compile(r"^team-\d{8}T\d{9}Z\.sqlite3$")
DAY = 24 * 3600


def backups_of(db: Path) -> list[Path]:
    folder = db.parent / "backups"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_opening_for_writing_keeps_a_daily_backup(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)  # a new file: nothing to back up yet
    assert backups_of(db) == []
    with Workspace(str(db), backup=True) as ws:
        ws.documents.add("Headline\nA fourth article.", key="k3")
    first = backups_of(db)
    assert len(first) == 1 and STAMP.match(first[0].name), first
    assert first[0].stat().st_mode & 0o777 == db.stat().st_mode & 0o777
    with Workspace(str(first[0]), create=False) as copy:
        assert copy.documents.count() == 3  # the database as it was when opened
    Workspace(str(db), backup=True).close()  # again the same day: no second copy
    assert backups_of(db) == first
    # A day later, and the database changed since: a new copy.
    age(first[0], DAY + 60)
    Workspace(str(db), backup=True).close()
    second = backups_of(db)
    assert len(second) == 2
    with Workspace(str(second[-1]), create=False) as copy:
        assert copy.documents.count() == 4


def test_no_backup_when_nothing_changed_and_only_the_newest_five_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(7):  # seven old automatic backups, the newest two days old
        old = folder / f"team-2026010{day + 1}T000000000Z.sqlite3"
        old.write_bytes(db.read_bytes())
        age(old, (9 - day) * DAY)
    age(db, 10 * DAY)  # unchanged since the newest backup
    Workspace(str(db), backup=True).close()
    assert len(backups_of(db)) == 7  # nothing new, nothing pruned
    age(db, 0)  # changed since
    Workspace(str(db), backup=True).close()
    kept = [p.name for p in backups_of(db)]
    assert len(kept) == 5
    assert kept[:4] == [f"team-2026010{d}T000000000Z.sqlite3" for d in (4, 5, 6, 7)]
    assert STAMP.match(kept[4])


def test_reading_makes_no_backup(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    code, _, err = run(capsys, "--db", str(db), "stats")
    assert code == 0, err
    assert not (tmp_path / "backups").exists()


def test_a_failed_backup_warns_in_one_line_and_work_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "team.sqlite3"
    make_database(db)
    (tmp_path / "backups").write_text("a file where the folder would go")
    code, out, err = run(capsys, "--db", str(db), "demo", "--annotator", "alice")
    assert code == 0
    assert out.startswith("imported ")
    assert err.count("\n") == 1
    assert err.startswith(f"warning: no automatic backup of {db} was made: ")
