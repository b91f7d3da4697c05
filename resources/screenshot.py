"""Take the README's screenshots: the window on an annotated demo article, in a real X window.

    xvfb-run -a -s "-screen 0 1600x1000x24" python3 resources/screenshot.py
    xvfb-run -a -s "-screen 0 1600x1000x24" python3 resources/screenshot.py --size 1024x700

The first writes resources/screenshot.png (1440x900), the second resources/screenshot-1024.png
(``--out`` names another file). Uses a throw-away database and settings, so it never touches
the user's own.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QTextCursor

HERE = Path(__file__).resolve().parent
DEFAULT_SIZE = (1440, 900)


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write WIDTHxHEIGHT, e.g. 1024x700") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, help="WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, help="the PNG to write")
    args = parser.parse_args(argv)
    width, height = args.size
    out = args.out or HERE / (
        "screenshot.png" if args.size == DEFAULT_SIZE else f"screenshot-{width}.png"
    )
    from annotator.gui.app import application, open_window

    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat)
        window = open_window(os.path.join(tmp, "demo.sqlite3"), "alice", settings, ask=False)
        window.resize(width, height)
        window.show()
        window.reset_layout()  # the default layout for this width
        doc = window.workspace.documents.by_key("demo-01")
        assert doc is not None, "the demo corpus lacks demo-01"

        def shoot() -> None:
            window.open_document(doc.id)
            statements = sorted(
                (s for s in window.session.spans.values() if s.label == "STATEMENT"),
                key=lambda s: s.start,
            )
            chosen = statements[1]
            window.editor.select(chosen.id)
            # From the headline down, as far as it takes to show the selected statement whole.
            view = window.text_view
            view.verticalScrollBar().setValue(0)
            cursor = QTextCursor(view.document())
            cursor.setPosition(window.editor.offsets.to_qt(chosen.end))
            view.setTextCursor(cursor)
            view.ensureCursorVisible()
            app.processEvents()
            QTimer.singleShot(300, finish)

        def finish() -> None:
            window.grab().save(str(out))
            print(f"wrote {out} ({window.width()}x{window.height()}, {app.platformName()})")
            window.close()
            app.quit()

        QTimer.singleShot(300, shoot)
        app.exec()
        window.workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
