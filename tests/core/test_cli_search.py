"""``annotator search`` end to end on the demo database: what it prints, as text and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.core.services.bundled import demo_corpus
from tests.core.test_cli import run


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "demo.sqlite3")
    assert run(capsys, "demo", "--annotator", "alice", "--db", db)[0] == 0
    return db


def demo_texts() -> dict[str, str]:
    lines = demo_corpus().read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    return {r["id"]: r["text"] for r in records}


def test_text_hits_are_every_occurrence_with_its_place(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = demo_texts()
    expected = sum(len(re.findall("missile", t, re.IGNORECASE)) for t in texts.values())
    assert expected > 5
    code, out, err = run(capsys, "search", "MISSILE", "--limit", "0", "--db", demo)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == expected
    assert err == f"{expected} hits shown\n"
    key, start, end = re.match(r"(\S+):(\d+)-(\d+)  ", lines[0]).groups()  # type: ignore[union-attr]
    assert texts[key][int(start) : int(end)].lower() == "missile"
    code, out, err = run(capsys, "search", "missile", "--limit", "2", "--db", demo)
    assert len(out.splitlines()) == 2
    assert err == "2 hits shown; more after these (--offset 2, or --limit 0 for all)\n"
    code, rest, _ = run(capsys, "search", "missile", "--offset", "2", "--limit", "0", "--db", demo)
    assert out.splitlines() + rest.splitlines() == lines


def test_annotations_by_value_and_annotator_as_json(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "search", "--attr", "stance=threatens", "--annotator", "alice", "--json",
        "--limit", "0", "--db", demo,
    )  # fmt: skip
    assert code == 0, err
    found = [json.loads(line) for line in out.splitlines()]
    assert found
    texts = demo_texts()
    for hit in found:
        assert (hit["label"], hit["annotator"]) == ("STATEMENT", "alice")
        assert hit["attributes"]["stance"] == "threatens"
        quoted = texts[hit["document"]][hit["start"] : hit["end"]]
        assert quoted[:20].replace("\n", " ") in hit["snippet"]
    code, out, _ = run(capsys, "search", "--layer", "amira", "--label", "SPEAKER", "--db", demo)
    assert code == 0 and out and all("  SPEAKER (amira)  " in line for line in out.splitlines())


def test_mistakes_are_told_in_one_line(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "rocket(", "--regex", "--db", demo)
    assert code == 2 and "'rocket(' is not a valid regular expression" in err
    code, _, err = run(capsys, "search", "--attr", "stance", "--db", demo)
    assert code == 2 and "'stance' is not NAME=VALUE" in err
    code, _, err = run(capsys, "search", "x", "--annotator", "nobody", "--db", demo)
    assert (code, err) == (1, "error: no annotator or layer called nobody in this database\n")
    code, _, err = run(capsys, "search", "--db", demo)
    assert code == 2 and "nothing to search for" in err
    code, out, err = run(capsys, "search", "zzzz-not-there", "--db", demo)
    assert (code, out, err) == (0, "", "0 hits shown\n")


def denials_by_one_speaker(db: str) -> tuple[str, list[tuple[str, int, int]]]:
    """A speaker's name and every person's statements with stance denies said by them, as
    (document key, start, end), sorted: read span by span through the service, independently
    of the search. The name is the last word of the first such statement's speaker, and it
    leaves out some denials, so a query for it must tell speakers apart."""
    from annotator.core.services.workspace import Workspace

    denials: list[tuple[str, int, int, str]] = []
    with Workspace(db) as ws:
        for person in ws.annotators.all(people_only=True):
            layer = ws.annotations(person.name)
            for doc_id in ws.documents.ids(None):
                text = ws.documents.text(doc_id)
                key = ws.documents.get(doc_id).key
                spans = {s.id: s for s in layer.spans(doc_id)}
                for rel in layer.relations(doc_id):
                    said, who = spans[rel.source_id], spans[rel.target_id]
                    if rel.label == "said_by" and said.attributes.get("stance") == "denies":
                        denials.append((key, said.start, said.end, text[who.start : who.end]))
    assert len({speaker for *_, speaker in denials}) > 1  # a query must tell them apart
    name = denials[0][3].split()[-1]
    expected = sorted(
        (key, start, end) for key, start, end, speaker in denials
        if name.casefold() in speaker.casefold()
    )  # fmt: skip
    assert 0 < len(expected) < len(denials)
    return name, expected


def test_one_query_line_finds_statements_by_value_and_speaker(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13's example: label:STATEMENT stance:denies speaker:NAME, as JSON lines."""
    name, expected = denials_by_one_speaker(demo)
    code, out, err = run(
        capsys, "search", f"label:STATEMENT stance:denies speaker:{name.lower()}", "--json",
        "--limit", "0", "--db", demo,
    )  # fmt: skip
    assert code == 0, err
    hits = [json.loads(line) for line in out.splitlines()]
    assert sorted((h["document"], h["start"], h["end"]) for h in hits) == expected
    assert all(h["label"] == "STATEMENT" and h["attributes"]["stance"] == "denies" for h in hits)


def test_a_misspelt_filter_is_searched_as_text_and_said(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "stanse:denies", "--db", demo)
    assert code == 0 and out == ""
    assert "note: 'stanse' is not a label, value or link of schema" in err
    assert err.endswith("0 hits shown\n")
