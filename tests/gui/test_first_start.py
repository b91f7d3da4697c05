"""The first start opens the window on the demo, whatever schema is active."""

from __future__ import annotations

import json
from collections.abc import Callable

from annotator.core.domain.schema import load_schema
from annotator.core.services.bundled import demo_corpus, schemas_dir
from annotator.core.services.workspace import Workspace
from annotator.gui.main_window import MainWindow


def test_first_start_with_another_schema_opens_on_the_demo_texts(
    open_main: Callable[..., MainWindow], url: str
) -> None:
    with Workspace(url) as ws:  # `annotator schema use named_entities.yaml` on a new database
        ws.schemas.set_active(load_schema(schemas_dir() / "named_entities.yaml"))
    window = open_main("alice")
    docs = len(demo_corpus().read_text(encoding="utf-8").splitlines())
    assert window.schema.name == "named_entities"
    assert window.doc_model.rowCount() == docs
    assert window.session is not None and window.session.spans == {}
    message = window.statusBar().currentMessage()
    assert "without their annotations" in message and "named_entities" in message


def test_first_start_with_the_default_schema_opens_on_the_annotated_demo(
    open_main: Callable[..., MainWindow],
) -> None:
    window = open_main("alice")
    records = [json.loads(line) for line in demo_corpus().read_text(encoding="utf-8").splitlines()]
    assert window.schema.name == "defence_statements"
    assert window.doc_model.rowCount() == len(records)
    assert "without their annotations" not in window.statusBar().currentMessage()
