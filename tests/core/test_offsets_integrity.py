"""Offsets mean the same characters from import to export, and a changed text is caught.

Spans are stored as code-point offsets into a text that never changes. For any text (emoji,
combining marks, right-to-left scripts, Windows line ends) the exported span text must be exactly
the stored text between its offsets; and if the stored text is changed behind the program's back,
opening and exporting must refuse rather than hand out shifted spans.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from annotator.core.domain.errors import ImportRejected, IntegrityError, OffsetError, OverlapError
from annotator.core.domain.text import content_hash, is_boundary, normalise
from annotator.core.services.exporting.dataset import export_dataset
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from tests.conftest import fresh_pg_database

REPO = Path(__file__).resolve().parents[2]

# Pieces real articles are made of, and the ones that break naive offset arithmetic.
PIECES = [
    "The minister said ",
    "“We will respond,” ",
    "🚀",  # astral: two UTF-16 units, one code point
    "👩\u200d🚀",  # ZWJ sequence
    "🇫🇷",  # flag: two regional indicators
    "❤\ufe0f",  # variation selector
    "e\u0301",  # NFC composes this to é
    "q\u0301",  # no precomposed form: stays two code points
    "\u1100\u1161",  # Hangul jamo, composed by NFC
    "क्षि",  # Devanagari with virama and vowel sign
    "مرحبا بالعالم",  # Arabic, right to left
    "שָׁלוֹם",  # Hebrew with points
    "\u200f",  # right-to-left mark
    "\u202eevil\u202c",  # override and pop
    "\r\n",
    "\r",
    "\xa0",
    "…",
    "\ufeff",
]
TEXTS = st.lists(
    st.sampled_from(PIECES) | st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40
).map("".join)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """One database for all examples of a property (hypothesis reruns the test body)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('offsets') / 'annotator.sqlite3'}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_server_url"))
    with Workspace(url) as ws:
        yield ws


_files = itertools.count()


def _import_text(ws: Workspace, folder: Path, raw: str) -> int | None:
    """Import ``raw`` as a .txt file, the way a user does; the document id, or None if refused."""
    path = folder / f"article{next(_files)}.txt"
    path.write_text(raw, encoding="utf-8", newline="")
    try:
        report = import_paths(ws.db, [path])
    except ImportRejected:
        assert not normalise(raw).removeprefix("\ufeff").strip() or "\x00" in raw
        return None
    if report.imported_ids:
        return report.imported_ids[0]
    # The same text as an earlier example's (hypothesis repeats itself): use that document.
    with ws.db.read() as s:
        doc_id = s.execute(
            sql("SELECT id FROM documents WHERE content_hash = :h"),
            {"h": content_hash(normalise(raw.removeprefix("\ufeff")))},
        ).scalar_one()
    return int(doc_id)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=TEXTS, data=st.data())
def test_exported_span_text_is_the_stored_text_between_its_offsets(
    shared_workspace: Workspace, raw: str, data: st.DataObject
) -> None:
    ws = shared_workspace
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        doc_id = _import_text(ws, folder, raw)
        if doc_id is None:
            return
        stored = ws.documents.get(doc_id).text
        assert stored == normalise(raw.removeprefix("\ufeff"))

        ann = ws.annotations("prop")
        made = {}
        for _ in range(data.draw(st.integers(1, 6))):
            a = data.draw(st.integers(0, len(stored)))
            b = data.draw(st.integers(0, len(stored)))
            start, end = min(a, b), max(a, b)
            try:
                span = ann.create_span(doc_id, start, end, "STATEMENT", {"stance": "neutral"})
            except OffsetError as exc:
                # Refused only for a real reason: empty, splitting a combined character, or a
                # statement running from one paragraph into the next (a blank line between).
                if "paragraph break" in str(exc):
                    chunks = re.split(r"\n[^\S\n]*\n", stored[start:end])
                    assert sum(bool(c.strip()) for c in chunks) >= 2, (start, end)
                    continue
                assert start == end or not (is_boundary(stored, start) and is_boundary(stored, end))
                continue
            except OverlapError:  # the same span, made by an earlier example on this text
                continue
            made[span.id] = (start, end)

        out = folder / "export.jsonl"
        export_dataset(ws.db, ws.active_schema(), out, "native")
        # Split on \n only: JSON strings may hold U+2028 or \x85, which splitlines() breaks on.
        lines = out.read_bytes().split(b"\n")
        records = [json.loads(line) for line in lines if line]
        [record] = [r for r in records if r["content_hash"] == content_hash(stored)]
        assert record["text"] == stored
        exported = {(s["start"], s["end"]) for s in record["spans"] if s["annotator"] == "prop"}
        assert set(made.values()) <= exported
        for span in record["spans"]:
            assert span["text"] == stored[span["start"] : span["end"]]


# -- a text changed behind the program's back --


def _annotated(ws: Workspace) -> tuple[int, int]:
    doc = ws.documents.add("Headline\n“We will respond,” the general said.", key="changed")
    ann = ws.annotations("alice")
    span = ann.create_span(doc.id, 9, 27, "STATEMENT", {"stance": "threatens"})
    ann.set_status(doc.id, "done")
    return doc.id, span.id


CHANGES = {
    "inserted at the start": "X" + "Headline\n“We will respond,” the general said.",
    "same length": "Headlinf\n“We will respond,” the general said.",
    "normalised differently": "Headline\r\n“We will respond,” the general said.",
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changed_text_is_detected_on_open(workspace: Workspace, change: str) -> None:
    doc_id, _ = _annotated(workspace)
    workspace.documents.verify(doc_id)  # intact so far
    with workspace.db.write() as s:
        s.execute(
            sql("UPDATE documents SET text = :t WHERE id = :i"), {"t": CHANGES[change], "i": doc_id}
        )
    with pytest.raises(IntegrityError, match="changed after import"):
        workspace.documents.verify(doc_id)


@pytest.mark.parametrize("fmt", ["native", "statements"])
def test_changed_text_is_not_exported(workspace: Workspace, tmp_path: Path, fmt: str) -> None:
    doc_id, _ = _annotated(workspace)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.jsonl"
    export_dataset(workspace.db, workspace.active_schema(), target, fmt)  # the previous export
    previous = {p.name: p.read_bytes() for p in folder.iterdir()}
    with workspace.db.write() as s:
        s.execute(
            sql("UPDATE documents SET text = :t WHERE id = :i"),
            {"t": CHANGES["inserted at the start"], "i": doc_id},
        )
    with pytest.raises(IntegrityError, match="changed"):
        export_dataset(workspace.db, workspace.active_schema(), target, fmt)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == previous
    assert sorted(previous) == ["out.jsonl", "out.jsonl.manifest.json"]


def test_cli_export_of_a_changed_text_fails_naming_it(sqlite_url: str, tmp_path: Path) -> None:
    with Workspace(sqlite_url) as ws:
        doc_id, _ = _annotated(ws)
        with ws.db.write() as s:
            s.execute(sql("UPDATE documents SET text = 'tampered' WHERE id = :i"), {"i": doc_id})
    target = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", sqlite_url, "export", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    assert "'changed'" in result.stderr and "Traceback" not in result.stderr
    assert not target.exists()
