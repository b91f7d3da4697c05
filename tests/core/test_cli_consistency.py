"""The command line behaves the same way wherever a user types things: ``--db`` before or after
the command, help that reads as sentences, one manifest per export file, folders as readable as
the user's own, and a skipped document that says which one it duplicates."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from annotator.cli.main import cli as root
from annotator.core.services.workspace import Workspace
from tests.core.test_cli import demo_counts, run


def _leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the root imports its commands on demand
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _leaves(command, (*path, name))
        else:
            yield (*path, name)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = root
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


@pytest.mark.parametrize("path", list(_leaves(root)), ids=" ".join)
def test_every_command_takes_db_after_its_name(path: tuple[str, ...]) -> None:
    options = {opt for param in _command(path).params for opt in param.opts}
    assert "--db" in options


def test_db_after_the_command_names_the_database_and_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    docs = demo_counts()[0]
    mine, other = tmp_path / "mine.sqlite3", tmp_path / "other.sqlite3"
    assert run(capsys, "demo", "--db", str(mine), "--no-team")[0] == 0
    code, out, err = run(capsys, "stats", "--db", str(mine))
    assert code == 0, err
    assert out.splitlines()[:2] == [f"database: sqlite:///{mine}", f"documents: {docs}"]
    code, out, _ = run(capsys, "--db", str(other), "stats", "--db", str(mine))
    assert code == 0 and f"documents: {docs}" in out
    assert not other.exists()
    code, out, _ = run(capsys, "db", "check", "--db", str(mine))
    assert (code, out) == (0, f"sqlite:///{mine}: ok\n")


@pytest.mark.parametrize("command", ["export", "import"])
def test_help_reads_cleanly(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert ".;" not in flat and ". ;" not in flat
    assert "Formats (--format):" in out
    assert "native" in flat and "jsonl Our own" not in flat  # one name for ours, both ways
    if command == "export":
        assert "--scheme [bio|bilou]" in flat
        assert "[default: bio]" in flat and "[default: BIO]" not in flat


def test_import_takes_the_native_format_by_its_export_name_and_its_old_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src, copy = f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "copy.jsonl"
    assert run(capsys, "--db", src, "demo", "--no-team")[0] == 0
    assert run(capsys, "--db", src, "export", str(copy), "--format", "native")[0] == 0
    for name, db in (("native", "b"), ("jsonl", "c")):
        code, out, err = run(
            capsys, "--db", str(tmp_path / f"{db}.sqlite3"), "import", str(copy), "--format", name
        )
        assert code == 0, err
        assert out.startswith(f"imported {demo_counts()[0]} documents")


def _pair(data: Path) -> dict[str, object]:
    """The manifest beside ``data``, checked to describe exactly ``data``."""
    manifest = json.loads(data.with_name(data.name + ".manifest.json").read_text("utf-8"))
    assert manifest["files"]["all"]["path"] == data.name
    assert manifest["files"]["all"]["bytes"] == data.stat().st_size
    return manifest


@pytest.fixture
def demo_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run(capsys, "--db", url, "demo", "--no-team")[0] == 0
    return url


def test_two_formats_of_one_name_keep_a_manifest_each(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("spacy")
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("conll", "spacy"):
        code, _, err = run(
            capsys, "--db", demo_url, "export", str(out / f"k.{fmt}"), "--format", fmt,
            "--status", "any",
        )  # fmt: skip
        assert code == 0, err
        assert f"manifest: {out / f'k.{fmt}.manifest.json'}" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "k.conll",
        "k.conll.manifest.json",
        "k.spacy",
        "k.spacy.manifest.json",
    ]
    assert _pair(out / "k.conll")["format"] == "conll"
    assert _pair(out / "k.spacy")["format"] == "spacy"


def test_an_export_named_by_an_earlier_version_is_still_recognised_and_replaced(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "k.conll"
    args = ("--db", demo_url, "export", str(data), "--format", "conll", "--status", "any")
    assert run(capsys, *args)[0] == 0
    # What earlier versions left: the manifest named after the stem.
    (tmp_path / "k.conll.manifest.json").rename(tmp_path / "k.manifest.json")
    code, _, err = run(capsys, *args)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".sqlite3") == [
        "k.conll",
        "k.conll.manifest.json",
    ]
    _pair(data)


def test_an_old_manifest_of_another_file_is_left_alone(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl = tmp_path / "k.jsonl"
    assert run(capsys, "--db", demo_url, "export", str(jsonl))[0] == 0
    (tmp_path / "k.jsonl.manifest.json").rename(tmp_path / "k.manifest.json")
    kept = (tmp_path / "k.manifest.json").read_bytes()
    code, _, err = run(
        capsys, "--db", demo_url, "export", str(tmp_path / "k.conll"), "--format", "conll",
        "--status", "any",
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "k.manifest.json").read_bytes() == kept  # k.jsonl's, not ours to remove
    _pair(tmp_path / "k.conll")


@pytest.mark.parametrize("mask", [0o002, 0o027])
def test_exports_follow_the_users_umask(
    mask: int, demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, single = tmp_path / "splits", tmp_path / "all.jsonl"
    before = os.umask(mask)
    try:
        split = ("--split", "train=0.5,test=0.5")
        assert run(capsys, "--db", demo_url, "export", str(folder), *split)[0] == 0
        assert run(capsys, "--db", demo_url, "export", str(single))[0] == 0
    finally:
        os.umask(before)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~mask
    for file in (*folder.iterdir(), single, tmp_path / "all.jsonl.manifest.json"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~mask, file


def test_a_duplicate_text_says_which_document_it_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "radar.txt").write_text("Estmar tests a radar\nIt works.\n")
    (articles / "copy.txt").write_text("Estmar tests a radar\r\nIt works.\r\n")
    code, out, err = run(capsys, "--db", url, "import", str(articles))
    assert code == 0, err
    assert "skipped 1 duplicate;" in out
    second = articles / "radar.txt"  # files are read in name order: copy.txt first
    assert f"skipped: {second}: the same text as document 'copy', earlier in this import" in err
    code, out, err = run(capsys, "--db", url, "import", str(second))
    assert code == 0
    assert f"skipped: {second}: the same text is already in the database, as document 'copy'" in (
        err
    )
    with Workspace(url) as ws, pytest.raises(Exception, match="document not added: the same text"):
        ws.documents.add("Estmar tests a radar\nIt works.\n")
