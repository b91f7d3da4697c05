"""The dataset card (README.md) of a folder export, with the real ``datasets`` and
``huggingface_hub``: ``load_dataset(FOLDER)`` finds every split and types it from the card, the
card says what the manifest says, and a README.md the export did not write is never replaced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from annotator.core.domain.errors import ExportError
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.workspace import Workspace
from tests.core.test_export_features import (
    TYPED_FORMATS,
    export,
    set_one_stance_toward,
    split_files,
)
from tests.core.test_export_native_statements import populate

datasets = pytest.importorskip("datasets")
hub = pytest.importorskip("huggingface_hub")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo after two annotators' work, split, in the JSONL formats, doccano and conll."""
    work = tmp_path_factory.mktemp("card")
    with Workspace(f"sqlite:///{work / 'team.sqlite3'}") as ws:
        populate(ws)
        set_one_stance_toward(ws)  # a column null throughout some splits
        for fmt in (*TYPED_FORMATS, "doccano", "conll"):
            export(ws, work / fmt, fmt)
    return {fmt: work / fmt for fmt in (*TYPED_FORMATS, "doccano", "conll")}


def manifest_of(out: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def front_matter(card: Path) -> dict[str, Any]:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    found: dict[str, Any] = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    return found


@pytest.mark.parametrize("fmt", TYPED_FORMATS)
def test_load_dataset_of_the_folder_finds_every_split_typed_by_the_card(
    exported: dict[str, Path], tmp_path: Path, fmt: str
) -> None:
    out = exported[fmt]
    manifest = manifest_of(out)
    features = datasets.Features.from_dict(manifest["features"])
    card_features = front_matter(out / "README.md")["dataset_info"]["features"]
    assert datasets.Features._from_yaml_list(card_features) == features
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf"))  # no "json"
    assert set(loaded) == {"train", "dev", "test"}
    for part, ds in loaded.items():
        assert ds.features == features  # the null-only columns too: the card's types
        assert len(ds) == manifest["splits"][part]["records"]
    # Without the card, datasets guesses each split's types from its own file: they differ.
    guessed = [
        datasets.load_dataset(
            "json", data_files=path, split="train", cache_dir=str(tmp_path / "hf-bare")
        ).features
        for path in split_files(out, manifest).values()
    ]
    assert any(found != features for found in guessed)


def test_the_card_round_trips_through_huggingface_hub(exported: dict[str, Path]) -> None:
    out = exported["native"]
    text = (out / "README.md").read_text(encoding="utf-8")
    card = hub.DatasetCard.load(out / "README.md")
    assert card.data.pretty_name == "defence_statements 1.0 (Native JSONL)"
    assert card.data.language == ["en"]
    assert card.data.task_categories == ["token-classification"]
    assert card.data.size_categories == ["n<1K"]
    assert [c["config_name"] for c in card.data.configs] == ["default"]
    again = hub.DatasetCard(str(card))
    assert again.data.to_dict() == card.data.to_dict()
    assert again.text == card.text and card.text.strip() in text


def test_the_card_says_what_the_manifest_holds(exported: dict[str, Path]) -> None:
    out = exported["doccano"]
    manifest = manifest_of(out)
    text = (out / "README.md").read_text(encoding="utf-8")
    schema = manifest["schema"]
    assert f"`{schema['name']}` version {schema['version']}" in text
    for label in ("STATEMENT", "SPEAKER", "TARGET", "WEAPON"):
        assert f"| {label} |" in text
    assert "stance (choice: supports, opposes, threatens, denies, neutral)" in text
    for part, counts in manifest["splits"].items():
        row = (
            f"| {part} | `{part}.jsonl` | {counts['documents']} | {counts['records']} | "
            f"{counts['spans']} | {counts['relations']} |"
        )
        assert row in text
    assert "stored in the database and kept by every later export" in text
    overlaps = manifest["problems"]["doccano_overlap"]["count"]
    assert f"**doccano overlap**: {overlaps} (" in text
    assert manifest["features_not_given"] in text
    assert "layers read: alice (person), bob (person)" in text
    # doccano's triples have no types: no configs that datasets would fail to load
    assert "configs" not in front_matter(out / "README.md")
    assert manifest["card"]["sha256"] and manifest["contents"]["entries"] == 4  # 3 + README


def test_a_conll_folder_gets_a_card_without_datasets_configs(exported: dict[str, Path]) -> None:
    meta = front_matter(exported["conll"] / "README.md")
    assert meta["pretty_name"] == "defence_statements 1.0 (CoNLL (BIO/BILOU))"
    assert "configs" not in meta and "dataset_info" not in meta


def test_an_unsplit_folder_export_is_one_train_split(tmp_path: Path) -> None:
    with Workspace(f"sqlite:///{tmp_path / 'one.sqlite3'}") as ws:
        populate(ws)
        ws.export(tmp_path / "whole", "statements", ExportOptions(filter=ExportFilter()))
    manifest = manifest_of(tmp_path / "whole")
    loaded = datasets.load_dataset(str(tmp_path / "whole"), cache_dir=str(tmp_path / "hf"))
    assert list(loaded) == ["train"]
    assert len(loaded["train"]) == manifest["splits"]["all"]["records"]


def test_a_file_export_writes_no_card(tmp_path: Path) -> None:
    with Workspace(f"sqlite:///{tmp_path / 'file.sqlite3'}") as ws:
        populate(ws)
        ws.export(tmp_path / "ner.jsonl", "native")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".sqlite3") == [
        "ner.jsonl",
        "ner.jsonl.manifest.json",
    ]
    assert "card" not in json.loads((tmp_path / "ner.jsonl.manifest.json").read_text())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_users_readme_is_refused_and_left_alone(tmp_path: Path) -> None:
    split = ExportOptions(split=SplitSpec.parse("train=0.5,test=0.5"))
    with Workspace(f"sqlite:///{tmp_path / 'team.sqlite3'}") as ws:
        populate(ws)
        # The user's own folder with their README: nothing is written into it.
        own = tmp_path / "own"
        own.mkdir()
        (own / "README.md").write_text("# Our notes\n", encoding="utf-8")
        with pytest.raises(ExportError) as refused:
            ws.export(own, "statements", split)
        assert f"{own / 'README.md'} was not written by an export" in str(refused.value)
        assert snapshot(own) == {"README.md": b"# Our notes\n"}


def test_an_edited_card_is_refused_and_left_alone(tmp_path: Path) -> None:
    split = ExportOptions(split=SplitSpec.parse("train=0.5,test=0.5"))
    with Workspace(f"sqlite:///{tmp_path / 'team.sqlite3'}") as ws:
        populate(ws)
        # An earlier export: its own card is replaced by the next export.
        out = tmp_path / "out"
        ws.export(out, "statements", split)
        first = (out / "README.md").read_text(encoding="utf-8")
        ws.export(out, "statements", split)
        assert (out / "README.md").read_text(encoding="utf-8") != first  # a new export id

        # The team lead edits the card, keeping its size (which is all the folder's contents
        # digest sees): the next export refuses, and changes nothing.
        card = (out / "README.md").read_text(encoding="utf-8")
        edited = card.replace("Records:", "RECORDS:", 1)
        assert len(edited) == len(card) and edited != card
        (out / "README.md").write_text(edited, encoding="utf-8")
        before = snapshot(out)
        with pytest.raises(ExportError) as refused:
            ws.export(out, "statements", split)
        assert "README.md was edited after the export wrote it" in str(refused.value)
        assert snapshot(out) == before

        # As the refusal advises, the card is moved out: the rest is still the export's own,
        # and the next export replaces it (with a card of its own); anything added is not.
        (out / "README.md").rename(tmp_path / "kept-card.md")
        ws.export(out, "statements", split)
        assert (out / "README.md").read_text(encoding="utf-8").startswith("---")
        (out / "README.md").unlink()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(ExportError) as refused:
            ws.export(out, "statements", split)
        assert "differs from what its manifest.json recorded" in str(refused.value)
        assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_split_name_datasets_refuses_is_given_in_word_characters(tmp_path: Path) -> None:
    """``held-out`` is a fine split name here, not in datasets: the card calls it held_out.
    Of the documents marked done none is dealt to it: an empty split, which datasets refuses
    to load, is left out of the card's configs."""
    spec = SplitSpec.parse("train=0.5,held-out=0.5")
    with Workspace(f"sqlite:///{tmp_path / 'names.sqlite3'}") as ws:
        populate(ws)
        ws.export(tmp_path / "done", "statements", ExportOptions(split=spec))
        ws.export(tmp_path / "any", "statements", ExportOptions(ExportFilter(), split=spec))
    done = manifest_of(tmp_path / "done")
    assert done["splits"]["held-out"]["records"] == 0
    loaded = datasets.load_dataset(str(tmp_path / "done"), cache_dir=str(tmp_path / "hf"))
    assert {p: len(ds) for p, ds in loaded.items()} == {"train": done["splits"]["train"]["records"]}
    card = (tmp_path / "done" / "README.md").read_text(encoding="utf-8")
    assert "left out of this card's `configs` (datasets refuses a split with no data): " in card
    assert "| held-out (`held_out` in datasets) | `held-out.jsonl` | 0 | 0 |" in card
    every = manifest_of(tmp_path / "any")
    loaded = datasets.load_dataset(str(tmp_path / "any"), cache_dir=str(tmp_path / "hf"))
    assert {p: len(ds) for p, ds in loaded.items()} == {
        "train": every["splits"]["train"]["records"],
        "held_out": every["splits"]["held-out"]["records"],
    }
    assert every["splits"]["held-out"]["records"] > 0


def test_the_cards_loading_examples_run_as_written_with_an_empty_and_a_hyphenated_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each python block of the card's Loading section, run in the folder as a reader would:
    the empty split is left out and ``held-out`` is given as ``datasets`` names it."""
    spec = SplitSpec.parse("train=0.5,held-out=0.5")
    with Workspace(f"sqlite:///{tmp_path / 'names.sqlite3'}") as ws:
        populate(ws)
        ws.export(tmp_path / "done", "statements", ExportOptions(split=spec))  # held-out empty
        ws.export(tmp_path / "any", "statements", ExportOptions(ExportFilter(), split=spec))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf"))
    for name in ("done", "any"):
        folder = tmp_path / name
        splits = manifest_of(folder)["splits"]
        expected = {
            part.replace("-", "_"): counts["records"]
            for part, counts in splits.items()
            if counts["records"]
        }
        loading = (folder / "README.md").read_text(encoding="utf-8").split("## Loading", 1)[1]
        blocks = [b.split("```", 1)[0] for b in loading.split("```python\n")[1:]]
        assert len(blocks) == 2
        monkeypatch.chdir(folder)
        for code in blocks:
            code = code.replace('"path/to/this/folder"', repr(str(folder)))
            scope: dict[str, Any] = {}
            exec(compile(code, f"{name}/README.md", "exec"), scope)  # our own card's example
            assert {p: len(ds) for p, ds in scope["ds"].items()} == expected, (name, code)
