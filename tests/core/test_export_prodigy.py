"""Prodigy tasks as Prodigy and spaCy read them: tokens that rebuild the text, spans that map
to tokens with ``Doc.char_span``, and the hashes ``prodigy db-in`` deduplicates by.

Before issue 12 the white space between words was folded into ``ws`` (a newline became
``ws: true``), so ``Doc(words, spaces)`` did not give the text back and ``char_span`` failed for
most spans of the demo corpus; tasks had no ``_input_hash``/``_task_hash``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.formats.writers.prodigy_hash import murmur3_32
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.workspace import Workspace
from tests.core.test_roundtrip_external import annotations, import_into, native

spacy = pytest.importorskip("spacy")
murmurhash = pytest.importorskip("murmurhash")

# Leading and trailing white space, a blank line, tabs, NBSP runs, U+2028, two spaces,
# typographic quotes and a combining mark: every shape of white space spaCy makes a token of.
HOSTILE = (
    " \n  Gen. Aras said:\n\n\t“Our drones\u00a0\u00a0will reach Q\u0301uarta.”  Estmar"
    "\u2028 denied\tit.\u00a0 Nobody\n \nelse  spoke. \n"
)
WORDS = ("Gen. Aras", "drones", "Q\u0301uarta", "Estmar", "denied", "Nobody", "spoke")
LABELS = {"Gen. Aras": "SPEAKER", "drones": "WEAPON", "Q\u0301uarta": "TARGET"}
ATTRS = {"SPEAKER": {"speaker_type": "official"}, "WEAPON": {"weapon_type": "drone"}}


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export(ws: Workspace, path: Path) -> list[dict[str, Any]]:
    export_dataset(ws.db, ws.active_schema(), path, "prodigy", ExportOptions(filter=ExportFilter()))
    return read(path)


def hostile_workspace(url: str, target: str = "Q\u0301uarta") -> Workspace:
    """One document of hostile text with alice's spans on words next to odd white space."""
    ws = Workspace(url)
    doc = ws.documents.add(HOSTILE, key="hostile", title="Hostile")
    alice = ws.annotations("alice")
    for word in WORDS:
        start = HOSTILE.index(word)
        label = LABELS.get(word, "TARGET")
        if word == "Q\u0301uarta":
            start = HOSTILE.index(target)
            word = target
        alice.create_span(doc.id, start, start + len(word), label, ATTRS.get(label))
    alice.set_status(doc.id, "done")
    return ws


def check_with_spacy(records: list[dict[str, Any]]) -> int:
    """What Prodigy and spaCy do with a task; returns how many spans were checked."""
    nlp = spacy.blank("en")
    checked = 0
    for r in records:
        text, tokens = r["text"], r["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
        for i, t in enumerate(tokens):
            assert t["id"] == i and text[t["start"] : t["end"]] == t["text"]
        doc = spacy.tokens.Doc(
            nlp.vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens]
        )
        assert doc.text == text
        for s in r["spans"]:
            span = doc.char_span(s["start"], s["end"])
            assert span is not None, (r["meta"]["document_id"], s)
            assert (span.start, span.end - 1) == (s["token_start"], s["token_end"])
            checked += 1
        for rel in r["relations"]:
            assert rel["head"] == rel["head_span"]["token_end"]
            assert rel["child"] == rel["child_span"]["token_end"]
    return checked


def test_demo_corpus_tasks_rebuild_their_text_and_spans_in_spacy(
    sqlite_url: str, tmp_path: Path
) -> None:
    # What ``annotator demo`` and ``annotator export --format prodigy --status any`` run.
    with Workspace(sqlite_url) as ws:
        load_demo(ws, "demo")
        records = export(ws, tmp_path / "demo.jsonl")
        total = len(annotations(native(ws, tmp_path / "native.jsonl"))[0])
    assert records and total > 100
    # Every span the demo holds reaches the file and maps to its tokens (178 of 184 failed).
    assert check_with_spacy(records) == total


def test_hostile_white_space_becomes_tokens_as_spacy_makes_them(
    sqlite_url: str, tmp_path: Path
) -> None:
    with hostile_workspace(sqlite_url) as ws:
        (record,) = export(ws, tmp_path / "p.jsonl")
    assert check_with_spacy([record]) == len(WORDS)
    # The white space tokens and their flags are exactly those of spaCy's own tokenizer.
    ours = [(t["start"], t["text"], t["ws"]) for t in record["tokens"] if t["text"].isspace()]
    theirs = [
        (t.idx, t.text, bool(t.whitespace_)) for t in spacy.blank("en")(HOSTILE) if t.is_space
    ]
    assert ours == theirs
    assert record["tokens"][0]["text"] == " \n  " and record["tokens"][-1]["text"] == "\n"


def test_hostile_text_comes_back_with_every_span(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    with hostile_workspace(sqlite_url) as ws:
        export(ws, out)
        before = annotations(native(ws, tmp_path / "before.jsonl"))
    ws2, report = import_into(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", out, "prodigy")
    with ws2:
        assert report.rejected == [] and report.skipped == []
        assert annotations(native(ws2, tmp_path / "after.jsonl")) == before
    assert len(before[0]) == len(WORDS)


def test_hashes_are_prodigys_and_stable_across_databases(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("one", "two", "three")]
    with hostile_workspace(urls[0]) as ws:
        (one,) = export(ws, tmp_path / "one.jsonl")
        (again,) = export(ws, tmp_path / "again.jsonl")
    with hostile_workspace(urls[1]) as ws:
        (two,) = export(ws, tmp_path / "two.jsonl")
    # A different TARGET: the same text, other annotations.
    with hostile_workspace(urls[2], target="else") as ws:
        (three,) = export(ws, tmp_path / "three.jsonl")
    hashes = [(r["_input_hash"], r["_task_hash"]) for r in (one, again, two)]
    assert hashes[0] == hashes[1] == hashes[2]
    assert three["_input_hash"] == one["_input_hash"]
    assert three["_task_hash"] != one["_task_hash"]
    # Prodigy's recipe: murmurhash of the input keys' JSON; the task keys' JSON after it.
    input_hash = murmurhash.hash(json.dumps([one["text"]], sort_keys=True))
    assert one["_input_hash"] == input_hash
    task_json = json.dumps([one["spans"]], sort_keys=True)
    assert one["_task_hash"] == murmurhash.hash(str(input_hash) + task_json)


@pytest.mark.parametrize("text", ["", "a", "ab", "abc", "abcd", "abcde", HOSTILE, "\U0001f680x"])
def test_pure_python_murmurhash_matches_the_package(text: str) -> None:
    assert murmur3_32(text) == murmurhash.hash(text)
