"""The README's command-line block runs as written, in order, on a fresh database; so does its
library example."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## From the command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [
        shlex.split(line, comments=True)
        for line in block[1].splitlines()
        if line.startswith("annotator ")
    ]


def test_every_readme_command_runs_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "label_schemas", tmp_path / "label_schemas")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "radar.txt").write_text("Estmar tests a radar\nIt works.\n")
    commands = readme_commands()
    assert any("--stratify" in words for words in commands)
    db = f"sqlite:///{tmp_path / 'readme.sqlite3'}"
    for words in commands:
        args = [arg for word in words[1:] for arg in _glob(word)]
        with pytest.raises(SystemExit) as info:
            main(["--db", db, *args])
        _, err = capsys.readouterr()
        assert info.value.code in (0, None), f"{' '.join(words)}: {err}"


def _glob(word: str) -> list[str]:
    """What the shell makes of a word with a wildcard."""
    if "*" not in word:
        return [word]
    return sorted(str(p) for p in Path().glob(word))


def team_commands() -> list[list[str]]:
    """The command-line steps of "Working as a team" (not the window, not the server setup)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Working as a team", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    steps = [shlex.split(line, comments=True) for line in block[1].splitlines()]
    return [words for words in steps if words[:1] == ["annotator"] and len(words) > 1]


def test_the_team_walkthrough_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Assign, agreement, adjudication and a gold export, on the demo's team, in order; the
    curator's step in the window (marking gold done) is done through the service."""
    from annotator.core.services.workspace import Workspace

    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "label_schemas", tmp_path / "label_schemas")
    db = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    commands = team_commands()
    names = [words[1] for words in commands]
    assert names[:1] == ["demo"] and {"assign", "agreement", "adjudicate", "export"} <= set(names)
    outputs = {}
    for words in commands:
        if words[1] == "export":  # the curator marked the adjudicated documents done
            with Workspace(db) as ws:
                gold = ws.gold()
                for doc in range(1, ws.documents.count() + 1):
                    if gold.spans(doc):
                        gold.set_status(doc, "done", force=True)
        with pytest.raises(SystemExit) as info:
            main(["--db", db, *words[1:]])
        out, err = capsys.readouterr()
        assert info.value.code in (0, None), f"{' '.join(words)}: {err}"
        outputs[words[1]] = out + err
    assert "amira vs tomas" in outputs["agreement"]
    assert "gold: added" in outputs["adjudicate"]
    manifest = (tmp_path / "gold" / "manifest.json").read_text(encoding="utf-8")
    assert '"kind": "gold"' in manifest


def readme_library_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## As a library", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block[1]


def test_the_readme_library_example_runs_and_stores_what_it_says(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", readme_library_example()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with Workspace(f"sqlite:///{tmp_path / 'corpus.sqlite3'}", create=False) as ws:
        assert ws.documents.count() == 1
        doc = ws.documents.by_key("a1")
        assert doc is not None
        (span,) = ws.annotations("alice").spans(doc.id)
    assert doc.text[span.start : span.end] == "“We will respond,”"
    assert (span.label, span.attributes.get("stance")) == ("STATEMENT", "threatens")
