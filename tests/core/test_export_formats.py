"""Every training format, read back by the loaders a team lead's pipeline uses.

The corpus mixes what makes exports go wrong: nested and crossing spans, a span across a line
break, a span edge inside a word, two annotators on one text, a document done with nothing to
mark, one still in progress, typographic quotes and a combining accent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ExportCancelled, ExportError, IntegrityError
from annotator.core.domain.jsonio import dumps
from annotator.core.formats.writers.documents import to_document
from annotator.core.formats.writers.fixed import attribute_names, relation_attribute_names
from annotator.core.formats.writers.native import native_raw_line, native_record, schema_info
from annotator.core.formats.writers.tokenize import tokenize
from annotator.core.services.exporting.dataset import (
    FORMATS,
    ExportOptions,
    ExportResult,
    export_dataset,
    plan_output,
    unavailable_reason,
)
from annotator.core.services.exporting.source import ExportFilter, snapshot, stream_raw
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.workspace import Workspace

try:
    import spacy
    from spacy.tokens import DocBin
    from spacy.training.converters import conll_ner_to_docs
except ImportError:  # the optional extra; CI installs it
    spacy = None

needs_spacy = pytest.mark.skipif(
    spacy is None, reason="spaCy is not installed (pip install 'annotator[spacy]')"
)

NESTED = (
    "Defence minister Gen. Aras said: “Our drones will reach Estmar.”\n"
    "He added that missiles\nwould follow soon."
)
PLAIN = "Estmar denies shipping rockets. The ministry called the report false."
COMBINING = "Officials in Q\u0301uarta denied it. Nobody else spoke."
SPLIT = SplitSpec.parse("train=0.5,dev=0.25,test=0.25")


def at(text: str, fragment: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


@dataclass(frozen=True)
class Expected:
    """A span as the database holds it: (document, annotator, start, end, label, attributes)."""

    document: str
    annotator: str
    start: int
    end: int
    label: str
    attributes: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, int, int, str]:
        return (self.document, self.annotator, self.start, self.end, self.label)


def build_corpus(ws: Workspace) -> dict[str, Any]:
    """The documents and the spans, links and statuses the tests expect back."""
    alice, bob = ws.annotations("alice"), ws.annotations("bob")
    docs = {
        key: ws.documents.add(text, key=key, title=key.upper())
        for key, text in (
            ("nested", NESTED),
            ("plain", PLAIN),
            ("combining", COMBINING),
            ("negative", "Weather report. It will rain on Tuesday."),
            ("open", "The navy held drills. Nothing was said."),
        )
    }
    d = docs["nested"]
    st = alice.create_span(
        d.id,
        *at(NESTED, "“Our drones will reach Estmar.”"),
        "STATEMENT",
        {"stance": "threatens", "form": "direct"},
    )
    sp = alice.create_span(d.id, *at(NESTED, "Gen. Aras"), "SPEAKER", {"speaker_type": "official"})
    wp = alice.create_span(d.id, *at(NESTED, "drones"), "WEAPON", {"weapon_type": "drone"})
    tg = alice.create_span(d.id, *at(NESTED, "Estmar"), "TARGET")
    alice.link(st.id, sp.id, "said_by")
    alice.link(st.id, wp.id, "about")
    alice.link(st.id, tg.id, "aimed_at")
    alice.set_status(d.id, "done")
    # bob: a statement over a line break, and a weapon that stops inside the word "missiles".
    st2 = bob.create_span(
        d.id,
        *at(NESTED, "He added that missiles\nwould follow soon."),
        "STATEMENT",
        {"stance": "supports"},
    )
    start = NESTED.index("missiles")
    wp2 = bob.create_span(d.id, start, start + len("missile"), "WEAPON", {"weapon_type": "other"})
    bob.link(st2.id, wp2.id, "about")
    bob.set_status(d.id, "done")

    d = docs["plain"]
    st = alice.create_span(
        d.id, *at(PLAIN, "Estmar denies shipping rockets."), "STATEMENT", {"stance": "denies"}
    )
    sp = alice.create_span(d.id, *at(PLAIN, "Estmar"), "SPEAKER", {"speaker_type": "body"})
    wp = alice.create_span(
        d.id, *at(PLAIN, "rockets"), "WEAPON", {"weapon_type": "rocket_artillery"}
    )
    alice.link(st.id, sp.id, "said_by")
    alice.link(st.id, wp.id, "about")
    alice.set_status(d.id, "done")

    d = docs["combining"]
    alice.create_span(d.id, *at(COMBINING, "Q\u0301uarta"), "TARGET")
    alice.create_span(
        d.id,
        *at(COMBINING, "Officials in Q\u0301uarta denied it."),
        "STATEMENT",
        {"stance": "denies"},
    )
    alice.set_status(d.id, "done")

    alice.set_status(docs["negative"].id, "done")  # read, nothing to mark: a true negative
    alice.create_span(docs["open"].id, *at("The navy held drills.", "navy"), "SPEAKER")
    return {"docs": docs}


def expected_spans(ws: Workspace, statuses: tuple[str, ...] = ("done",)) -> list[Expected]:
    """Spans of the annotators whose status on the document is one of ``statuses``."""
    found = []
    for person in ws.annotators.all():
        ann = ws.annotations(person.name)
        for doc_id in ws.documents.ids(person.id, statuses=statuses):
            key = ws.documents.get(doc_id).key
            found += [
                Expected(key, person.name, s.start, s.end, s.label, s.attributes)
                for s in ann.spans(doc_id)
            ]
    return sorted(found, key=lambda e: e.key)


def texts(ws: Workspace) -> dict[str, str]:
    return {
        key: ws.documents.by_key(key).text
        for key in ("nested", "plain", "combining", "negative", "open")
    }  # type: ignore[union-attr]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def split_records(result: ExportResult) -> Iterator[tuple[str, dict[str, Any]]]:
    for part in result.parts:
        for record in read_jsonl(part.path):
            yield part.name, record


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where exports go: apart from the SQLite file, so folder listings show only exports."""
    return tmp_path / "exports"


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def corpus(workspace: Workspace) -> Workspace:
    build_corpus(workspace)
    return workspace


def export(ws: Workspace, out: Path, fmt: str, **kw: Any) -> ExportResult:
    return export_dataset(ws.db, ws.active_schema(), out, fmt, ExportOptions(**kw))


# -- every format: files, manifest, splits --


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_writes_its_splits_and_a_manifest_that_describes_them(
    corpus: Workspace, out_dir: Path, fmt: str
) -> None:
    if unavailable_reason(fmt):
        pytest.skip(unavailable_reason(fmt))
    out = out_dir / "dataset"
    result = export(corpus, out, fmt, split=SPLIT)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == fmt
    assert manifest["schema"]["name"] == "defence_statements"
    assert manifest["schema"]["sha256"] == corpus.active_schema().sha256
    assert manifest["filters"]["statuses"] == (["done"] if fmt != "native" else "any")
    assert manifest["split"]["parts"] == {"train": 0.5, "dev": 0.25, "test": 0.25}
    assert list(manifest["splits"]) == ["train", "dev", "test"]
    # No document in two splits, and every exported document listed once.
    ids = manifest["document_ids"]
    listed = [key for part in ids.values() for key in part]
    assert len(listed) == len(set(listed)) == manifest["totals"]["documents"]
    done_docs = {"nested", "plain", "combining", "negative"}
    if fmt == "native":
        assert set(listed) == done_docs | {"open"}
    else:
        assert set(listed) == done_docs
    # Counts per label are those of the database, whatever the format.
    statuses = () if fmt == "native" else ("done",)
    spans = (
        expected_spans(corpus, statuses)
        if statuses
        else expected_spans(corpus, ("new", "in_progress", "done", "skipped"))
    )
    labels: dict[str, int] = {}
    for part in manifest["splits"].values():
        for label, n in part["labels"].items():
            labels[label] = labels.get(label, 0) + n
    expected_labels: dict[str, int] = {}
    for e in spans:
        expected_labels[e.label] = expected_labels.get(e.label, 0) + 1
    assert labels == expected_labels
    assert manifest["totals"]["spans"] == len(spans) == result.spans
    stances = sum(
        part["attributes"].get("STATEMENT.stance", {}).get("threatens", 0)
        for part in manifest["splits"].values()
    )
    assert stances == 1
    # Files are where the manifest says, complete (checksum), with no temporary leftovers.
    for name, info in manifest["files"].items():
        path = out / info["path"]
        assert path.exists(), name
        if "sha256" in info:
            import hashlib

            assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"]
    assert not [p for p in out.rglob(".*")]
    assert not [n for n in names(out_dir) if n.startswith(".")]


def test_a_single_file_export_puts_its_manifest_beside_it(corpus: Workspace, out_dir: Path) -> None:
    result = export(corpus, out_dir / "train.jsonl", "doccano")
    assert result.paths == (out_dir / "train.jsonl",)
    assert result.manifest == out_dir / "train.jsonl.manifest.json"
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["files"]["all"]["path"] == "train.jsonl"
    assert names(out_dir) == ["train.jsonl", "train.jsonl.manifest.json"]


def test_the_fast_native_path_writes_what_native_record_describes(corpus: Workspace) -> None:
    schema = corpus.active_schema()
    with snapshot(corpus.db) as conn:
        raws = list(stream_raw(conn))
    assert len(raws) == 5
    for raw in raws:
        assert (
            native_raw_line(
                raw, schema_info(schema), attribute_names(schema), relation_attribute_names(schema)
            )
            == dumps(native_record(to_document(raw), schema)) + b"\n"
        )


# -- doccano --


def _set(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes set: exports write every attribute of the schema, null when unset."""
    return {k: v for k, v in attributes.items() if v is not None}


def test_doccano_sequence_labelling_records(corpus: Workspace, out_dir: Path) -> None:
    result = export(corpus, out_dir / "d.jsonl", "doccano")
    records = read_jsonl(out_dir / "d.jsonl")
    got = sorted(
        (r["document_id"], r["annotator"], s, e, label, _set(attrs))
        for r in records
        for (s, e, label), attrs in zip(
            r["label"], r.get("attributes") or [{}] * len(r["label"]), strict=True
        )
    )
    assert got == [(*e.key, e.attributes) for e in expected_spans(corpus)]
    for r in records:
        assert set(r) >= {"text", "label", "document_id", "title", "annotator"}
        for s, e, _ in r["label"]:
            assert 0 <= s < e <= len(r["text"])
    # One record per document and annotator; the done-but-empty document is a negative example.
    assert sorted((r["document_id"], r["annotator"]) for r in records) == [
        ("combining", "alice"),
        ("negative", "alice"),
        ("nested", "alice"),
        ("nested", "bob"),
        ("plain", "alice"),
    ]
    assert [r["label"] for r in records if r["document_id"] == "negative"] == [[]]
    assert result.records == 5 and result.documents == 4
    # character offsets: nothing to align; overlaps are reported, doccano drops them by default
    assert set(result.problems) <= {"doccano_overlap"}


def test_doccano_relation_extraction_records(corpus: Workspace, out_dir: Path) -> None:
    export(corpus, out_dir / "d.jsonl", "doccano-rel")
    records = {(r["document_id"], r["annotator"]): r for r in read_jsonl(out_dir / "d.jsonl")}
    nested = records[("nested", "alice")]
    entities = {e["id"]: e for e in nested["entities"]}
    assert len(entities) == 4
    links = {
        (r["type"], entities[r["from_id"]]["label"], entities[r["to_id"]]["label"])
        for r in nested["relations"]
    }
    assert links == {
        ("said_by", "STATEMENT", "SPEAKER"),
        ("about", "STATEMENT", "WEAPON"),
        ("aimed_at", "STATEMENT", "TARGET"),
    }
    weapon = next(e for e in entities.values() if e["label"] == "WEAPON")
    assert nested["text"][weapon["start_offset"] : weapon["end_offset"]] == "drones"
    assert _set(weapon["attributes"]) == {"weapon_type": "drone"}


# -- prodigy --


def test_prodigy_tasks_with_tokens_spans_and_relations(corpus: Workspace, out_dir: Path) -> None:
    result = export(corpus, out_dir / "p.jsonl", "prodigy")
    records = {
        (r["meta"]["document_id"], r["meta"]["annotator"]): r
        for r in read_jsonl(out_dir / "p.jsonl")
    }
    for (key, annotator), r in records.items():
        assert r["answer"] == "accept" and r["_annotator_id"] == annotator
        text = r["text"]
        for i, tok in enumerate(r["tokens"]):
            assert tok["id"] == i and text[tok["start"] : tok["end"]] == tok["text"]
        # spaCy's convention: one plain space is ``ws``, other white space a token of its own.
        assert "".join(t["text"] + " " * t["ws"] for t in r["tokens"]) == text
        for span in r["spans"]:
            first, last = r["tokens"][span["token_start"]], r["tokens"][span["token_end"]]
            assert (first["start"], last["end"]) == (span["start"], span["end"]), (key, span)
        for rel in r["relations"]:
            assert rel["head"] == rel["head_span"]["token_end"]
            assert rel["child"] == rel["child_span"]["token_end"]
            assert rel["head_span"] in r["spans"] and rel["child_span"] in r["spans"]
    alice = records[("nested", "alice")]
    assert {s["label"] for s in alice["spans"]} == {"STATEMENT", "SPEAKER", "WEAPON", "TARGET"}
    assert len(alice["relations"]) == 3
    accent = records[("combining", "alice")]
    target = next(s for s in accent["spans"] if s["label"] == "TARGET")
    assert accent["tokens"][target["token_start"]]["text"] == "Q\u0301uarta"
    # bob's "missile" ends inside "missiles": reported, left out, never moved to fit.
    bob = records[("nested", "bob")]
    assert [s["label"] for s in bob["spans"]] == ["STATEMENT"]
    assert bob["relations"] == []
    problem = result.problems["edge_inside_token"]
    assert problem.count == 1 and result.misaligned == 1
    (example,) = problem.examples
    assert example["document"] == "nested" and example["annotator"] == "bob"
    assert example["text"] == "missile" and "inside token 'missiles'" in example["detail"]
    assert result.problems["relation_left_out"].count == 1
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["problems"]["edge_inside_token"]["count"] == 1
    assert manifest["problems"]["edge_inside_token"]["examples"][0]["text"] == "missile"
    assert manifest["tokenizer"]["name"] == "annotator-words-v1"


# -- spaCy --


@needs_spacy
def test_spacy_docbin_loads_with_entities_span_groups_and_user_data(
    corpus: Workspace, out_dir: Path
) -> None:
    result = export(corpus, out_dir / "corpus", "spacy", split=SPLIT)
    nlp = spacy.blank("en")
    docs = []
    for part in result.parts:
        docs += list(DocBin().from_disk(part.path).get_docs(nlp.vocab))
    assert len(docs) == result.records == 5
    by_unit = {(d.user_data["document_id"], d.user_data["annotator"]): d for d in docs}
    full = texts(corpus)
    expected = expected_spans(corpus)
    for (key, annotator), doc in by_unit.items():
        assert doc.text == full[key]  # character offsets mean the same in spaCy
        mine = [e for e in expected if (e.document, e.annotator) == (key, annotator)]
        stored = doc.user_data["spans"]
        assert sorted((s["start"], s["end"], s["label"]) for s in stored) == sorted(
            (e.start, e.end, e.label) for e in mine
        )
        assert all(
            s["attributes"]
            == next(
                e.attributes
                for e in mine
                if (e.start, e.end, e.label) == (s["start"], s["end"], s["label"])
            )
            for s in stored
        )
        group = {(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["sc"]}
        by_id = {s["id"]: s for s in stored}
        for start, end, label, span_id in group:
            assert (by_id[span_id]["start"], by_id[span_id]["end"], by_id[span_id]["label"]) == (
                start,
                end,
                label,
            )
        for ent in doc.ents:
            assert ent.label_ in {"SPEAKER", "TARGET", "WEAPON"}  # the overlap: false labels
        assert doc[0].is_sent_start
    alice = by_unit[("nested", "alice")]
    assert len(alice.spans["sc"]) == 4  # nested statement, speaker, weapon, target all kept
    assert {e.text for e in alice.ents} == {"Gen. Aras", "drones", "Estmar"}
    assert {(r["label"]) for r in alice.user_data["relations"]} == {"said_by", "about", "aimed_at"}
    bob = by_unit[("nested", "bob")]
    assert [s.label_ for s in bob.spans["sc"]] == ["STATEMENT"]  # "missile" does not fit tokens
    assert len(bob.user_data["spans"]) == 2  # but its data is all there
    assert result.misaligned == 1


def test_spacy_missing_gives_the_install_command(
    corpus: Workspace, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "spacy", None)  # as if the extra were not installed
    assert "pip install 'annotator[spacy]'" in (unavailable_reason("spacy") or "")
    with pytest.raises(ExportError, match=r"pip install 'annotator\[spacy\]'"):
        export(corpus, out_dir / "x.spacy", "spacy")
    assert names(out_dir) == []


# -- CoNLL --


def read_conll(path: Path) -> list[list[list[list[str]]]]:
    """A plain CoNLL reader: documents of sentences of token lines split on white space."""
    documents: list[list[list[list[str]]]] = []
    sentence: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            documents.append([])
            continue
        if not line.strip():
            if sentence:
                documents[-1].append(sentence)
                sentence = []
            continue
        sentence.append(line.split())
    assert not sentence, "the file must end with a blank line"
    return documents


def decode_tags(tags: list[str], scheme: str) -> list[tuple[int, int, str]]:
    """Entities (first token, last token, label) from one column; asserts the tags are valid."""
    found: list[tuple[int, int, str]] = []
    open_: tuple[int, str] | None = None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if open_ is not None and (prefix in ("B", "U", "O") or label != open_[1]):
            assert scheme == "BIO", f"BILOU entity not closed by L- at {i}"
            found.append((open_[0], i - 1, open_[1]))
            open_ = None
        if prefix == "B":
            open_ = (i, label)
        elif prefix == "I":
            assert open_ is not None and open_[1] == label, f"I-{label} without B- at {i}"
        elif prefix == "L":
            assert scheme == "BILOU" and open_ is not None and open_[1] == label
            found.append((open_[0], i, label))
            open_ = None
        elif prefix == "U":
            assert scheme == "BILOU"
            found.append((i, i, label))
        else:
            assert tag == "O", tag
    return found


def conll_entities(
    ws: Workspace, path: Path, units: list[list[str]], scheme: str, column: int = 1
) -> set[tuple[str, str, int, int, str]]:
    """(document, annotator, start, end, label) of every entity in one tag column."""
    full = texts(ws)
    found = set()
    documents = read_conll(path)
    assert len(documents) == len(units)
    for (key, annotator), sentences in zip(units, documents, strict=True):
        rows = [row for sentence in sentences for row in sentence]
        tokens = tokenize(full[key])
        assert [row[0] for row in rows] == [tokens.text_of(i) for i in range(len(tokens))]
        tags = [row[column] for row in rows]
        for first, last, label in decode_tags(tags, scheme):
            found.add((key, annotator, tokens.starts[first], tokens.ends[last], label))
    return found


@pytest.mark.parametrize("scheme", ["BIO", "BILOU"])
def test_conll_outermost_keeps_the_outer_spans_and_reports_the_rest(
    corpus: Workspace, out_dir: Path, scheme: str
) -> None:
    result = export(corpus, out_dir / "c.conll", "conll", scheme=scheme, nested="outermost")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["options"] == {"scheme": scheme, "nested": "outermost"}
    assert manifest["layout"]["columns"] == ["token", "tag"]
    got = conll_entities(corpus, result.paths[0], manifest["conll_units"]["all"], scheme)
    expected = {e.key for e in expected_spans(corpus)}
    assert got <= expected
    left_out = {
        (x["document"], x["annotator"], x["start"], x["end"], x["label"])
        for x in manifest["problems"]["overlap_left_out"]["examples"]
    }
    misaligned = {("nested", "bob", *at(NESTED, "missile"), "WEAPON")}
    assert got | left_out | misaligned == expected  # every span written, or reported
    assert not got & left_out
    # The outer statement won over the weapon and target inside it.
    assert ("nested", "alice", *at(NESTED, "“Our drones will reach Estmar.”"), "STATEMENT") in got
    assert ("nested", "alice", *at(NESTED, "drones"), "WEAPON") in left_out
    # A span over a line break is not cut by a sentence break.
    bob_statement = (
        "nested",
        "bob",
        *at(NESTED, "He added that missiles\nwould follow soon."),
        "STATEMENT",
    )
    assert bob_statement in got


def test_conll_layers_give_each_label_its_own_column(corpus: Workspace, out_dir: Path) -> None:
    result = export(corpus, out_dir / "c.conll", "conll", nested="layers")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    columns = manifest["layout"]["columns"]
    assert columns == ["token", "STATEMENT", "SPEAKER", "TARGET", "WEAPON"]
    assert manifest["options"]["nested"] == "layers"
    units = manifest["conll_units"]["all"]
    got = set()
    for n, label in enumerate(columns[1:], start=1):
        column = conll_entities(corpus, result.paths[0], units, "BIO", column=n)
        assert {g[4] for g in column} <= {label}
        got |= column
    expected = {e.key for e in expected_spans(corpus)}
    assert got == expected - {("nested", "bob", *at(NESTED, "missile"), "WEAPON")}
    assert "overlap_left_out" not in result.problems  # nothing of one label overlaps here


@needs_spacy
def test_spacys_conll_converter_reads_the_file(corpus: Workspace, out_dir: Path) -> None:
    # spaCy's converter reads the last column only: the one-column layout, chosen by name.
    result = export(corpus, out_dir / "c.conll", "conll", nested="outermost")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    docs = list(
        conll_ner_to_docs(result.paths[0].read_text(encoding="utf-8"), n_sents=0, no_print=True)
    )
    units = manifest["conll_units"]["all"]
    assert len(docs) == len(units) == 5
    ours = conll_entities(corpus, result.paths[0], units, "BIO")
    full = texts(corpus)
    theirs = set()
    for (key, annotator), doc in zip(units, docs, strict=True):
        tokens = tokenize(full[key])
        assert [t.text for t in doc] == [tokens.text_of(i) for i in range(len(tokens))]
        for ent in doc.ents:
            theirs.add(
                (key, annotator, tokens.starts[ent.start], tokens.ends[ent.end - 1], ent.label_)
            )
    assert theirs == ours
    # Sentence breaks fall at sentence ends, but never inside a written span: alice's speaker
    # "Gen. Aras" keeps "Gen." with its sentence; bob's statement runs over a line break.
    sentences = {
        unit: [" ".join(t.text for t in sent) for sent in docs[units.index(list(unit))].sents]
        for unit in (("nested", "alice"), ("nested", "bob"))
    }
    assert sentences[("nested", "alice")] == [
        "Defence minister Gen . Aras said : “ Our drones will reach Estmar . ”",
        "He added that missiles",
        "would follow soon .",
    ]
    assert sentences[("nested", "bob")] == [  # "Gen." is a title, not a sentence end
        "Defence minister Gen . Aras said : “ Our drones will reach Estmar . ”",
        "He added that missiles would follow soon .",
    ]


# -- brat --


def read_ann(path: Path) -> dict[str, list[list[str]]]:
    kinds: dict[str, list[list[str]]] = {"T": [], "A": [], "R": [], "#": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        kinds[line[0]].append(line.split("\t"))
    return kinds


def test_brat_pairs_and_configuration(corpus: Workspace, out_dir: Path) -> None:
    export(corpus, out_dir / "brat", "brat")
    root = out_dir / "brat"
    conf = (root / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nSTATEMENT\nSPEAKER\nTARGET\nWEAPON\n" in conf
    assert "said_by\tArg1:STATEMENT, Arg2:SPEAKER" in conf
    assert "stance\tArg:STATEMENT, Value:supports|opposes|threatens|denies|neutral" in conf
    assert "STATEMENT\tbgColor:#f2b134" in (root / "visual.conf").read_text(encoding="utf-8")
    full = texts(corpus)
    assert (root / "alice" / "nested.txt").read_text(encoding="utf-8") == full["nested"]
    expected = {(e.document, e.annotator): [] for e in expected_spans(corpus)}
    for e in expected_spans(corpus):
        expected[(e.document, e.annotator)].append((e.start, e.end, e.label))
    for (key, annotator), spans in expected.items():
        ann = read_ann(root / annotator / f"{key}.ann")
        text = full[key]
        got = []
        for _ref, where, covered in ann["T"]:
            label, _, offsets = where.partition(" ")
            pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
            assert covered == " ".join(text[a:b] for a, b in pieces)
            assert all("\n" not in text[a:b] for a, b in pieces)
            got.append((pieces[0][0], pieces[-1][1], label))
        assert sorted(got) == sorted(spans)
        refs = {t[0] for t in ann["T"]}
        for _, what in ann["R"]:
            _, arg1, arg2 = what.split(" ")
            assert arg1.removeprefix("Arg1:") in refs and arg2.removeprefix("Arg2:") in refs
    bob = read_ann(root / "bob" / "nested.ann")
    statement = next(t for t in bob["T"] if t[1].startswith("STATEMENT"))
    assert statement[0] == "T1" and ";" in statement[1]  # over a line break: two fragments
    assert ["A1", "stance T1 supports"] in bob["A"]


KINDS_SCHEMA = """
name: kinds
version: "2"
labels:
  - name: EVENT
    color: "#ff0000"
    attributes:
      - name: kind
        type: choice
        values: [attack, talks]
      - name: weapons
        type: multi
        values: [drone, missile]
      - name: confirmed
        type: bool
      - name: note
        type: text
  - name: ACTOR
    color: "#00ff00"
    overlap: false
relations:
  - name: by
    from: EVENT
    to: ACTOR
"""


def test_every_kind_of_attribute_in_brat_and_the_manifest(sqlite_url: str, out_dir: Path) -> None:
    from annotator.core.domain.schema import parse_schema

    text = "Rebels struck the depot with drones. Talks follow."
    with Workspace(sqlite_url) as ws:
        schema = parse_schema(KINDS_SCHEMA)
        ws.schemas.set_active(schema)
        ann = ws.annotations("gus")
        doc = ws.documents.add(text, key="k1")
        event = ann.create_span(doc.id, *at(text, "struck the depot with drones"), "EVENT")
        ann.set_attribute(event.id, "kind", "attack")
        ann.set_attribute(event.id, "weapons", ["missile", "drone"])
        ann.set_attribute(event.id, "confirmed", True)
        ann.set_attribute(event.id, "note", "seen on\tvideo,\nunverified")
        actor = ann.create_span(doc.id, *at(text, "Rebels"), "ACTOR")
        ann.link(event.id, actor.id, "by")
        ann.set_status(doc.id, "done")
        result = export_dataset(ws.db, schema, out_dir / "brat", "brat")
    ann_file = read_ann(out_dir / "brat" / "gus" / "k1.ann")
    assert [t[:2] for t in ann_file["T"]] == [["T1", "ACTOR 0 6"], ["T2", "EVENT 7 35"]]
    assert ann_file["A"] == [
        ["A1", "kind T2 attack"],
        ["A2", "weapons_drone T2"],
        ["A3", "weapons_missile T2"],
        ["A4", "confirmed T2"],
    ]
    assert ann_file["#"] == [["#1", "AnnotatorNotes T2", "note: seen on video, unverified"]]
    assert ann_file["R"] == [["R1", "by Arg1:T2 Arg2:T1"]]
    conf = (out_dir / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "kind\tArg:EVENT, Value:attack|talks\n" in conf
    assert "weapons_drone\tArg:EVENT\n" in conf and "confirmed\tArg:EVENT\n" in conf
    assert "note" not in conf  # free text lives in notes, not in the attribute list
    counts = json.loads(result.manifest.read_text(encoding="utf-8"))["splits"]["all"]
    assert counts["attributes"] == {
        "EVENT.confirmed": {"true": 1},
        "EVENT.kind": {"attack": 1},
        "EVENT.note": {"(text given)": 1},
        "EVENT.weapons": {"drone": 1, "missile": 1},
    }
    assert counts["relation_labels"] == {"by": 1}


# -- statements and filters --


def test_statements_default_to_done_documents_and_keep_the_links(
    corpus: Workspace, out_dir: Path
) -> None:
    result = export(corpus, out_dir / "s.jsonl", "statements")
    records = read_jsonl(out_dir / "s.jsonl")
    assert result.records == len(records) == 4
    assert {r["document_id"] for r in records} == {"nested", "plain", "combining"}
    quote = next(r for r in records if r["annotator"] == "alice" and r["document_id"] == "nested")
    assert quote["stance"] == "threatens"
    assert [m["text"] for m in quote["speaker"]] == ["Gen. Aras"]


def test_filters_by_annotator_label_and_status(corpus: Workspace, out_dir: Path) -> None:
    flt = ExportFilter(annotators=("alice",), labels=("WEAPON", "STATEMENT"), statuses=("done",))
    result = export(corpus, out_dir / "d.jsonl", "doccano-rel", filter=flt)
    records = read_jsonl(out_dir / "d.jsonl")
    assert {r["annotator"] for r in records} == {"alice"}
    labels = {e["label"] for r in records for e in r["entities"]}
    assert labels == {"WEAPON", "STATEMENT"}
    # Only links between spans that were both kept.
    assert {rel["type"] for r in records for rel in r["relations"]} == {"about"}
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["filters"] == {
        "annotators": ["alice"],
        "statuses": ["done"],
        "labels": ["WEAPON", "STATEMENT"],
    }
    assert manifest["annotators"] == ["alice"]
    in_progress = export(
        corpus, out_dir / "o.jsonl", "doccano", filter=ExportFilter(statuses=("in_progress",))
    )
    assert [r["document_id"] for r in read_jsonl(in_progress.paths[0])] == ["open"]


# -- files appear complete or not at all --


def test_cancelling_leaves_no_file_and_keeps_an_earlier_export(
    corpus: Workspace, out_dir: Path
) -> None:
    out = out_dir / "dataset"
    first = export(corpus, out, "prodigy", split=SPLIT)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 3

    with pytest.raises(ExportCancelled):
        export_dataset(
            corpus.db, corpus.active_schema(), out, "conll", ExportOptions(split=SPLIT), progress
        )
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the earlier export, untouched
    assert names(out_dir) == ["dataset"]  # no staging folder left
    assert calls[-1][0] == 3 and first.records > 0
    # Progress runs over both passes (choosing the splits, then writing) as one bar.
    totals = {total for _, total in calls}
    assert totals == {2 * 5}


def test_a_folder_that_is_not_an_export_is_never_replaced(corpus: Workspace, out_dir: Path) -> None:
    folder = out_dir / "thesis"
    folder.mkdir(parents=True)
    (folder / "chapter1.tex").write_text("precious")
    with pytest.raises(ExportError, match="not an earlier export"):
        export(corpus, folder, "native", split=SPLIT)
    assert [p.name for p in folder.iterdir()] == ["chapter1.tex"]
    assert names(out_dir) == ["thesis"]


def test_a_changed_text_stops_every_format(corpus: Workspace, out_dir: Path) -> None:
    from sqlalchemy import text as sql

    with corpus.db.write() as s:
        s.execute(sql("UPDATE documents SET text = text || '!' WHERE key = 'plain'"))
    with pytest.raises(IntegrityError, match="document 'plain': its text changed"):
        export(corpus, out_dir / "out", "conll", split=SPLIT)
    assert names(out_dir) == []


# -- the window calls export_dataset from a worker thread --


def test_exports_run_on_worker_threads_while_annotators_work(
    corpus: Workspace, out_dir: Path
) -> None:
    schema = corpus.active_schema()
    results: dict[str, ExportResult] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            results[name] = export_dataset(
                corpus.db, schema, out_dir / name, "prodigy", ExportOptions(split=SPLIT)
            )
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    carol = corpus.annotations("carol")  # meanwhile someone starts annotating
    doc = corpus.documents.by_key("open")
    assert doc is not None
    carol.create_span(doc.id, 4, 8, "SPEAKER")
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and set(results) == {"one", "two"}
    for part in ("train", "dev", "test"):
        assert (out_dir / "one" / f"{part}.jsonl").read_bytes() == (
            out_dir / "two" / f"{part}.jsonl"
        ).read_bytes()
    assert results["one"].misaligned == results["two"].misaligned == 1


# -- the command line --


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_export_command_with_split_stratify_and_conll_options(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, out_dir: Path
) -> None:
    with Workspace(sqlite_url) as ws:
        build_corpus(ws)
    out = out_dir / "ner"
    code, stdout, err = run(
        capsys,
        "--db",
        sqlite_url,
        "export",
        "--format",
        "conll",
        "--split",
        "train=50,dev=25,test=25",
        "--seed",
        "7",
        "--stratify",
        "label",
        "--scheme",
        "BILOU",
        "--nested",
        "layers",
        str(out),
    )
    assert code == 0, err
    assert stdout.startswith(f"wrote 5 records from 4 documents to {out} (train ")
    assert f"manifest: {out / 'manifest.json'}" in err
    assert "edge inside token: 1 span;" in err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["split"]["seed"] == 7 and manifest["split"]["stratify"] == "label"
    assert manifest["options"] == {"scheme": "BILOU", "nested": "layers"}
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "dev.conll",
        "manifest.json",
        "test.conll",
        "train.conll",
    ]
    code, _, err = run(capsys, "--db", sqlite_url, "export", "--stratify", "stance", str(out))
    assert code == 2 and "--seed and --stratify need --split" in err
    code, _, err = run(
        capsys, "--db", sqlite_url, "export", "--split", "train=0.9,test=0.2", str(out)
    )
    assert code == 1 and "split shares add up to 1.1" in err
    code, _, err = run(
        capsys, "--db", sqlite_url, "export", "--split", "a=1", "--stratify", "colour", str(out)
    )
    assert code == 1 and "--stratify colour: no such attribute" in err and "stance" in err


def test_plan_output_tells_a_dialog_file_or_folder(out_dir: Path) -> None:
    assert not plan_output(out_dir / "train.spacy", "spacy").folder
    assert (
        plan_output(out_dir / "train.spacy", "spacy").manifest
        == out_dir / "train.spacy.manifest.json"
    )
    assert plan_output(out_dir / "data.jsonl", "prodigy", ExportOptions(split=SPLIT)).folder
    assert plan_output(out_dir / "corpus", "native").folder  # no suffix: a folder
    assert plan_output(out_dir / "x.ann", "brat").folder  # brat always writes a folder
    for fmt in FORMATS:
        assert unavailable_reason(fmt) is None or fmt == "spacy"


def test_the_cli_lists_every_format() -> None:
    import click

    from annotator.cli.data_cmds import export

    option = next(p for p in export.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == tuple(FORMATS)
