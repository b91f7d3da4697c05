"""Issue 10's experiment from the command line, on the demo database, step by step: what each
command prints, and its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.services.bundled import schemas_dir
from tests.core.schema_variants import EXPERIMENT_STEPS, experiment, variant, write_schema
from tests.core.test_cli import run


def test_the_experiment_step_by_step(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    db = ("--db", db_url)
    assert run(capsys, *db, "demo", "--annotator", "alice")[0] == 0
    bare = write_schema(tmp_path, "statements-2.yaml", experiment())
    steps = write_schema(tmp_path, "statements-2.1.yaml", experiment(EXPERIMENT_STEPS, "2.1"))

    code, out, _ = run(capsys, *db, "schema", "diff", str(bare))
    assert code == 0
    assert "label WEAPON removed: 102 spans (alice 40, amira 32, tomas 30)" in out
    assert "label WEAPON is not in the schema: 102 spans" in out  # what use would refuse

    code, out, err = run(capsys, *db, "schema", "use", str(bare))
    assert (code, out) == (1, "")
    assert "would leave annotations outside the schema; nothing was changed" in err
    assert "value STATEMENT.stance 'threatens' is not in the schema: 13 values" in err

    old = str(schemas_dir() / "defence_statements.yaml")
    code, out, _ = run(capsys, *db, "schema", "diff", old, str(steps))
    assert code == 0 and "archive_label WEAPON: 102 spans" in out

    code, out, err = run(capsys, *db, "schema", "use", str(steps))
    assert code == 0, err
    assert "needs review: STATEMENT.certainty is required but not set: 117 spans" in out
    assert "6 done documents: demo-01 (amira), demo-01 (tomas)" in out
    assert out.splitlines()[-1].startswith("active schema: defence_statements 2.1 (sha256 ")

    code, out, _ = run(capsys, *db, "schema", "review")
    assert code == 0
    assert out.splitlines()[-1] == "72 spans lack a required value, in 6 documents"

    backup = tmp_path / "backup.jsonl"
    code, _, err = run(capsys, *db, "export", str(backup))
    assert code == 0, err
    manifest = json.loads((tmp_path / "backup.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema"]["version"] == "2.1"
    assert manifest["archived"]["counts"] == {"spans": 102, "relations": 102}

    back = variant(
        "3.0",
        migrations="- rename_value: {attribute: STATEMENT.stance, from: threat, to: threatens}\n",
    )
    code, out, err = run(capsys, *db, "schema", "use", str(write_schema(tmp_path, "v3.yaml", back)))
    assert code == 0, err
    assert "back from the archive:\n  102 about links (alice 40, amira 32, tomas 30)\n" in out
    assert "  102 WEAPON spans (alice 40, amira 32, tomas 30)\n" in out

    code, out, _ = run(capsys, *db, "schema", "history")
    lines = out.splitlines()
    heads = [line for line in lines if line.startswith("#")]
    assert [h.split(": ", 1)[1] for h in heads] == [
        "defence_statements 1.0 -> defence_statements 2.1",
        "defence_statements 2.1 -> defence_statements 3.0",
    ]
    assert "  step archive_label WEAPON: 102 spans (alice 40, amira 32, tomas 30), 102 links " in (
        out
    )
    assert "  back from the archive: 102 WEAPON spans (alice 40, amira 32, tomas 30)" in lines
    assert any(
        line.startswith("  needs review: STATEMENT.certainty") and line.endswith("6 done documents")
        for line in lines
    ), out
