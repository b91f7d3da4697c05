"""The ``annotator`` command as scripts and team leads run it: exit codes, messages, no tracebacks.

Most tests call ``annotator.cli.main.main`` in-process (the same function ``python -m annotator``
runs, with its error handling); a few run the real module in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.cli.main import main
from annotator.core.services.bundled import demo_corpus, schemas_dir
from annotator.core.services.workspace import Workspace

NER = schemas_dir() / "named_entities.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (int(code) if code is not None else 0), out, err


def demo_counts() -> tuple[int, int, int]:
    """Documents, spans, and pre-annotated documents in the bundled demo file."""
    records = [json.loads(line) for line in demo_corpus().read_text(encoding="utf-8").splitlines()]
    spans = sum(len(r["spans"]) for r in records)
    return len(records), spans, sum(1 for r in records if r["spans"])


def test_demo_and_stats_with_the_db_option(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    docs, spans, annotated = demo_counts()
    code, out, err = run(capsys, "--db", db_url, "demo", "--annotator", "alice")
    assert code == 0, err
    assert out.startswith(f"imported {docs} documents with {spans} spans")
    code, out, _ = run(capsys, "--db", db_url, "demo", "--annotator", "alice")
    assert code == 0
    assert f"imported 0 documents with 0 spans and 0 links; skipped {docs} duplicate" in out
    code, out, _ = run(capsys, "--db", db_url, "stats")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == f"documents: {docs}"
    assert (
        f"alice: assigned 0, new {docs - annotated}, in progress {annotated}, done 0, skipped 0"
        in lines
    )


def test_the_database_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", db_url)
    code, _, err = run(capsys, "demo", "--annotator", "alice")
    assert code == 0, err
    with Workspace(db_url) as ws:
        assert ws.documents.count() == demo_counts()[0]
    # --db wins over the environment
    other = tmp_path / "other.sqlite3"
    Workspace(str(other)).close()  # stats only reads: the database must exist
    code, out, _ = run(capsys, "--db", str(other), "stats")
    assert code == 0
    assert out.splitlines()[:2] == [f"database: sqlite:///{other}", "documents: 0"]


def test_db_accepts_a_plain_file_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "new folder" / "team.sqlite3"
    code, out, err = run(capsys, "--db", str(path), "demo", "--annotator", "alice")
    assert code == 0, err
    assert path.is_file()
    assert out.splitlines()[0].endswith(f" into sqlite:///{path}")


def test_import_and_export_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Estmar denies drone shipments\nThe ministry denied it.\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", db_url, "import", str(article))
    assert code == 0, err
    assert out.strip() == (
        "imported 1 document with 0 spans and 0 links; skipped 0 duplicates; rejected 0"
    )
    run(capsys, "--db", db_url, "demo", "--annotator", "alice")
    native = tmp_path / "out" / "all.jsonl"
    code, out, err = run(capsys, "--db", db_url, "export", str(native))
    assert code == 0, err
    assert out.strip() == f"wrote {demo_counts()[0] + 1} documents to {native}"
    assert len(native.read_text(encoding="utf-8").splitlines()) == demo_counts()[0] + 1
    statements = tmp_path / "statements.jsonl"
    code, out, err = run(
        capsys,
        "--db",
        db_url,
        "export",
        "--format",
        "statements",
        "--annotator",
        "alice",
        "--status",
        "in_progress",
        str(statements),
    )
    assert code == 0, err
    records = [json.loads(line) for line in statements.read_text(encoding="utf-8").splitlines()]
    assert out.strip() == f"wrote {len(records)} statements to {statements}"
    assert records and {r["annotator"] for r in records} == {"alice"}


def test_schema_use_and_show(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, _ = run(capsys, "--db", db_url, "schema", "show")
    assert code == 0
    assert out.splitlines()[0] == "defence_statements 1.0"
    assert "    stance (choice, required): supports, opposes, threatens, denies, neutral" in out
    assert "  said_by: STATEMENT -> SPEAKER [Shift+K]" in out
    assert (  # a link's own values, under its relation
        "  aimed_at: STATEMENT -> TARGET [Shift+T]\n"
        "    stance_toward (choice, optional): supports, opposes, threatens, denies, neutral\n"
    ) in out
    code, out, err = run(capsys, "--db", db_url, "schema", "use", str(NER))
    assert code == 0, err
    # Nothing is annotated yet: every change touches nothing, and the switch is recorded.
    assert "  label STATEMENT removed: 0 spans\n" in out
    assert out.splitlines()[-2] == "recorded as change #1 (annotator schema history)"
    assert out.splitlines()[-1].startswith("active schema: named_entities 1.0 (sha256 ")
    code, out, _ = run(capsys, "--db", db_url, "schema", "show")
    assert out.splitlines()[0] == "named_entities 1.0"
    assert "    precise (bool, optional): bool" in out
    with Workspace(db_url) as ws:  # every desktop on the database now uses it
        assert ws.active_schema().name == "named_entities"


def test_schema_use_refuses_a_bad_file(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: x\nversion: "1"\nlabels:\n  - name: A\n    color: red\n')
    code, out, err = run(capsys, "--db", db_url, "schema", "use", str(bad))
    assert code == 1
    assert f"{bad}:5: labels.A.color: 'red' is not a colour" in err
    assert "Traceback" not in err and out == ""
    with Workspace(db_url) as ws:
        assert ws.active_schema().name == "defence_statements"


# -- errors: exit code 1, one readable message, no traceback --


def test_a_refused_import_exits_1_naming_the_file(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Good\narticle", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Headline\nbad \xff byte\n")
    code, out, err = run(capsys, "--db", db_url, "import", str(good), str(bad))
    assert code == 1
    assert "error: import refused, nothing was imported (1 problem):" in err
    assert f"{bad}:2: cannot decode" in err and "byte offset 13" in err
    assert "Traceback" not in err
    assert "imported" not in out
    with Workspace(db_url) as ws:
        assert ws.documents.count() == 0


def test_export_errors_exit_1_and_write_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    run(capsys, "--db", db_url, "demo", "--annotator", "alice")
    exports = tmp_path / "exports"
    target = exports / "out.jsonl"
    code, _, err = run(capsys, "--db", db_url, "export", "--annotator", "carol", str(target))
    assert code == 1
    assert err.strip() == "error: no annotator called carol in this database"
    with Workspace(db_url) as ws, ws.db.write() as s:
        s.execute(text("UPDATE documents SET text = text || '!' WHERE key = 'demo-02'"))
    code, _, err = run(capsys, "--db", db_url, "export", str(target))
    assert code == 1
    assert "error: document 'demo-02': its text changed after import" in err
    assert "Traceback" not in err
    assert not exports.exists() or list(exports.iterdir()) == []  # no file, no *.part


def test_a_database_that_cannot_be_opened_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("these are my notes, not a database\n")
    code, _, err = run(capsys, "--db", str(not_a_db), "stats")
    assert code == 1
    assert (
        err.strip()
        == f"error: cannot open the database sqlite:///{not_a_db}: file is not a database"
    )
    unreachable = "postgresql+psycopg://annotator@127.0.0.1:1/team"
    code, _, err = run(capsys, "--db", unreachable, "stats")
    assert code == 1
    assert err.startswith(f"error: cannot open the database {unreachable}: ")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    code, _, err = run(capsys, "--db", db, "export")
    assert code == 2 and "Missing argument 'OUTPUT'" in err
    code, _, err = run(capsys, "--db", db, "export", "--format", "csv", "x.csv")
    assert code == 2 and "'csv' is not one of 'native', 'statements'" in err


# -- the real entry point --


def _annotator(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_python_m_annotator(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "ANNOTATOR_DB": db_url, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = _annotator("demo", "--annotator", "alice", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"imported {demo_counts()[0]} documents")
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: x\nversion: "1"\nlabels:\n  - name: A\n    color: "#ggg"\n')
    done = _annotator("schema", "check", str(bad), env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == (
        f"{bad}:5: labels.A.color: '#ggg' is not a colour (use #rrggbb or #rgb)"
    )
