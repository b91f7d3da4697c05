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
