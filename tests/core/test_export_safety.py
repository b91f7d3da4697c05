"""Exports never destroy what is not theirs, and a target always holds a whole export.

- Never the open database (under any spelling, nor its -wal/-shm), never a SQLite file, never
  a file or folder the export did not write itself; ``--force`` only for plain files.
- A file export's manifest gives its data file's bytes and sha256, so a reader can tell that
  the two belong together; a folder export's manifest counts what the folder holds.
- A full disk, a read-only or a vanished folder: one line naming the target and the reason,
  and nothing of ours left behind (on a real, small tmpfs).
- Fault suite: the export is SIGKILLed at every named point of publishing
  (``ANNOTATOR_FAULT_POINT``); the target then holds the old or the new export whole, or
  nothing, and the next export succeeds and clears what was left.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ExportError
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
SQLITE_HEADER = b"SQLite format 3\x00"
SPLIT = "train=0.5,test=0.5"
WORDS = ("the", "minister", "said", "drones", "would", "fly", "over", "the", "border")


def build(db: Path, documents: int = 3, words: int = 20, first: int = 0) -> None:
    """Plain articles (no annotations needed: native exports take every document)."""
    with Workspace(f"sqlite:///{db}") as ws:
        for n in range(first, first + documents):
            body = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(words))
            ws.documents.add(f"Report {n}\n{body}.", key=f"doc-{n}")


def count(db: Path) -> int:
    with Workspace(f"sqlite:///{db}") as ws:
        return ws.documents.count()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process; (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def manifest_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_pair_matches(data: Path) -> dict[str, Any]:
    """A file export's manifest describes its data file byte for byte; return the manifest."""
    manifest = manifest_of(data.with_name(f"{data.name}.manifest.json"))
    entry = manifest["files"]["all"]
    assert entry["path"] == data.name
    assert (entry["bytes"], entry["sha256"]) == (data.stat().st_size, sha256(data))
    return manifest


def assert_folder_matches(folder: Path) -> dict[str, Any]:
    """Every data file a folder export's manifest lists is there, whole, and nothing else."""
    manifest = manifest_of(folder / "manifest.json")
    for entry in manifest["files"].values():
        path = folder / entry["path"]
        assert (entry["bytes"], entry["sha256"]) == (path.stat().st_size, sha256(path))
    card = folder / manifest["card"]["path"]  # the dataset card, as written with the data
    assert (manifest["card"]["bytes"], manifest["card"]["sha256"]) == (
        card.stat().st_size,
        sha256(card),
    )
    listed = [*(e["path"] for e in manifest["files"].values()), "manifest.json", card.name]
    assert listing(folder) == sorted(listed)
    return manifest


# -- 1. never the open database, never a SQLite file --


SPELLINGS = {
    "its path": ("x.sqlite3", "the open database"),
    "another spelling": ("sub/../x.sqlite3", "the open database"),
    "a symbolic link": ("link.jsonl", "the open database"),
    "a hard link": ("hard.jsonl", "the open database"),
    "its -wal": ("x.sqlite3-wal", "the open database's write-ahead log"),
    "its -shm": ("x.sqlite3-shm", "the open database's shared memory file"),
}


@pytest.mark.parametrize("force", [False, True], ids=["", "--force"])
@pytest.mark.parametrize("fmt", ["statements", "native"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_export_never_replaces_the_open_database(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
    fmt: str,
    force: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "x.sqlite3"
    build(db)
    (tmp_path / "link.jsonl").symlink_to("x.sqlite3")
    os.link(db, tmp_path / "hard.jsonl")
    before = set(listing(tmp_path)) - {"x.sqlite3-wal", "x.sqlite3-shm"}
    target, role = SPELLINGS[spelling]
    args = ["--db", "x.sqlite3", "export", target, "--format", fmt, *(["--force"] * force)]
    code, out, err = cli(capsys, *args)
    assert (code, out) == (1, "")
    assert err == f"error: {target} is {role} ({db}); an export never replaces it\n"
    assert db.read_bytes()[:16] == SQLITE_HEADER
    assert count(db) == 3  # the next open finds every document
    assert set(listing(tmp_path)) - {"x.sqlite3-wal", "x.sqlite3-shm"} == before
    assert (tmp_path / "link.jsonl").is_symlink() and os.path.samefile(db, "hard.jsonl")


def test_a_folder_export_never_replaces_the_open_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    code, _, err = cli(capsys, "--db", str(db), "export", str(db), "--split", SPLIT)
    assert code == 1
    assert err == f"error: {db} is the open database ({db}); an export never replaces it\n"
    assert count(db) == 3


@pytest.mark.parametrize("force", [False, True], ids=["", "--force"])
@pytest.mark.parametrize("where", ["data file", "manifest"])
def test_a_sqlite_file_is_never_replaced_even_when_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, force: bool
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    other = tmp_path / "other.sqlite3"
    build(other, 1)
    target = other if where == "data file" else tmp_path / "team.jsonl"
    if where == "manifest":
        shutil.copyfile(other, tmp_path / "team.jsonl.manifest.json")
    path = other if where == "data file" else tmp_path / "team.jsonl.manifest.json"
    before = path.read_bytes()
    code, _, err = cli(capsys, "--db", str(db), "export", str(target), *(["--force"] * force))
    assert code == 1
    assert (
        err
        == f"error: {path} is a SQLite database; an export never replaces one, even when forced\n"
    )
    assert path.read_bytes() == before
    assert not os.path.lexists(tmp_path / "team.jsonl")


def test_a_plain_file_that_is_not_an_earlier_export_is_replaced_only_when_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    notes = tmp_path / "notes.jsonl"
    notes.write_text("my notes\n")
    code, _, err = cli(capsys, "--db", str(db), "export", str(notes))
    assert code == 1
    assert err == (
        f"error: {notes} exists and is not an earlier export (no notes.jsonl.manifest.json "
        "beside it); choose another name (or --force to replace it)\n"
    )
    assert listing(tmp_path) == ["notes.jsonl", "x.sqlite3"]
    assert notes.read_text() == "my notes\n"
    code, out, err = cli(capsys, "--db", str(db), "export", str(notes), "--force")
    assert code == 0, err
    assert out == f"wrote 3 documents to {notes}\n"
    assert_pair_matches(notes)


def test_the_library_export_never_replaces_the_database_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    (tmp_path / "link").mkdir()
    with Workspace(f"sqlite:///{db}") as ws, pytest.raises(ExportError) as info:
        ws.export(tmp_path / "link" / ".." / "x.sqlite3", "native", ExportOptions(force=True))
    assert str(info.value).endswith(f"is the open database ({db}); an export never replaces it")
    assert count(db) == 3 and listing(tmp_path) == ["link", "x.sqlite3"]


def test_a_file_export_is_never_named_like_its_own_working_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    target = tmp_path / "manifest.json"
    code, _, err = cli(capsys, "--db", str(db), "export", str(target))
    assert code == 1
    assert err == f"error: {target}: an export names its own files so; choose another name\n"
    assert listing(tmp_path) == ["x.sqlite3"]


# -- 2. an export recognises its own earlier output, and only that --


def test_a_file_export_replaces_its_own_earlier_pair_and_nothing_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    out = tmp_path / "out.jsonl"
    manifest = tmp_path / "out.jsonl.manifest.json"
    assert cli(capsys, "--db", str(db), "export", str(out))[0] == 0
    edited = out.read_bytes() + b'{"added": "by hand"}\n'
    out.write_bytes(edited)  # no longer the file its manifest describes
    code, _, err = cli(capsys, "--db", str(db), "export", str(out))
    assert code == 1
    assert err.startswith(
        f"error: {out} does not match its manifest out.jsonl.manifest.json (size or sha256 differ)"
    )
    assert out.read_bytes() == edited

    out.unlink()  # a manifest that some other program wrote under that name
    manifest.write_text('{"files": {"all": {"path": "out.jsonl"}}}')
    code, _, err = cli(capsys, "--db", str(db), "export", str(out))
    assert code == 1
    assert err.startswith(
        f"error: {manifest} was not written by an annotator export (no generator and export_id)"
    )
    assert manifest.read_text() == '{"files": {"all": {"path": "out.jsonl"}}}'
    assert listing(tmp_path) == ["out.jsonl.manifest.json", "x.sqlite3"]

    manifest.unlink()
    assert cli(capsys, "--db", str(db), "export", str(out))[0] == 0
    first = assert_pair_matches(out)
    assert first["generator"] == "annotator" and len(first["export_id"]) == 32
    assert "sha256" in first["integrity"]
    build(db, 1, first=3)
    assert cli(capsys, "--db", str(db), "export", str(out))[0] == 0  # its own: replaced
    second = assert_pair_matches(out)
    assert second["export_id"] != first["export_id"] and second["totals"]["documents"] == 4


def test_a_folder_with_another_programs_manifest_is_never_replaced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    (project / "manifest.json").write_text('{"name": "project", "version": 3}\n')
    code, _, err = cli(capsys, "--db", str(db), "export", str(project), "--split", SPLIT)
    assert code == 1
    assert err == (
        f"error: {project} is not an earlier export: its manifest.json was not written by an "
        "annotator export (no generator and export_id); choose a new or empty folder\n"
    )
    assert (project / "src" / "main.c").read_text() == "int main(void) { return 0; }\n"
    assert listing(project) == ["manifest.json", "src"]
    assert listing(tmp_path) == ["project", "x.sqlite3"]  # no staging left either


def test_a_folder_export_replaces_its_own_folder_but_not_what_was_added_to_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    out = tmp_path / "splits"
    assert cli(capsys, "--db", str(db), "export", str(out), "--split", SPLIT)[0] == 0
    (out / "notes.txt").write_text("keep me")
    code, _, err = cli(capsys, "--db", str(db), "export", str(out), "--split", SPLIT)
    assert code == 1
    assert err.startswith(f"error: {out} differs from what its manifest.json recorded")
    assert (out / "notes.txt").read_text() == "keep me"
    assert listing(out) == ["README.md", "manifest.json", "notes.txt", "test.jsonl", "train.jsonl"]

    (out / "notes.txt").unlink()
    first = assert_folder_matches(out)
    assert (
        first["generator"] == "annotator" and first["contents"]["entries"] == 3
    )  # 2 splits, the card
    build(db, 1, first=3)
    assert cli(capsys, "--db", str(db), "export", str(out), "--split", SPLIT)[0] == 0
    second = assert_folder_matches(out)
    assert second["export_id"] != first["export_id"] and second["totals"]["documents"] == 4
    assert listing(tmp_path) == ["splits", "x.sqlite3"]


def test_a_reader_can_tell_a_data_file_that_does_not_belong_to_its_manifest(
    tmp_path: Path,
) -> None:
    from annotator.core.services.exporting.manifest import belongs_together

    db = tmp_path / "x.sqlite3"
    build(db)
    out = tmp_path / "out.jsonl"
    with Workspace(f"sqlite:///{db}") as ws:
        result = export_dataset(ws.db, ws.active_schema(), out, "native")
    assert belongs_together(out, result.manifest)
    out.write_bytes(out.read_bytes().replace(b"minister", b"ministry"))  # same size, edited
    assert not belongs_together(out, result.manifest)


# -- 3. a full disk, a read-only or a vanished folder --


@pytest.fixture
def small_disk(tmpfs: Callable[[str], Path]) -> Path:
    """A real 256KB tmpfs (see ``tmpfs`` in tests/conftest.py)."""
    return tmpfs("256k")


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    """About 600 KB of native JSONL: more than the small disk holds."""
    db = tmp_path / "big.sqlite3"
    build(db, documents=120, words=800)
    return db


def annotator(db: Path, *args: str, point: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m annotator --db DB ARGS`` in a subprocess; ``point``: where it kills itself."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ANNOTATOR_FAULT_POINT", None)
    if point is not None:
        env["ANNOTATOR_FAULT_POINT"] = point
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("layout", ["file", "file over an earlier export", "split folder"])
def test_a_full_disk_is_one_line_and_leaves_nothing_of_ours(
    small_disk: Path, big_corpus: Path, layout: str
) -> None:
    target = small_disk / ("out" if layout == "split folder" else "out.jsonl")
    split = ["--split", SPLIT] if layout == "split folder" else []
    if layout == "file over an earlier export":  # a small export of a one-document database
        # (an export that selects nothing is refused, so the small one comes from elsewhere)
        small = big_corpus.with_name("small.sqlite3")
        build(small, documents=1, words=20)
        assert annotator(small, "export", str(target)).returncode == 0
    earlier = {name: (small_disk / name).read_bytes() for name in listing(small_disk)}
    free = os.statvfs(small_disk).f_bfree
    done = annotator(big_corpus, "export", str(target), *split)
    assert done.returncode == 1
    assert done.stderr == f"error: cannot write {target}: No space left on device\n"
    assert done.stdout == ""
    assert {name: (small_disk / name).read_bytes() for name in listing(small_disk)} == earlier
    assert os.statvfs(small_disk).f_bfree == free  # no hidden file keeps the disk full
    if layout == "file over an earlier export":
        assert_pair_matches(target)


def test_a_read_only_folder_is_one_line_and_keeps_the_earlier_export(
    small_disk: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite3"
    build(db)
    target = small_disk / "out.jsonl"
    assert annotator(db, "export", str(target)).returncode == 0
    earlier = {name: (small_disk / name).read_bytes() for name in listing(small_disk)}
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for out in (target, small_disk / "new" / "out.jsonl"):
        done = annotator(db, "export", str(out))
        assert done.returncode == 1
        assert done.stderr == f"error: cannot write {out}: Read-only file system\n"
    assert {name: (small_disk / name).read_bytes() for name in listing(small_disk)} == earlier


@pytest.mark.parametrize("layout", ["file", "split folder"])
def test_a_folder_that_vanishes_during_the_export_is_one_error(tmp_path: Path, layout: str) -> None:
    db = tmp_path / "x.sqlite3"
    build(db, documents=6)
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / ("out" if layout == "split folder" else "out.jsonl")
    split = SplitSpec.parse(SPLIT) if layout == "split folder" else None

    def progress(done: int, _total: int) -> None:
        if done == 3:
            shutil.rmtree(exports)  # someone tidies up the folder while the export runs

    with Workspace(f"sqlite:///{db}") as ws, pytest.raises(ExportError) as info:
        export_dataset(
            ws.db, ws.active_schema(), target, "native", ExportOptions(split=split), progress
        )
    assert str(info.value) == f"cannot write {target}: No such file or directory"
    assert listing(tmp_path) == ["x.sqlite3"]  # the folder stays gone: nothing made it again


# -- 4. fault suite: SIGKILL at every named point of publishing --

FALLBACK = """
import sys
from annotator.core.services.exporting import publish
publish.EXCHANGE = False  # publish as where two names cannot be swapped in one step
from annotator.cli.main import main
main(sys.argv[1:])
"""

# (layout, how folders are published, fault point, whether an earlier export is there)
FAULTS = [
    *(
        ("file", "", point, previous)
        for point in ("publish", "file-manifest", "file-data")
        for previous in (False, True)
    ),
    ("folder", "exchange", "publish", False),
    ("folder", "exchange", "publish", True),
    ("folder", "exchange", "folder-exchanged", True),
    ("folder", "rename", "publish", False),
    ("folder", "rename", "publish", True),
    ("folder", "rename", "folder-aside", True),
    ("folder", "rename", "folder-in", True),
]


def killed_export(db: Path, target: Path, point: str, how: str) -> None:
    """Run ``annotator export`` and let it SIGKILL itself at ``point``."""
    split = ["--split", SPLIT] if how else []
    if how == "rename":
        env = {**os.environ, "PYTHONPATH": str(REPO), "ANNOTATOR_FAULT_POINT": point}
        cmd = [sys.executable, "-c", FALLBACK, "--db", str(db), "export", str(target), *split]
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    else:
        done = annotator(db, "export", str(target), *split, point=point)
    assert done.returncode == -signal.SIGKILL, done.stderr
    # killed there, not anywhere else (start-up, another SIGKILL)
    assert done.stderr.endswith(f"annotator: fault point {point} reached\n"), done.stderr


def export_in_process(db: Path, target: Path, folder: bool) -> None:
    split = SplitSpec.parse(SPLIT) if folder else None
    with Workspace(f"sqlite:///{db}") as ws:
        export_dataset(ws.db, ws.active_schema(), target, "native", ExportOptions(split=split))


def data_of(target: Path, folder: bool) -> dict[str, bytes] | None:
    """The data files of a whole export at ``target`` (checked against its manifest), or None."""
    if not os.path.lexists(target):
        return None
    if folder:
        manifest = assert_folder_matches(target)
        return {e["path"]: (target / e["path"]).read_bytes() for e in manifest["files"].values()}
    assert_pair_matches(target)
    return {target.name: target.read_bytes()}


def hidden(folder: Path, target: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{target.name}."))


@pytest.mark.faults
@pytest.mark.parametrize(("layout", "how", "point", "previous"), FAULTS)
def test_a_kill_at_any_point_of_publishing_leaves_a_whole_export(
    tmp_path: Path, layout: str, how: str, point: str, previous: bool
) -> None:
    folder = layout == "folder"
    db = tmp_path / "x.sqlite3"
    build(db)
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / ("out" if folder else "out.jsonl")
    manifest = target / "manifest.json" if folder else exports / "out.jsonl.manifest.json"
    if previous:
        export_in_process(db, target, folder)
    old = data_of(target, folder)
    build(db, 1, first=3)  # the new export differs from the old one
    reference = tmp_path / "reference" / target.name
    export_in_process(db, reference, folder)
    new = data_of(reference, folder)
    assert new is not None and new != old

    killed_export(db, target, point, how)

    if point == "file-manifest":
        # Between the two renames: the old data (or none) beside the new manifest. A reader
        # sees that they do not belong together; the next export rolls forward.
        from annotator.core.services.exporting.manifest import belongs_together

        assert (target.read_bytes() if target.exists() else None) == (old or {}).get(target.name)
        recorded = manifest_of(manifest)["files"]["all"]["sha256"]
        assert recorded == hashlib.sha256(new[target.name]).hexdigest()
        assert not belongs_together(target, manifest)
        killed_export(db, target, "recovered", "")  # the next export, killed once repaired
        assert data_of(target, folder) == new
    elif point == "folder-aside":
        # The target name is empty for a moment; the old export is whole beside it, and the
        # next export puts it back before anything else.
        assert not os.path.lexists(target) and len(hidden(exports, target)) == 2
        killed_export(db, target, "recovered", how)
        assert data_of(target, folder) == old
    else:
        after = data_of(target, folder)
        expected = {"publish": old}.get(point, new)  # publish: nothing renamed yet
        assert after == expected, point

    export_in_process(db, target, folder)  # the next export succeeds and clears the rest
    assert data_of(target, folder) == new
    assert hidden(exports, target) == []
    assert listing(exports) == ([target.name] if folder else [target.name, manifest.name])


def test_a_folder_export_is_as_readable_as_any_folder_the_user_makes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The working folder becomes the export: it must not stay private (mkdtemp's 0700)."""
    db = tmp_path / "x.sqlite3"
    build(db)
    out = tmp_path / "splits"
    code, _, err = cli(
        capsys, "--db", str(db), "export", str(out), "--format", "native", "--split", SPLIT
    )
    assert code == 0, err
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~mask
