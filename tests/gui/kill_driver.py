"""Run the real window offscreen and make edits with real key presses, acknowledging each.

    python -m tests.gui.kill_driver DB SETTINGS SEED

Prints ``ACK span ID START END`` once a new span is on screen (in the annotation list and the
highlighter), and ``ACK attr ID NAME VALUE`` once a value shows on the panel's model. The test
that runs it kills it with SIGKILL at a random moment and checks every acknowledged edit is in
the database.
"""

from __future__ import annotations

import os
import random
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest

from annotator.gui.app import application, open_window


def main(db: str, settings_path: str, seed: int) -> None:
    app = application()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = open_window(db, "killer", settings, ask=False)
    window.show()
    rng = random.Random(seed)
    view = window.text_view
    print("READY", flush=True)

    def edit() -> None:
        session = window.session
        if not window.ready or session is None:  # the first document opens after the first paint
            QTimer.singleShot(10, edit)
            return
        text = session.document.text
        start = text.find(" ", rng.randrange(0, max(1, len(text) - 40))) + 1
        end = text.find(" ", start)
        if end <= start or any((s.start, s.end) == (start, end) for s in session.spans.values()):
            QTimer.singleShot(0, edit)
            return
        cursor = view.textCursor()
        cursor.setPosition(window.editor.offsets.to_qt(start))
        cursor.setPosition(window.editor.offsets.to_qt(end), cursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        view.setFocus()
        before = set(session.spans)
        QTest.keyClick(view, Qt.Key.Key_S)
        new = set(session.spans) - before
        if new:
            span_id = new.pop()
            row = window.ann_model.row_of(span_id)
            shown = row is not None and window.editor.highlighter.spans_at(
                window.editor.offsets.to_qt(start)
            )
            if shown:
                print(f"ACK span {span_id} {start} {end}", flush=True)
            QTest.keyClick(view, Qt.Key.Key_3)
            value = session.spans[span_id].attributes.get("stance")
            if value == "threatens" and window.ann_model.row_of(span_id) is not None:
                print(f"ACK attr {span_id} stance threatens", flush=True)
        QTimer.singleShot(0, edit)

    QTimer.singleShot(0, edit)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
