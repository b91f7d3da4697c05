"""The fast paths of the token writers give what the plain code they replaced gives.

Issue 12 asks every format to export within twice native's time. Each shortcut taken for it is
held here to the simple version, kept (or rebuilt) beside it as the reference: the Prodigy task
hash from a template against ``json.dumps``, brat's files written on a worker thread (all of
them, errors raised, nothing left when an export fails), CoNLL rows against the writer they
replaced (kept here), and the demo's exports.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.domain.errors import ExportError
from annotator.core.formats.writers import prodigy
from annotator.core.formats.writers.aligned import TokenSpan, place
from annotator.core.formats.writers.background_files import BackgroundFiles
from annotator.core.formats.writers.conll import DOCSTART, ConllWriter
from annotator.core.formats.writers.documents import ExportDocument, ExportSpan
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.prodigy_hash import (
    TASK_HASH_KEYS,
    SpanValues,
    _hash,
    _values,
    set_hashes,
)
from annotator.core.formats.writers.tokenize import covering, tokenize
from annotator.core.formats.writers.units import Prepared, Unit
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.workspace import Workspace
from tests.core.reference_sentences import reference_sentence_starts

# -- the Prodigy task hash --

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["stance", "form", "note", "é", "1", "a b"]), JSON_VALUES, max_size=4
)
OFFSET = st.integers(min_value=0, max_value=10**6)
SPAN = st.fixed_dictionaries(
    {
        "start": OFFSET,
        "end": OFFSET,
        "token_start": OFFSET,
        "token_end": OFFSET,
        "label": st.text(max_size=6),
        "attributes": ATTRIBUTES,
    }
)
ODD_SPAN = st.one_of(
    SPAN.map(lambda s: {**s, "extra": 1}),
    SPAN.map(lambda s: {**s, "start": True}),
    SPAN.map(lambda s: {k: v for k, v in s.items() if k != "label"}),
)
TASK = st.fixed_dictionaries(
    {"text": st.text(max_size=5), "spans": st.lists(st.one_of(SPAN, SPAN, ODD_SPAN), max_size=4)},
    optional={"label": st.text(max_size=3), "relations": st.just([])},
)
# One instance for every example, as a writer keeps one for a whole export: what it remembers
# of one task (1 and True are equal, but their JSON differs) must never leak into another's.
SHARED = SpanValues()


@settings(max_examples=400, deadline=None)
@given(TASK)
def test_task_hash_values_are_those_of_json_dumps(task: dict[str, Any]) -> None:
    assert SHARED(task) == _values(task, TASK_HASH_KEYS)


def test_task_hash_values_tell_equal_values_of_other_types_apart() -> None:
    values = SpanValues()
    span = {"start": 0, "end": 1, "token_start": 0, "token_end": 0, "label": "X"}
    for attributes in ({"a": True}, {"a": 1}, {"a": 1.0}, {"a": -0.0}, {"a": 0.0}, {"a": None}):
        task = {"spans": [{**span, "attributes": attributes}]}
        assert values(task) == _values(task, TASK_HASH_KEYS)


# -- whole exports against the reference --


def export_lines(ws: Workspace, path: Path, fmt: str) -> list[dict[str, Any]]:
    export_dataset(ws.db, ws.active_schema(), path, fmt, ExportOptions(filter=ExportFilter()))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_demo_prodigy_tasks_carry_the_reference_hashes(sqlite_url: str, tmp_path: Path) -> None:
    with Workspace(sqlite_url) as ws:
        load_demo(ws, "demo")
        tasks = export_lines(ws, tmp_path / "demo.jsonl", "prodigy")
    assert tasks and sum(len(t["spans"]) for t in tasks) > 100
    for task in tasks:
        assert task["_task_hash"] == reference_task_hash(task)


def reference_task_hash(task: dict[str, Any]) -> int:
    return _hash(str(task["_input_hash"]) + _values(task, TASK_HASH_KEYS))


# -- brat's files, written on a worker thread --


def test_background_files_are_all_written_when_close_returns(tmp_path: Path) -> None:
    files = BackgroundFiles(tmp_path)
    (tmp_path / "a").mkdir()
    for n in range(600):  # more than the queue holds
        files.write(f"a/{n}.txt", f"file {n}\n".encode())
    files.close()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        f"{n}.txt" for n in range(600)
    )
    assert (tmp_path / "a" / "599.txt").read_bytes() == b"file 599\n"


def test_background_files_raise_the_first_error(tmp_path: Path) -> None:
    files = BackgroundFiles(tmp_path)
    files.write("missing/x.txt", b"x")  # no such folder
    with pytest.raises(FileNotFoundError):
        for n in range(1000):  # the error is raised by a later write, or by close
            files.write(f"{n}.txt", b"y")
        files.close()
    files.abandon()  # what a failed export does after: no second error, the thread ends


def test_a_failed_brat_export_leaves_nothing_and_no_thread(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core.formats.writers import brat

    def refuse(unit: Any, schema: Any) -> str:
        raise OSError(28, "No space left on device")

    out = tmp_path / "exports"
    out.mkdir()
    with Workspace(sqlite_url) as ws:
        load_demo(ws, "demo")
        monkeypatch.setattr(brat, "ann_text", refuse)
        before = threading.active_count()
        with pytest.raises(ExportError, match="No space left"):
            export_dataset(ws.db, ws.active_schema(), out / "brat", "brat", ExportOptions())
    assert threading.active_count() == before
    assert not list(out.iterdir())


# -- CoNLL rows: the writer against the one it replaced --


def reference_tag_column(spans: Sequence[TokenSpan], length: int, scheme: str) -> list[str]:
    tags = ["O"] * length
    bilou = scheme == "BILOU"
    for ts in spans:
        label, first, last = ts.span.label, ts.first, ts.last
        if bilou and first == last:
            tags[first] = f"U-{label}"
            continue
        tags[first] = f"B-{label}"
        tags[first + 1 : last + 1] = [f"I-{label}"] * (last - first)
        if bilou:
            tags[last] = f"L-{label}"
    return tags


class ReferenceConll(ConllWriter):
    """The CoNLL writer before issue 12's last speed work: a Python step per covered token."""

    def add(self, prepared: Prepared) -> int:
        if not prepared.units:
            return 0
        blank = " O" * len(self._tags)
        plain = [word + blank for word in prepared.tokens.words]
        for unit in prepared.units:
            self._reference_unit(prepared, unit, plain)
        return len(prepared.units)

    def _reference_unit(self, prepared: Prepared, unit: Unit, plain: list[str]) -> None:
        tokens = prepared.tokens
        n = len(tokens)
        placed = place(prepared, unit, self._problems, self._part)
        if len(placed) < len(unit.spans):
            on_tokens = {ts.span.id for ts in placed}
            for sp in unit.spans:
                if sp.id not in on_tokens:
                    self._left(sp.label, tokens.align(sp.start, sp.end).problem or "not_on_tokens")
        columns = self._columns(unit, placed)
        tags = [reference_tag_column(col, n, self._scheme) for col in columns]
        joined = [False] * n
        rows = plain.copy()
        for col, column_tags, seen in zip(columns, tags, self._tags.values(), strict=True):
            self._written.update(ts.span.label for ts in col)
            for ts in col:
                joined[ts.first + 1 : ts.last + 1] = [True] * (ts.last - ts.first)
                seen.update(column_tags[ts.first : ts.last + 1])
                for i in range(ts.first, ts.last + 1):
                    rows[i] = " ".join([tokens.words[i], *(column[i] for column in tags)])
        lines = [DOCSTART, ""]
        done = 0
        for i in sorted(reference_sentence_starts(prepared.tokens)):
            if i and not joined[i]:
                lines += rows[done:i]
                lines.append("")
                done = i
        lines += rows[done:]
        lines.append("")
        self._out.write(("\n".join(lines) + "\n").encode("utf-8"))
        self._units_out.write(orjson.dumps([unit.doc.key, unit.annotator]) + b"\n")


LABELS = ("STATEMENT", "SPEAKER", "TARGET", "WEAPON")
WORDS = st.sampled_from(["Gen.", "Aras", "said", "drones", ".", "“", "no", "\n\n", "U.S.", "Dec."])


NO_ATTRIBUTES = st.just({})


@st.composite
def documents(
    draw: st.DrawFn, attributes: st.SearchStrategy[Any] = NO_ATTRIBUTES
) -> ExportDocument:
    """A short news-like text with two annotators' spans: nested, crossing, over sentence ends,
    on white space and inside words; ``attributes``: each span's, drawn from a few sets that
    spans share (as parsed rows share them) and a few of their own."""
    shared = draw(st.lists(attributes, min_size=1, max_size=3))
    text = " ".join(draw(st.lists(WORDS, min_size=1, max_size=30)))
    tokens = tokenize(text)
    spans = []
    for n in range(draw(st.integers(0, 12))):
        if len(tokens) and draw(st.booleans()):  # on token edges (nearly every span)
            first = draw(st.integers(0, len(tokens) - 1))
            start = tokens.starts[first]
            end = tokens.ends[draw(st.integers(first, min(len(tokens) - 1, first + 6)))]
        else:
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, min(len(text), start + 40)))
        annotator = draw(st.sampled_from(["alice", "bob"]))
        values = draw(st.one_of(st.sampled_from(shared), attributes))
        label = draw(st.sampled_from((*LABELS, "NOTE")))  # NOTE: a label no column has
        spans.append(ExportSpan(n, annotator, start, end, label, values))
    spans.sort(key=lambda s: (s.annotator, s.start, s.end, s.label, s.id))
    return ExportDocument(1, "d", "t", text, None, None, None, {}, "", {}, spans)


def conll_bytes(writer_class: type[ConllWriter], docs: list[ExportDocument], **kw: Any) -> Any:
    out, units = io.BytesIO(), io.BytesIO()
    problems = ProblemLog()
    writer = writer_class(out, layers=LABELS, problems=problems, part="all", units_out=units, **kw)
    for doc in docs:
        writer.add(Prepared(doc))
    return out.getvalue(), units.getvalue(), writer.held(), problems.summaries()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(documents(), min_size=1, max_size=3),
    st.sampled_from(["BIO", "BILOU"]),
    st.sampled_from(["layers", "outermost"]),
)
def test_conll_rows_are_those_of_the_reference_writer(
    docs: list[ExportDocument], scheme: str, nested: str
) -> None:
    fast = conll_bytes(ConllWriter, docs, scheme=scheme, nested=nested)
    assert fast == conll_bytes(ReferenceConll, docs, scheme=scheme, nested=nested)


# -- Prodigy span records and their task hash, made in one pass --


def reference_tasks(prepared: Prepared, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each task as the writer made it before: a record per span by ``_span``, hashed with
    ``json.dumps`` of what the task holds."""
    cover = covering(prepared.tokens)
    tasks = []
    for unit in prepared.units:
        placed = place(prepared, unit, ProblemLog(), "all")
        task = {"spans": [prodigy._span(ts, cover, names) for ts in placed]}
        tasks.append(set_hashes({"text": prepared.doc.text, **task}))
    return tasks


@settings(max_examples=200, deadline=None)
@given(documents(ATTRIBUTES), st.sampled_from([(), ("stance", "form"), ("note", "stance")]))
def test_prodigy_spans_and_task_hashes_are_those_of_the_reference(
    doc: ExportDocument, names: tuple[str, ...]
) -> None:
    prepared = Prepared(doc, ("done",))
    tasks = prodigy.task_records(prepared, ProblemLog(), "all", names, (), SHARED)
    expected = reference_tasks(prepared, names)
    assert [t["spans"] for t in tasks] == [t["spans"] for t in expected]
    assert [(t["_input_hash"], t["_task_hash"]) for t in tasks] == [
        (t["_input_hash"], t["_task_hash"]) for t in expected
    ]
