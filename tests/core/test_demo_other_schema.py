"""``annotator demo`` with another schema active: the texts come, the annotations stay out,
one note says why, and the user's schema stays theirs."""

from __future__ import annotations

import pytest

from annotator.core.services.workspace import Workspace
from tests.core.test_cli import NER, demo_counts, run


def test_demo_under_another_schema_imports_the_texts_and_says_why_not_the_annotations(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    docs, _, _ = demo_counts()
    assert run(capsys, "--db", sqlite_url, "schema", "use", str(NER))[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "demo", "--annotator", "alice")
    assert code == 0, err
    assert out.startswith(f"imported {docs} documents with 0 spans and 0 links")
    notes = err.splitlines()
    assert len(notes) == 1, err
    assert notes[0].startswith("note: the demo's texts were imported without their annotations")
    assert "named_entities" in notes[0] and "'SPEAKER'" in notes[0]
    with Workspace(sqlite_url, create=False) as ws:
        assert ws.documents.count() == docs
        assert ws.active_schema().name == "named_entities"  # not switched behind the user's back
        assert ws.annotators.find("amira") is None  # the team's work was left out too
    code, out, _ = run(capsys, "--db", sqlite_url, "demo", "--annotator", "alice")
    assert code == 0
    assert f"skipped {docs} duplicates" in out


def test_demo_under_its_own_schema_brings_its_annotations_without_a_note(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    _, spans, _ = demo_counts()
    code, out, err = run(capsys, "--db", sqlite_url, "demo", "--annotator", "alice")
    assert code == 0, err
    assert f"with {spans} spans" in out
    assert "note:" not in err
    with Workspace(sqlite_url, create=False) as ws:
        assert ws.annotators.find("amira") is not None
