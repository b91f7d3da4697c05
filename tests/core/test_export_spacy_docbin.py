"""The spaCy export's columns are those of the Docs spaCy itself builds from the same spans.

The writer computes ``DocBin`` columns directly (issue 12: building a ``Doc`` per unit was most
of the export's time). Here every unit of a hostile corpus is also built the plain way, with
``Doc(vocab, words, spaces, sent_starts)``, ``Span`` objects, ``doc.spans`` and ``doc.ents``,
and the two must agree token for token: ORTH, entity tags, sentence starts, spaces, the span
group and the entities, and so must the problems reported.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from annotator.core.formats.writers.aligned import TokenSpan, outermost, place
from annotator.core.formats.writers.documents import to_document
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.spacy_docbin import ATTRS, SPAN_KEY
from annotator.core.formats.writers.units import Prepared
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter, snapshot, stream_raw
from annotator.core.services.workspace import Workspace
from tests.core.reference_sentences import reference_sentence_starts

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc, DocBin, Span  # noqa: E402

# Leading and trailing white space, a blank line, tabs, NBSP runs, U+2028, two spaces,
# typographic quotes and a combining mark (test_export_prodigy's text).
HOSTILE = (
    " \n  Gen. Aras said:\n\n\t“Our drones\u00a0\u00a0will reach Q\u0301uarta.”  Estmar"
    "\u2028 denied\tit.\u00a0 Nobody\n \nelse  spoke. \n"
)
PIECES = [
    *"abcdefgh",
    *("é", "ß", "Ж", "中", "5", "_", ".", ",", "“", "”", "-", "!", "?", "X", "ORTH", "PERSON"),
    *([" "] * 10),
    *("  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", " \n", "\u0301", "\u200d", "🚀", "\ufe0f"),
    *("Gen. ", "Dec. 29", "U.S. ", "… "),
]


def hostile_corpus(ws: Workspace, n: int = 120, seed: int = 5) -> None:
    """Random texts of odd white space, marks and symbols, with spans anywhere (some misfit)."""
    rng = random.Random(seed)
    labels = [lab.name for lab in ws.active_schema().labels]
    ws.documents.add(HOSTILE, key="hostile", title="Hostile")
    for k in range(n):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60)))
        if not text.strip():
            text += "x"
        try:
            doc = ws.documents.add(text, key=f"r{k}", title=f"R{k}")
        except Exception:  # refused by the import rules (e.g. a duplicate): not this test's
            continue
        for who in ("alice", "bob")[: rng.randint(1, 2)]:
            ann = ws.annotations(who)
            for _ in range(rng.randint(0, 8)):
                a, b = sorted(rng.sample(range(len(text) + 1), 2))
                label = rng.choice(labels)
                attrs = {"stance": "denies"} if label == "STATEMENT" else None
                if label == "WEAPON":
                    attrs = {"weapon_type": "drone"}
                try:
                    ann.create_span(doc.id, a, b, label, attrs)
                except Exception:  # an edge inside a combining sequence: refused on entry
                    continue


def words_and_spaces(prepared: Prepared) -> tuple[list[str], list[bool], list[int], list[bool]]:
    """spaCy's words for the text, as the writer made them before issue 12."""
    tokens, text = prepared.tokens, prepared.doc.text
    words: list[str] = []
    spaces: list[bool] = []
    index: list[int] = []
    sent: list[bool] = []
    first_start = tokens.starts[0] if len(tokens) else len(text)
    if first_start:
        words.append(text[:first_start])
        spaces.append(False)
        sent.append(False)
    for i in range(len(tokens)):
        index.append(len(words))
        words.append(tokens.text_of(i))
        sent.append(i in reference_sentence_starts(prepared.tokens))
        following = tokens.starts[i + 1] if i + 1 < len(tokens) else len(text)
        gap = text[tokens.ends[i] : following]
        spaces.append(gap.startswith(" "))
        gap = gap[1:] if gap.startswith(" ") else gap
        if gap:
            words.append(gap)
            spaces.append(False)
            sent.append(False)
    if sent:
        sent[0] = True
    return words, spaces, index, sent


def span_of(doc: Doc, index: list[int], ids: dict[int, str], ts: TokenSpan) -> Span:
    first, end = index[ts.first], index[ts.last] + 1
    return Span(doc, first, end, label=ts.span.label, span_id=ids[ts.span.id])


def reference_docs(ws: Workspace, vocab: Any, problems: ProblemLog) -> dict[tuple[str, Any], Doc]:
    """Every unit's Doc, built with spaCy's own objects."""
    schema = ws.active_schema()
    entity_labels = {lab.name for lab in schema.labels if not lab.overlap}
    docs = {}
    with snapshot(ws.db) as conn:
        for raw in stream_raw(conn, ExportFilter(), None):
            prepared = Prepared(to_document(raw))
            if not prepared.units:
                continue
            words, spaces, index, sent = words_and_spaces(prepared)
            for unit in prepared.units:
                doc = Doc(vocab, words=words, spaces=spaces, sent_starts=sent)
                ids = {sp.id: f"T{n}" for n, sp in enumerate(unit.spans, start=1)}
                placed = place(prepared, unit, problems, "all")
                doc.spans[SPAN_KEY] = [span_of(doc, index, ids, ts) for ts in placed]
                ents, left = outermost([ts for ts in placed if ts.span.label in entity_labels])
                for ts in left:
                    problems.add_span("entity_overlap", "all", unit, ts.span, "doc.ents")
                doc.ents = [span_of(doc, index, ids, ts) for ts in ents]
                docs[(unit.doc.key, unit.annotator)] = doc
    return docs


def test_every_unit_is_the_doc_spacy_builds(tmp_path: Path) -> None:
    ws = Workspace(f"sqlite:///{tmp_path / 'hostile.sqlite3'}")
    try:
        hostile_corpus(ws)
        result = export_dataset(
            ws.db,
            ws.active_schema(),
            tmp_path / "out.spacy",
            "spacy",
            ExportOptions(filter=ExportFilter()),
        )
        vocab = spacy.blank("en").vocab
        problems = ProblemLog()
        expected = reference_docs(ws, vocab, problems)
    finally:
        ws.close()
    written = list(DocBin().from_disk(tmp_path / "out.spacy").get_docs(vocab))
    assert len(written) == len(expected) == result.records > 100
    for doc in written:
        want = expected[(doc.user_data["document_id"], doc.user_data["annotator"])]
        assert doc.text == want.text
        assert [t.text for t in doc] == [t.text for t in want]
        assert (doc.to_array(list(ATTRS)) == want.to_array(list(ATTRS))).all()
        assert [t.whitespace_ for t in doc] == [t.whitespace_ for t in want]
        group, want_group = doc.spans[SPAN_KEY], want.spans[SPAN_KEY]
        assert [(s.start, s.end, s.label_, s.id_, s.start_char, s.end_char) for s in group] == [
            (s.start, s.end, s.label_, s.id_, s.start_char, s.end_char) for s in want_group
        ]
        assert [(e.start, e.end, e.label_) for e in doc.ents] == [
            (e.start, e.end, e.label_) for e in want.ents
        ]
        assert doc.cats == {}
    summaries = problems.summaries()
    assert {k: p.count for k, p in result.problems.items()} == {
        k: p.count for k, p in summaries.items()
    }
    assert result.problems  # the corpus does hold spans that do not fit
