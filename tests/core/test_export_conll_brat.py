"""CoNLL and brat exports as their consumers read them (issue 12, items 3 and 4).

- CoNLL, read back by seqeval in strict mode: every label of the demo corpus reaches the file
  with the default options, and the manifest's ``held`` counts are exactly what is in it
  (before, the default ``--nested outermost`` wrote no WEAPON at all).
- brat, read by a strict parser of brat's standoff format (brat is not on PyPI): hostile
  texts (tabs, U+2028, ``\\r``...) inside spans give valid T lines whose offsets are true to the
  ``.txt``; file names never collide case-insensitively nor use names Windows reserves.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import click
import pytest
from seqeval.metrics import classification_report
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import BILOU, IOB2

from annotator.cli import data_cmds
from annotator.core.formats import registry
from annotator.core.formats.writers.tokenize import tokenize
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.workspace import Workspace

ANY = ExportFilter(statuses=())


def export(ws: Workspace, out: Path, fmt: str, **kw: Any) -> dict[str, Any]:
    result = export_dataset(ws.db, ws.active_schema(), out, fmt, ExportOptions(filter=ANY, **kw))
    return json.loads(result.manifest.read_text(encoding="utf-8"))


@pytest.fixture
def demo(sqlite_url: str) -> Any:
    ws = Workspace(sqlite_url)
    try:
        load_demo(ws, "alice")
        yield ws
    finally:
        ws.close()


# -- CoNLL --


def read_conll(path: Path) -> list[list[list[list[str]]]]:
    """Documents > sentences > token rows (token, tag, tag, ...), as a CoNLL reader splits them."""
    docs: list[list[list[list[str]]]] = []
    sentence: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif not line:
            if sentence:
                docs[-1].append(sentence)
            sentence = []
        else:
            sentence.append(line.split(" "))
    assert not sentence
    return docs


def lenient(y: list[list[str]]) -> list[tuple[str, int, int]]:
    """seqeval's lenient reader, which knows IOBES: BILOU's L-/U- are its E-/S-."""
    iobes = {"L": "E", "U": "S"}
    return get_entities([[iobes.get(t[0], t[0]) + t[1:] for t in sent] for sent in y])


def demo_spans(ws: Workspace) -> set[tuple[str, str, int, int, str]]:
    found = set()
    for person in ws.annotators.all():
        ann = ws.annotations(person.name)
        for doc_id in ws.documents.ids(person.id, statuses=()):
            key = ws.documents.get(doc_id).key
            found |= {(key, person.name, s.start, s.end, s.label) for s in ann.spans(doc_id)}
    return found


@pytest.mark.parametrize("scheme", ["BIO", "BILOU"])
def test_conll_default_keeps_every_demo_label_as_seqeval_reads_it(
    demo: Workspace, tmp_path: Path, scheme: str
) -> None:
    manifest = export(demo, tmp_path / "demo.conll", "conll", scheme=scheme)
    assert manifest["options"]["nested"] == "layers"
    held = manifest["splits"]["all"]["held"]
    selected = manifest["splits"]["all"]["labels"]
    assert set(selected) == {"STATEMENT", "SPEAKER", "TARGET", "WEAPON"}
    # Nothing is lost on the demo: the file holds every selected span of every label.
    assert held["spans_left_out"] == {}
    assert held["spans_written"] == selected

    columns = manifest["layout"]["columns"][1:]
    docs = read_conll(tmp_path / "demo.conll")
    units = manifest["conll_units"]["all"]
    assert len(docs) == len(units)
    seq_scheme = IOB2 if scheme == "BIO" else BILOU
    got: set[tuple[str, str, int, int, str]] = set()
    read_counts: Counter[str] = Counter()
    for n, label in enumerate(columns, start=1):
        y = [[row[n] for row in sent] for doc in docs for sent in doc]
        tags = {t for sent in y for t in sent} - {"O"}
        assert sorted(tags) == held["tags"][label]
        assert {t[2:] for t in tags} == {label}  # one label per column
        report = classification_report(y, y, mode="strict", scheme=seq_scheme, output_dict=True)
        strict = int(report[label]["support"])
        # Strict and lenient reading agree: no ill-formed tag sequence in the column.
        loose = [e for e in lenient(y) if e[0] == label]
        assert strict == len(loose) == held["spans_written"][label]
        read_counts[label] = strict
        for (key, annotator), doc in zip(units, docs, strict=True):
            text = demo.documents.by_key(key).text  # type: ignore[union-attr]
            tokens = tokenize(text)
            flat = [row for sent in doc for row in sent]
            assert [row[0] for row in flat] == [tokens.text_of(i) for i in range(len(tokens))]
            for lab, first, last in lenient([[row[n] for row in flat]]):
                got.add((key, annotator, tokens.starts[first], tokens.ends[last], lab))
    assert read_counts == Counter(selected)
    assert read_counts["WEAPON"] > 0 and read_counts["TARGET"] > 0
    assert got == demo_spans(demo)  # exactly the annotated spans, at their offsets


def test_conll_outermost_counts_what_it_leaves_out_per_label(
    demo: Workspace, tmp_path: Path
) -> None:
    manifest = export(demo, tmp_path / "o.conll", "conll", nested="outermost")
    held = manifest["splits"]["all"]["held"]
    selected = manifest["splits"]["all"]["labels"]
    left = held["spans_left_out"]
    assert left["WEAPON"] == {"overlap_left_out": selected["WEAPON"]}  # all of them
    for label, n in selected.items():
        assert held["spans_written"].get(label, 0) + sum(left.get(label, {}).values()) == n
    y = [[row[1] for row in sent] for doc in read_conll(tmp_path / "o.conll") for sent in doc]
    assert Counter(e[0] for e in get_entities(y)) == Counter(held["spans_written"])
    assert list(held["tags"]) == ["tag"]


def test_cli_dialog_and_service_agree_on_the_default(sqlite_url: str, tmp_path: Path) -> None:
    from annotator.gui.export_dialog import ExportRequest

    nested = next(p for p in data_cmds.export.params if p.name == "nested")
    assert isinstance(nested.type, click.Choice)
    assert tuple(nested.type.choices) == registry.NESTED_CHOICES
    assert registry.NESTED_DEFAULT == "layers" == nested.default
    assert ExportOptions().nested == ExportRequest("conll", tmp_path).nested == "layers"
    # The command as a user runs it: demo, then a conll export with no --nested.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cli = [sys.executable, "-c", "from annotator.cli import main; main()", "--db", sqlite_url]
    subprocess.run([*cli, "demo"], check=True, env=env, capture_output=True)
    out = tmp_path / "cli.conll"
    run = [*cli, "export", str(out), "--format", "conll", "--status", "any"]
    subprocess.run(run, check=True, env=env, capture_output=True)
    manifest = json.loads((tmp_path / "cli.conll.manifest.json").read_text(encoding="utf-8"))
    held = manifest["splits"]["all"]["held"]
    assert held["spans_written"]["WEAPON"] == manifest["splits"]["all"]["labels"]["WEAPON"]


# -- brat --

T_LINE = re.compile(r"T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
OTHER_LINE = re.compile(r"(A\d+\t\S+ T\d+( \S+)?|R\d+\t\S+ Arg1:T\d+ Arg2:T\d+|#\d+\t.*)")
BREAKS = "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def parse_ann(ann: str, txt: str) -> list[tuple[int, int, str, list[tuple[int, int]]]]:
    """T lines as brat's server reads them, strictly; fails on any line brat would reject."""
    assert ann.endswith("\n")
    lines = ann[:-1].split("\n")
    assert lines == ann.splitlines()  # no other line break (brat splits on all of them)
    spans = []
    for line in lines:
        m = T_LINE.fullmatch(line)
        if m is None:
            assert OTHER_LINE.fullmatch(line), line
            continue
        _, label, where, text = m.groups()
        pieces = [(int(a), int(b)) for a, b in (p.split(" ") for p in where.split(";"))]
        assert all(a < b <= len(txt) for a, b in pieces)
        assert all(b < c for (_, b), (c, _) in pairwise(pieces))
        assert text == " ".join(txt[a:b] for a, b in pieces)
        spans.append((pieces[0][0], pieces[-1][1], label, pieces))
    return spans


HOSTILE = [
    "Minister said:\t“We\tstrike at dawn.”",
    "Gen. Aras warned\u2028that drones\u2029would fly.",
    "Old file line\r\nwith a carriage return\rand a NEL\x85here.",
    "Form\vfeed\fand file\x1cseparators\x1d\x1einside.",
]


def test_brat_t_lines_stay_valid_with_tabs_and_any_line_break(
    sqlite_url: str, tmp_path: Path
) -> None:
    ws = Workspace(sqlite_url)
    try:
        alice = ws.annotations("alice")
        expected = {}
        for n, text in enumerate(HOSTILE):
            doc = ws.documents.add(text, key=f"hostile{n}", title=f"H{n}")
            start = text.index(" ") + 1  # from the second word to the end: over every break
            sp = alice.create_span(doc.id, start, len(text) - 1, "STATEMENT", {"stance": "neutral"})
            wp = alice.create_span(doc.id, 0, text.index(" "), "SPEAKER")
            alice.link(sp.id, wp.id, "said_by")
            alice.set_status(doc.id, "done")
            expected[f"hostile{n}"] = {(start, len(text) - 1, "STATEMENT"), (0, wp.end, "SPEAKER")}
        export(ws, tmp_path / "brat", "brat")
    finally:
        ws.close()
    for key, spans in expected.items():
        folder = tmp_path / "brat" / "alice"
        with open(folder / f"{key}.txt", encoding="utf-8", newline="") as f:
            txt = f.read()
        assert txt == HOSTILE[int(key[-1])]  # the text exactly, breaks and all
        with open(folder / f"{key}.ann", encoding="utf-8", newline="") as f:
            parsed = parse_ann(f.read(), txt)
        assert {(a, b, label) for a, b, label, _ in parsed} == spans
        for a, b, _, pieces in parsed:
            covered = {i for p, q in pieces for i in range(p, q)}
            gaps = set(range(a, b)) - covered
            assert all(txt[i] in BREAKS for i in gaps)  # only the breaks are left out
            assert not any(txt[i] in BREAKS for i in covered)


RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])", re.IGNORECASE)


@pytest.mark.parametrize(
    "keys",
    [
        ["Doc", "doc", "DOC"],
        ["CON", "nul", "Aux.txt", "com1", "LPT9.tar.gz", "prn"],
        ["doc", "doc-" + "0" * 10],  # a key shaped like a hashed name
    ],
)
def test_brat_file_names_are_distinct_ignoring_case_and_never_reserved(
    sqlite_url: str, tmp_path: Path, keys: list[str]
) -> None:
    ws = Workspace(sqlite_url)
    try:
        alice = ws.annotations("alice")
        for key in keys:
            doc = ws.documents.add(f"Text of {key} here.", key=key, title=key)
            alice.create_span(doc.id, 0, 4, "STATEMENT", {"stance": "neutral"})
            alice.set_status(doc.id, "done")
        export(ws, tmp_path / "brat", "brat")
    finally:
        ws.close()
    folder = tmp_path / "brat" / "alice"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 * len(keys)
    assert len({n.casefold() for n in names}) == len(names)
    assert not [n for n in names if RESERVED.fullmatch(n.split(".", 1)[0].rstrip(" "))]
    texts = {(folder / n).read_text(encoding="utf-8") for n in names if n.endswith(".txt")}
    assert texts == {f"Text of {key} here." for key in keys}
