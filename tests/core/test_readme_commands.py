"""The README's command-line block runs as written, in order, on a fresh database."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from annotator.cli.main import main

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
