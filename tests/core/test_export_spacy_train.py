"""A split spaCy export is ready to train: ``spacy train`` runs on its configs as they are.

The demo corpus (its annotated articles are in progress), split in two, exported as spaCy:
``config.cfg`` trains span_finder + spancat on the articles, ``config.stance.cfg`` a textcat on
one Doc per statement. Both validate, both train (three steps) from the export folder with the
paths the README gives, and the trained pipelines carry the schema's labels.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.dataset import ExportOptions, ExportResult, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.exporting.targets import TargetRefused
from annotator.core.services.workspace import Workspace

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

SPLIT = SplitSpec.parse("train=0.5,dev=0.5")
IN_PROGRESS = ExportFilter(statuses=("in_progress",))
SPAN_LABELS = ["STATEMENT", "SPEAKER", "TARGET", "WEAPON"]
STANCES = ["supports", "opposes", "threatens", "denies", "neutral"]
TRAINING = [
    "config.cfg",
    "config.stance.cfg",
    "dev.spacy",
    "dev.stance.spacy",
    "train.spacy",
    "train.stance.spacy",
]


def export(ws: Workspace, out: Path, **options: Any) -> ExportResult:
    options.setdefault("filter", IN_PROGRESS)
    return export_dataset(ws.db, ws.active_schema(), out, "spacy", ExportOptions(**options))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("demo")
    ws = Workspace(f"sqlite:///{folder / 'demo.sqlite3'}")
    load_demo(ws, annotator="alice")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def exported(demo: Workspace, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    return export(demo, tmp_path_factory.mktemp("exports") / "demo", split=SPLIT)


def read(path: Path) -> list[Any]:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def spacy_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "spacy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_configs_and_statement_files_are_in_the_export_and_its_manifest(
    exported: ExportResult,
) -> None:
    out = exported.target
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*TRAINING, "README.md", "manifest.json"]
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = sorted(entry["path"] for entry in manifest["files"].values())
    assert listed == TRAINING
    assert manifest["contents"]["entries"] == len(TRAINING) + 1  # and the dataset card
    training = manifest["training"]
    assert training["spans"]["labels"] == SPAN_LABELS
    assert training["stance"]["labels"] == STANCES
    assert training["stance"]["documents"] == {
        part: len(read(out / f"{part}.stance.spacy")) for part in ("train", "dev")
    }
    assert exported.records == 4  # the articles: a record is still a document and annotator
    assert [line.split()[:4] for line in exported.training] == [
        ["train:", "python", "-m", "spacy"]
    ] * 2


def test_each_statement_is_a_doc_of_its_own_words_with_its_stance_in_cats(
    exported: ExportResult,
) -> None:
    out = exported.target
    for part in ("train", "dev"):
        articles = {d.user_data["document_id"]: d for d in read(out / f"{part}.spacy")}
        statements = read(out / f"{part}.stance.spacy")
        expected = sum(
            1 for d in articles.values() for s in d.spans["sc"] if s.label_ == "STATEMENT"
        )
        assert len(statements) == expected > 0
        for doc in statements:
            data = doc.user_data
            article = articles[data["document_id"]]
            assert doc.text == article.text[data["start"] : data["end"]]
            stance = data["attributes"]["stance"]
            assert doc.cats == {value: float(value == stance) for value in STANCES}
            assert doc[0].is_sent_start
            held = {s.id_: s for s in article.spans["sc"]}
            assert held[data["span"]].text == doc.text


def test_the_suggester_reaches_the_longest_span(exported: ExportResult) -> None:
    out = exported.target
    longest = max(len(s) for part in ("train", "dev") for d in read(out / f"{part}.spacy")
                  for s in d.spans["sc"])  # fmt: skip
    config = spacy.util.load_config(out / "config.cfg")
    assert config["components"]["span_finder"]["max_length"] == longest
    assert config["components"]["spancat"]["suggester"]["spans_key"] == "sc"
    assert config["components"]["spancat"]["spans_key"] == "sc"
    assert config["nlp"]["lang"] == "en"


def test_spacy_validates_and_trains_both_configs_as_they_are(
    exported: ExportResult, tmp_path: Path
) -> None:
    out = exported.target
    short = ["--training.max_steps", "3", "--training.eval_frequency", "2"]
    for config, data, model in (
        ("config.cfg", "{}.spacy", tmp_path / "spans"),
        ("config.stance.cfg", "{}.stance.spacy", tmp_path / "stance"),
    ):
        paths = ["--paths.train", data.format("train"), "--paths.dev", data.format("dev")]
        spacy_cli("debug", "config", config, *paths, cwd=out)
        spacy_cli("train", config, *paths, "--output", str(model), *short, cwd=out)
        assert (model / "model-last").is_dir()
    spans = spacy.load(tmp_path / "spans" / "model-last")
    assert spans.pipe_names == ["span_finder", "spancat"]
    assert list(spans.get_pipe("spancat").labels) == SPAN_LABELS
    stance = spacy.load(tmp_path / "stance" / "model-last")
    assert stance.pipe_names == ["textcat"]
    assert list(stance.get_pipe("textcat").labels) == STANCES
    assert set(stance("We will strike back at any aggressor.").cats) == set(STANCES)
    doc = spans("The minister said drones were ready.")
    assert all(span.label_ in SPAN_LABELS for span in doc.spans["sc"])


def test_an_export_without_a_split_writes_no_training_files(
    demo: Workspace, tmp_path: Path
) -> None:
    single = export(demo, tmp_path / "one.spacy")
    assert single.training == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.spacy", "one.spacy.manifest.json"]
    folder = export(demo, tmp_path / "folder")
    assert sorted(p.name for p in folder.target.iterdir()) == [
        "README.md",
        "all.spacy",
        "manifest.json",
    ]


def test_a_later_export_replaces_the_training_files_it_wrote(
    demo: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "again"
    export(demo, out, split=SPLIT)
    (out / "config.cfg").write_text("edited", encoding="utf-8")  # same name, other size
    with pytest.raises(TargetRefused, match=r"differs from what its manifest\.json recorded"):
        export(demo, out, split=SPLIT)
    first = export(demo, tmp_path / "clean", split=SPLIT)
    second = export(demo, first.target, split=SPLIT)
    assert sorted(p.name for p in second.target.iterdir()) == sorted(
        [*TRAINING, "README.md", "manifest.json"]
    )


def test_a_cancelled_export_leaves_no_file_and_no_compressing_thread(
    demo: Workspace, tmp_path: Path
) -> None:
    import threading

    from annotator.core.domain.errors import ExportCancelled

    with pytest.raises(ExportCancelled):
        export_dataset(
            demo.db,
            demo.active_schema(),
            tmp_path / "cancelled",
            "spacy",
            ExportOptions(filter=IN_PROGRESS, split=SPLIT),
            progress=lambda done, _total: done < 2,
        )
    assert list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("annotator-deflate")]
