"""Take the README's screenshot: the window on an annotated demo article, in a real X window.

    xvfb-run -a -s "-screen 0 1600x1000x24" python3 resources/screenshot.py

Uses a throw-away database and settings, so it never touches the user's own.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer

OUT = Path(__file__).resolve().parent / "screenshot.png"


def main() -> int:
    from annotator.gui.app import application, open_window

    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat)
        window = open_window(os.path.join(tmp, "demo.sqlite3"), "alice", settings, ask=False)
        window.resize(1440, 880)
        window.show()
        doc = window.workspace.documents.by_key("demo-01")
        assert doc is not None, "the demo corpus lacks demo-01"

        def shoot() -> None:
            window.open_document(doc.id)
            statements = sorted(
                (s for s in window.session.spans.values() if s.label == "STATEMENT"),
                key=lambda s: s.start,
            )
            window.editor.select(statements[1].id, scroll=True)
            window.text_view.verticalScrollBar().setValue(0)
            app.processEvents()
            QTimer.singleShot(300, finish)

        def finish() -> None:
            window.grab().save(str(OUT))
            print(f"wrote {OUT} ({window.width()}x{window.height()}, {app.platformName()})")
            window.close()
            app.quit()

        QTimer.singleShot(300, shoot)
        app.exec()
        window.workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
