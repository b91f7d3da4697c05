"""The ``model`` engine: trained on the demo team's finished documents, it suggests spans.

The demo marks three articles done by two annotators (demo-01, demo-02, demo-06); the setup
here also marks demo-08 done for the annotator who opened the demo (its pre-annotations are
complete), so that four documents are done: three to train on and one held back. Training is
tiny (a few steps per pipeline), so the model is poor; what is checked is what a user relies
on: a model is stored with what it says of itself, its suggestions are well formed, a cancel
leaves the earlier model in use, the retraining hint counts newly done documents, and without
spaCy the message says what to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy  # CI installs the spacy extra (.ci/run): without it these tests fail, never skip

from annotator.core.domain.suggesting.model_card import ModelCard
from annotator.core.services.demo import load_demo
from annotator.core.services.exporting.splits import SplitSpec, assign
from annotator.core.services.suggest_model import (
    MISSING,
    ModelEngine,
    ModelUnavailable,
    TrainingCancelled,
    default_model_dir,
    done_documents,
    needs_retraining,
    train_model,
)
from annotator.core.services.suggest_model.training import HELD, TRAIN
from annotator.core.services.workspace import Workspace

STEPS = 30  # per pipeline: enough for spans on a trained-on article, a few seconds
DONE = ["demo-01", "demo-02", "demo-06", "demo-08"]


def demo_workspace(folder: Path) -> Workspace:
    """The demo with demo-08 marked done too (four done documents)."""
    ws = Workspace(f"sqlite:///{folder / 'demo.sqlite3'}")
    load_demo(ws, annotator="alice")
    alice = ws.annotations("alice")
    document = ws.documents.by_key("demo-08")
    assert document is not None
    alice.set_status(document.id, "done")
    return ws


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = demo_workspace(tmp_path_factory.mktemp("demo"))
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def trained(demo: Workspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModelCard]:
    folder = tmp_path_factory.mktemp("model") / "demo-model"
    return folder, train_model(demo, out_dir=folder, max_steps=STEPS, seed=0)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_training_stores_the_model_and_what_it_says_of_itself(
    demo: Workspace, trained: tuple[Path, ModelCard]
) -> None:
    folder, card = trained
    stored = read_json(folder / "model.json")
    assert ModelCard.from_json(stored) == card == ModelEngine.model_info(folder)
    assert ModelEngine.available(folder)
    version = folder / card.folder
    assert (version / "spans" / "config.cfg").is_file()
    assert (version / "stance" / "config.cfg").is_file()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    # four done documents: three trained on, one held back whole (both its annotators' work)
    assert sorted(card.train_documents + card.held_out_documents) == DONE
    assert len(card.train_documents) == 3 and len(card.held_out_documents) == 1
    # held back by the document keys and the seed, as the export's split deals documents
    spec = SplitSpec(((TRAIN, 0.8), (HELD, 0.2)), seed=0)
    dealt = assign([(n, key, "") for n, key in enumerate(DONE)], spec)
    assert card.held_out_documents == tuple(DONE[n] for n, part in dealt.items() if part == HELD)
    assert sum(card.records.values()) == 7  # amira and tomas on three, alice on demo-08
    assert card.labels == ("STATEMENT", "SPEAKER", "TARGET", "WEAPON")
    assert card.steps == STEPS and card.spacy_version == spacy.__version__
    assert set(card.scores) == {*card.labels, "all"}
    for score in card.scores.values():
        assert 0 <= score.precision <= 1 and 0 <= score.recall <= 1 and 0 <= score.f1 <= 1
    held = card.scores["all"].reference
    assert held > 0  # the held-back document's spans, by each annotator who did it
    assert card.stance is not None and card.stance.attribute == "stance"
    assert card.stance.judged > 0 and card.stance.accuracy is not None
    assert 0 <= card.stance.accuracy <= 1
    assert "on 4 documents" in card.summary() and "1 held back" in card.summary()


def test_the_engine_suggests_schema_labels_with_confidences(
    demo: Workspace, trained: tuple[Path, ModelCard]
) -> None:
    folder, _card = trained
    schema = demo.active_schema()
    document = demo.documents.by_key("demo-02")
    assert document is not None
    text = demo.documents.text(document.id)
    engine = ModelEngine(folder)
    found = engine.suggest(text)
    assert found.spans, "a model trained on this article suggests something in it"
    labels = {label.name for label in schema.labels}
    keys = [s.key for s in found.spans]
    assert len(set(keys)) == len(keys)
    for span in found.spans:
        assert span.label in labels and span.engine == "model"
        assert 0 <= span.confidence <= 1
        assert 0 <= span.start < span.end <= len(text)
        stance = span.attributes.get("stance")
        assert stance is None or stance in ("supports", "opposes", "threatens", "denies", "neutral")
    by_key = {s.key: s for s in found.spans}
    for link in found.links:
        assert link.label == "said_by" and 0 <= link.confidence <= 1
        assert by_key[link.source].label == "STATEMENT"
        assert by_key[link.target].label == "SPEAKER"
    assert engine.suggest(text, cancelled=lambda: True).spans == ()


def test_a_cancelled_training_keeps_the_earlier_model_and_leaves_nothing(
    demo: Workspace, trained: tuple[Path, ModelCard], tmp_path: Path
) -> None:
    folder, card = trained
    before = (folder / "model.json").read_bytes()
    steps: list[int] = []

    def progress(done: int, total: int) -> None:
        steps.append(done)

    with pytest.raises(TrainingCancelled):
        train_model(
            demo,
            out_dir=folder,
            max_steps=STEPS,
            progress=progress,
            cancelled=lambda: len(steps) >= 3,
        )
    assert len(steps) == 3  # it was training when it stopped
    assert (folder / "model.json").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(["model.json", card.folder])
    assert ModelEngine(folder).suggest("The minister said drones were ready.") is not None
    # with no earlier model, a training cancelled at once (while exporting) leaves none
    fresh = tmp_path / "fresh"
    with pytest.raises(TrainingCancelled):
        train_model(demo, out_dir=fresh, max_steps=STEPS, cancelled=lambda: True)
    assert list(fresh.iterdir()) == []
    assert not ModelEngine.available(fresh) and ModelEngine.model_info(fresh) is None
    with pytest.raises(ModelUnavailable, match="no suggestion model"):
        ModelEngine(fresh).suggest("text")


def test_too_few_done_documents_are_refused_and_store_nothing(
    tmp_path: Path,
) -> None:
    with Workspace(f"sqlite:///{tmp_path / 'demo.sqlite3'}") as ws:
        load_demo(ws, annotator="alice", team=False)  # pre-annotations only: nothing done
        with pytest.raises(ModelUnavailable, match="too few documents marked done"):
            train_model(ws, out_dir=tmp_path / "model", max_steps=STEPS)
        ws.gold()  # a gold layer with nothing done in it
        with pytest.raises(ModelUnavailable, match="too few documents marked done"):
            train_model(ws, layer="gold", out_dir=tmp_path / "model", max_steps=STEPS)
    assert not (tmp_path / "model").exists()


def test_needs_retraining_counts_documents_done_since_training(
    trained: tuple[Path, ModelCard], tmp_path: Path
) -> None:
    folder, _card = trained
    with demo_workspace(tmp_path) as ws:  # the same done documents as the model's
        assert sorted(done_documents(ws)) == DONE
        assert not needs_retraining(ws, every=1, out_dir=folder)
        alice = ws.annotations("alice")
        for n, key in enumerate(["demo-03", "demo-04"], start=1):
            document = ws.documents.by_key(key)
            assert document is not None
            text = ws.documents.text(document.id)
            start = text.index("Korvath") if "Korvath" in text else 0
            alice.create_span(document.id, start, start + 4, "TARGET")
            assert not needs_retraining(ws, every=n, out_dir=folder)  # not done yet
            alice.set_status(document.id, "done")
            assert needs_retraining(ws, every=n, out_dir=folder)
            assert not needs_retraining(ws, every=n + 1, out_dir=folder)
        # without a model, every done document is new
        assert needs_retraining(ws, every=6, out_dir=tmp_path / "none")
        assert not needs_retraining(ws, every=7, out_dir=tmp_path / "none")


def test_each_database_has_its_own_model_folder_under_the_user_data_folder(
    tmp_path: Path,
) -> None:
    data = Path(os.environ["XDG_DATA_HOME"])
    with (
        Workspace(f"sqlite:///{tmp_path / 'a.sqlite3'}") as a,
        Workspace(f"sqlite:///{tmp_path / 'b' / 'a.sqlite3'}") as b,
    ):
        first, second = default_model_dir(a), default_model_dir(b)
    assert first != second
    assert first.parent == second.parent == data / "annotator" / "models"
    assert first.name.startswith("a-")


BLOCKED = """
import sys
sys.modules["spacy"] = None  # as if the spacy extra were not installed
from annotator.core.services.suggest_model import ModelEngine, ModelUnavailable, train_model
from annotator.core.services.workspace import Workspace

folder, db = sys.argv[1], sys.argv[2]
assert not ModelEngine.available(folder)
for attempt in (
    lambda: ModelEngine(folder).suggest("The minister said drones were ready."),
    lambda: train_model(Workspace(db), out_dir=folder),
):
    try:
        attempt()
    except ModelUnavailable as exc:
        print(exc)
    else:
        raise SystemExit("no error without spaCy")
"""

IMPORTS = """
import sys
import annotator.core.services.suggest_model
import annotator.core.domain.suggesting.speakers
import annotator.core.domain.suggesting.model_card
print("spacy" in sys.modules)
"""


def run_python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_without_spacy_the_engine_says_how_to_install_it(
    trained: tuple[Path, ModelCard], tmp_path: Path
) -> None:
    folder, _card = trained
    out = run_python(BLOCKED, str(folder), f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert out.splitlines() == [MISSING, MISSING]
    assert "install the spacy extra: pip install 'annotator[spacy]'" in MISSING
    assert run_python(IMPORTS).strip() == "False"  # importing the engine does not load spaCy


def test_a_statement_is_linked_to_the_nearest_speaker_of_its_own_sentence() -> None:
    from annotator.core.domain.suggesting.frames import SuggestedSpan
    from annotator.core.domain.suggesting.nearest_speaker import link_speakers

    text = "Demir spoke first. “We will respond,” he said, Kaya nodding. Aksoy left."

    def span(key: str, word: str, label: str, confidence: float = 0.9) -> SuggestedSpan:
        start = text.index(word)
        return SuggestedSpan(key, start, start + len(word), label, confidence, "model")

    spans = [
        span("s0", "Demir", "SPEAKER"),  # the sentence before
        span("q", "We will respond", "STATEMENT", 0.8),
        span("s1", "he", "SPEAKER", 0.6),  # nearest, after the statement
        span("s2", "Kaya", "SPEAKER"),
        span("s3", "Aksoy", "SPEAKER"),  # the sentence after
        span("lone", "Aksoy left", "STATEMENT"),  # its only speaker is inside it
    ]
    links = link_speakers(text, spans, "STATEMENT", "SPEAKER", "said_by", "model")
    assert [(link.source, link.target, link.label) for link in links] == [("q", "s1", "said_by")]
    assert links[0].confidence == 0.6  # the lower of the two spans'
