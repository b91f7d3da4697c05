"""Modules imported once the window is up are not read again by PySide6 (``pyside_imports``).

Run in a fresh interpreter, as the window starts: PySide's import hook is installed once per
process, and this test must see what a start sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import inspect, sys
import annotator.gui.app  # what `annotator gui` imports before the window's first paint

reads = []
real = inspect.getsource
inspect.getsource = lambda obj, *a, **k: reads.append(getattr(obj, "__name__", obj)) or real(obj)
sys.path.insert(0, sys.argv[1])
import imported_after_the_window  # a module with source, imported as the storage is
print("read:", reads)
"""


def test_a_module_imported_after_the_window_is_not_read_again(tmp_path: Path) -> None:
    (tmp_path / "imported_after_the_window.py").write_text("from PySide6 import QtCore\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "read: []", done.stderr
