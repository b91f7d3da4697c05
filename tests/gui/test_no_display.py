"""With no display, ``annotator`` says in one line what to do instead of Qt aborting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotator.gui.display import missing_display

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland platforms only")
def test_window_without_display_exits_1_with_one_line_that_says_what_to_do(
    tmp_path: Path,
) -> None:
    # What a login over ssh or a container has: no DISPLAY, WAYLAND_DISPLAY nor QT_QPA_PLATFORM.
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO),
    }
    db = tmp_path / "work.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "xvfb-run annotator" in lines[0]
    assert "desktop session" in lines[0]
    assert "xcb" not in lines[0].replace("xvfb-run", "")
    assert not db.exists()  # refused before anything was opened or created


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"DISPLAY": ":0"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux"),  # the user's own choice: Qt reports on it
        ({}, "darwin"),
        ({}, "win32"),
    ],
)
def test_a_display_or_a_chosen_platform_lets_qt_start(
    environ: dict[str, str], platform: str
) -> None:
    assert missing_display(environ, platform) is None


@pytest.mark.parametrize("environ", [{}, {"DISPLAY": ""}, {"QT_QPA_PLATFORM": ""}])
def test_no_display_on_linux_is_found(environ: dict[str, str]) -> None:
    assert missing_display(environ, "linux") is not None
