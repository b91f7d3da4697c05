"""``annotator suggest`` end to end on the demo corpus: computing, repeating, one document,
evaluating against the demo team's done work, and the mistakes a user can make."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.core.domain.suggesting.patterns import PatternEngine
from annotator.core.services.bundled import default_schema
from annotator.core.services.workspace import Workspace
from tests.core.test_cli import demo_counts, run


@pytest.fixture
def demo(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = run(capsys, "--db", db_url, "demo", "--annotator", "me")
    assert code == 0, err
    return db_url


def expected_pattern_spans(db_url: str) -> int:
    """What the pattern engine finds in the demo's texts, counted without the database."""
    engine = PatternEngine.from_schema(default_schema())
    with Workspace(db_url) as ws:
        return sum(len(engine.suggest(ws.documents.text(i)).spans) for i in ws.documents.ids(None))


def test_suggest_stores_and_counts_per_engine_and_repeats_the_same(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = demo_counts()[0]
    found = expected_pattern_spans(demo)
    assert found > 50
    for _ in range(2):  # a second run replaces the open suggestions: the same counts
        code, out, err = run(capsys, "suggest", "--engine", "patterns", "--db", demo)
        assert code == 0, err
        assert out.splitlines() == [
            f"suggested on {docs} documents:",
            f"  patterns: {found} spans, 0 links",
        ]
    with Workspace(demo) as ws:
        layer = ws.annotations("suggestions")
        assert sum(len(layer.spans(i)) for i in ws.documents.ids(None)) == found
        assert "(s)" not in out


def test_suggest_one_document(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", demo, "suggest", "--document", "demo-01")
    assert code == 0, err
    assert out.startswith("suggested on 1 document:\n  patterns: ")
    with Workspace(demo) as ws:
        layer = ws.annotations("suggestions")
        with_suggestions = [i for i in ws.documents.ids(None) if layer.spans(i)]
        doc = ws.documents.by_key("demo-01")
        assert doc is not None and with_suggestions == [doc.id]


def test_evaluate_prints_figures_for_patterns_against_a_layer(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", demo, "suggest")[0] == 0
    code, out, err = run(capsys, "--db", demo, "suggest", "--evaluate", "--against", "amira")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("against amira: 3 documents marked done;")
    row = next(line for line in lines if line.startswith("patterns   WEAPON"))
    precision, recall, f1, counts = row.split()[2:]
    found, suggested, reference = map(int, counts.split("/"))
    assert 0 < found <= min(suggested, reference)
    p, r = found / suggested, found / reference
    assert (float(precision), float(recall)) == (round(p, 2), round(r, 2))
    assert float(f1) == round(2 * p * r / (p + r), 2)
    # The same figures as JSON, for a script.
    code, out, _ = run(
        capsys, "--db", demo, "suggest", "--evaluate", "--against", "amira", "--json"
    )
    scores = json.loads(out)
    weapon = scores["engines"]["patterns"]["labels"]["WEAPON"]
    assert (weapon["found"], weapon["suggested"], weapon["reference"]) == (
        found,
        suggested,
        reference,
    )
    assert scores["documents"] == 3 and scores["min_overlap"] == 0.5


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--evaluate"], 2, "--evaluate needs --against LAYER"),
        (["--against", "amira"], 2, "--against and --json go with --evaluate"),
        (["--document", "nope"], 2, "no document 'nope' in this database"),
        (["--engine", "regexes"], 2, "'regexes' is not one of 'patterns', 'quotes'"),
        (["--evaluate", "--against", "amira"], 1, "error: no suggestions in this database yet"),
    ],
)
def test_mistakes_are_named(
    demo: str, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    got, _, err = run(capsys, "--db", demo, "suggest", *args)
    assert got == code
    assert message in err and "Traceback" not in err
    with Workspace(demo) as ws:
        assert not any(ws.annotations("suggestions").spans(i) for i in ws.documents.ids(None))


def test_against_a_missing_layer(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", demo, "suggest")[0] == 0
    code, _, err = run(capsys, "--db", demo, "suggest", "--evaluate", "--against", "nobody")
    assert code == 1
    assert re.search(r"error: no annotator or layer called 'nobody'", err)


def test_a_schema_without_patterns_is_pointed_out(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        'name: plain\nversion: "1"\nlabels:\n  - name: WEAPON\n    color: "#5cb85c"\n',
        encoding="utf-8",
    )
    assert run(capsys, "--db", sqlite_url, "schema", "use", str(plain))[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "suggest", "--engine", "patterns")
    assert code == 0
    assert out == "suggested on 0 documents:\n  patterns: 0 spans, 0 links\n"
    assert "note: the active schema has no patterns" in err


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_train_then_the_model_is_one_more_engine(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", demo, "suggest", "--engine", "model")
    assert code == 1 and "annotator suggest --train" in err  # nothing trained yet
    code, out, err = run(capsys, "--db", demo, "suggest", "--train", "--steps", "2")
    assert code == 0, err
    trained = re.search(r"on (\d+) documents \((\d+) learnt from, (\d+) held back\)", out)
    assert trained is not None, out
    with Workspace(demo) as ws:
        people = [a.name for a in ws.annotators.people()]
        done_by_anyone = {
            doc
            for doc in ws.documents.ids(None)
            for name in people
            if ws.annotations(name).status(doc) == "done"
        }
    assert int(trained[1]) == len(done_by_anyone) > 1 and int(trained[3]) >= 1
    code, out, err = run(capsys, "--db", demo, "suggest")  # every engine, the model's too
    assert code == 0, err
    assert re.search(r"^  model: \d+ spans?", out, re.M), out
    code, _, err = run(capsys, "--db", demo, "suggest", "--train", "--evaluate")
    assert code == 2 and "--train goes alone" in err
