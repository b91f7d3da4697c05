"""Kill the running window with SIGKILL at random moments: nothing it showed as done is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNS = 20


def _kill_after(
    db: Path, settings: Path, seed: int, acks_wanted: int, extra_delay: float
) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.kill_driver", str(db), str(settings), str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    acks: list[str] = []
    deadline = time.monotonic() + 120
    # A driver that stops printing must not hang the suite: killed at the deadline, its
    # output ends and the loop below with it.
    watchdog = threading.Timer(125, proc.kill)
    watchdog.start()
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("ACK"):
                acks.append(line.split(maxsplit=1)[1].strip())
                if len(acks) >= acks_wanted:
                    break
            if time.monotonic() > deadline:
                break
        time.sleep(extra_delay)  # land the kill in the middle of later edits too
    finally:
        watchdog.cancel()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    # Lines the driver printed before it died were acknowledged on screen: read them all.
    rest = proc.stdout.read()
    proc.stdout.close()
    acks += [ln.split(maxsplit=1)[1].strip() for ln in rest.splitlines() if ln.startswith("ACK")]
    return acks


@pytest.mark.slow
def test_sigkill_loses_no_acknowledged_edit(tmp_path: Path) -> None:
    rng = random.Random(2026)
    db = tmp_path / "kill.sqlite3"
    settings = tmp_path / "settings.ini"
    total_acks = 0
    for run in range(RUNS):
        acks = _kill_after(
            db, settings, seed=run, acks_wanted=rng.randint(1, 40), extra_delay=rng.uniform(0, 0.05)
        )
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for ack in acks:
                kind, span_id, *rest = ack.split()
                row = con.execute(
                    'SELECT start, "end", attributes FROM spans WHERE id = ?', (int(span_id),)
                ).fetchone()
                assert row is not None, f"run {run}: acknowledged span {span_id} was lost"
                if kind == "span":
                    assert (row[0], row[1]) == (int(rest[0]), int(rest[1]))
                else:
                    assert f'"{rest[0]}":"{rest[1]}"' in row[2].replace(" ", ""), (
                        f"run {run}: acknowledged value {rest} of span {span_id} was lost"
                    )
        finally:
            con.close()
        total_acks += len(acks)
    assert total_acks >= RUNS  # every run acknowledged at least one edit before the kill
