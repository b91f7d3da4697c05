"""``annotator stats --csv FOLDER``: the dashboard's tables as files a spreadsheet opens, with
figures a team lead can count again from each layer's spans and statuses."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.services.workspace import Workspace
from tests.core.test_cli import run


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_stats_writes_one_csv_per_table_and_never_replaces_one_unasked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "team.sqlite3")
    assert run(capsys, "demo", "--db", db, "--annotator", "lead")[0] == 0
    out = tmp_path / "figures"
    code, text, _ = run(capsys, "stats", "--db", db, "--csv", str(out), "--agreement")
    assert code == 0, text
    names = {p.name for p in out.iterdir()}
    assert names == {f"{n}.csv" for n in ("progress", "labels", "values", "speakers", "agreement")}

    with Workspace(db, create=False) as ws:
        people = [a for a in ws.annotators.people()]
        spans: Counter[tuple[str, str]] = Counter()
        done: Counter[str] = Counter()
        for person in people:
            layer = ws.annotations(person.name)
            for doc in ws.documents.ids(person.id):
                spans.update((person.name, s.label) for s in layer.spans(doc))
                done[person.name] += layer.status(doc) == "done"
    labels = {(r["layer"], r["label"]): int(r["spans"]) for r in read(out / "labels.csv")}
    assert labels == {k: n for k, n in spans.items() if n}
    progress = read(out / "progress.csv")
    last = {r["annotator"]: int(r["cumulative"]) for r in progress}  # rows in day order
    assert last == {name: n for name, n in done.items() if n}
    assert sum(int(r["done"]) for r in progress) == sum(done.values())
    agreement = read(out / "agreement.csv")
    assert {r["label"] for r in agreement} >= {"STATEMENT", "SPEAKER", "*"}

    before = (out / "labels.csv").read_bytes()
    code, _, err = run(capsys, "stats", "--db", db, "--csv", str(out))
    assert code == 2 and "already exist" in err and "--force" in err
    assert (out / "labels.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no scratch left
    assert run(capsys, "stats", "--db", db, "--csv", str(out), "--force")[0] == 0


def test_stats_refuses_a_layer_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "team.sqlite3")
    run(capsys, "demo", "--db", db)
    code, _, err = run(capsys, "stats", "--db", db, "--csv", str(tmp_path / "x"), "--layer", "zed")
    assert code == 1 and "zed" in err
