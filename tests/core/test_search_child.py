"""A search stops when asked, whatever its expression: one that may backtrack for long (which
Python's ``re`` runs without letting anything else in the process run or stop it) is searched
in a child process that stopping kills, and it finds what the search in place finds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.core.domain.errors import AnnotatorError
from annotator.core.domain.regex_risk import may_backtrack_long
from annotator.core.domain.searching import SearchQuery
from annotator.core.services.search_child import runs_in_child
from annotator.core.services.workspace import Workspace
from tests.conftest import REPO


def search_children() -> list[int]:
    """The search processes this test process has running (read from /proc: Linux)."""
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # not a process, or it ended while being read
            continue
        parent = re.search(r"^PPid:\s*(\d+)", status, re.MULTILINE)
        if parent and parent[1] == me and b"annotator.core.services.search_child" in command:
            found.append(int(entry.name))
    return found


# (a+)+$ tries 2^n ways to match n a's and a b: minutes here (1.5 s at n = 24, doubling with
# each a), so that a search that cannot be stopped fails these tests rather than hang them.
LONG_BACKTRACKING = "a" * 32 + "b"
QUICKLY = 60  # seconds: far more than a process start, far less than the expression runs


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        (r"(a+)+$", True),  # a repeat of a repeat: exponential
        (r"(?:ab|a)+c", True),  # a repeat of a branch
        (r"(\w+) \1", True),  # a back reference
        (r".*missile.*test", True),  # open-ended repeats that run over words and lines
        (r"[^,]+ said", True),
        (r"\s+", True),
        (r"\w+ said", False),  # backtracks within one word only
        (r"\b[Dd]ro\w+ strikes?\b", False),
        (r"hypersonic (glider|missile)s?", False),
        (r"[A-Z][a-z]+ [A-Z]\w+", False),
        (r"\d{4}-\d{2}", False),
        (r"x{1,100}", False),
        (r"rocket(", False),  # does not compile: never runs
    ],
)
def test_the_expressions_searched_in_a_child_process(pattern: str, risky: bool) -> None:
    assert may_backtrack_long(pattern) is risky


def test_a_risky_expression_finds_in_a_child_what_the_search_in_place_finds(db_url: str) -> None:
    texts = {
        "a": "Hatami said said that the the missile flew.",
        "b": "No repeated words here.",
        "c": "Drones, drones and more drones drones.",
    }
    with Workspace(db_url) as ws:
        for key, body in texts.items():
            ws.documents.add(body, key=key)
        query = SearchQuery(r"(\w+) \1", regex=True, ignore_case=False)
        assert runs_in_child(ws.db, query)
        in_child = [(h.key, h.start, h.end, h.snippet) for h in ws.search_stoppable(query)]
        in_place = [(h.key, h.start, h.end, h.snippet) for h in ws.search(query)]
        plain = SearchQuery(r"\w+ said", regex=True)  # a quiet expression is searched in place
        assert not runs_in_child(ws.db, plain)
        assert list(ws.search_stoppable(plain)) == list(ws.search(plain))
    assert in_child == in_place
    assert [(k, s, e) for k, s, e, _ in in_child] == [
        (key, m.start(), m.end())
        for key, body in texts.items()
        for m in re.finditer(r"(\w+) \1", body)
    ]
    assert ("a", 7, 16) in [(k, s, e) for k, s, e, _ in in_child]  # "said said"
    assert search_children() == []


def test_stopping_kills_a_search_that_would_backtrack_for_minutes(db_url: str) -> None:
    with Workspace(db_url) as ws:
        ws.documents.add("A missile test.", key="first")
        ws.documents.add(LONG_BACKTRACKING, key="long")
        asked = time.monotonic()

        def progress(done: int, total: int) -> bool:
            return time.monotonic() - asked < 1.0  # the user presses Stop after a second

        found = list(ws.search_stoppable(SearchQuery(r"(a+)+$", regex=True), progress))
        assert time.monotonic() - asked < 1.0 + 10  # ended soon after Stop
    assert found == []
    assert search_children() == []


def test_a_reader_that_stops_reading_ends_the_child(db_url: str) -> None:
    with Workspace(db_url) as ws:
        ws.documents.add("first hit: aaab", key="first")
        ws.documents.add(LONG_BACKTRACKING, key="long")
        hits = ws.search_stoppable(SearchQuery(r"(a+)+b", regex=True))
        first = next(hits)
        assert (first.key, first.match) == ("first", "aaab")
        assert len(search_children()) == 1  # still on the second text
        hits.close()
    assert search_children() == []


def test_the_child_failing_is_told_not_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "gone.sqlite3"
    with Workspace(str(path)) as ws:
        ws.documents.add("aaa", key="a")
        path.unlink()  # the file goes away under the open workspace: the child cannot open it
        with pytest.raises(AnnotatorError, match="no database at"):
            list(ws.search_stoppable(SearchQuery(r"(a+)+$", regex=True)))
    assert search_children() == []


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_the_command_line_search_and_its_child(tmp_path: Path) -> None:
    db = tmp_path / "work.sqlite3"
    with Workspace(str(db)) as ws:
        ws.documents.add(LONG_BACKTRACKING, key="long")
    command = [sys.executable, "-m", "annotator", "--db", str(db), "search", "--regex", "(a+)+$"]
    proc = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        time.sleep(3)  # started, and the child is deep in the expression
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C sends: the whole foreground group
        _out, err = proc.communicate(timeout=QUICKLY)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert b"Traceback" not in err
    assert _group_ends(proc.pid), "a process of the command's group is still running"


def _group_ends(group: int) -> bool:
    """Whether the process group is gone within QUICKLY seconds (multiprocessing's resource
    tracker exits, and is reaped, a moment after the command)."""
    deadline = time.monotonic() + QUICKLY
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_library_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """The child never imports the caller's main module (``multiprocessing`` would, running an
    unguarded script again), nor needs it to be a file (a script read from standard input)."""
    db = tmp_path / "work.sqlite3"
    with Workspace(str(db)) as ws:
        ws.documents.add("said said", key="a")
    script = (
        "from annotator.core.domain.searching import SearchQuery\n"
        "from annotator.core.services.workspace import Workspace\n"
        "print('script ran')\n"
        f"with Workspace({str(db)!r}) as ws:\n"
        "    query = SearchQuery(r'(\\w+) \\1', regex=True)\n"
        "    print([h.match for h in ws.search_stoppable(query)])\n"
    )
    (tmp_path / "unguarded.py").write_text(script)
    for how in (["unguarded.py"], ["-"]):
        done = subprocess.run(
            [sys.executable, *how],
            input=script if how == ["-"] else None,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=QUICKLY,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == "script ran\n['said said']\n"
