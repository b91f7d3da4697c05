"""The suggestions layer is a layer like gold: exported in every format when asked for by name,
and never counted as anyone's work (default training exports, stats, agreement)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.services.exporting.dataset import FORMATS
from annotator.core.services.workspace import Workspace
from tests.core.suggest.suggestion_helpers import NATO, workspace_with_quotes


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


@pytest.fixture
def url(sqlite_url: str) -> str:
    """Suggestions computed on the article; alice accepted its statement's frame (3 spans),
    bob marked the target alone; both are done."""
    ws, doc = workspace_with_quotes(sqlite_url)
    with ws:
        service = ws.suggestions()
        service.compute(engines=["patterns"])  # the frame comes from QUOTED
        service.accept_frame("alice", service.open_frames(doc, "alice")[0].head.id)
        ws.annotations("bob").create_span(doc, *NATO, "TARGET")
        for who in ("alice", "bob"):
            ws.annotations(who).set_status(doc, "done", force=True)
    return sqlite_url


def manifest_of(out: Path) -> dict[str, object]:
    beside = out.with_name(out.name + ".manifest.json")
    path = beside if beside.exists() else out / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_layer_suggestions_works_in_every_format(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / f"suggestions-{fmt}"
    code, _, err = run(
        capsys, "--db", url, "export", str(out), "--format", fmt, "--layer", "suggestions"
    )
    assert code == 0, err
    manifest = manifest_of(out)
    assert manifest["layers"] == [{"name": "suggestions", "kind": "suggestions"}]
    totals = manifest["totals"]
    assert isinstance(totals, dict)
    if fmt == "statements":  # one record per statement, with its weapon and target
        assert totals["records"] == 1
    else:
        assert totals["spans"] == 4  # the statement, two weapons, the target


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "native"])
def test_a_default_training_export_has_peoples_work_only(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / f"train-{fmt}"
    code, _, err = run(capsys, "--db", url, "export", str(out), "--format", fmt)
    assert code == 0, err
    manifest = manifest_of(out)
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert {layer["kind"] for layer in layers} == {"person"}
    totals = manifest["totals"]
    assert isinstance(totals, dict)
    if fmt == "statements":
        assert totals["records"] == 1  # alice's
    else:
        assert totals["spans"] == 4  # alice's three, bob's one


def test_the_native_backup_keeps_the_layer_as_it_keeps_gold(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "backup.jsonl"
    assert run(capsys, "--db", url, "export", str(out))[0] == 0
    kinds = {layer["kind"] for layer in manifest_of(out)["layers"]}  # type: ignore[attr-defined]
    assert kinds == {"person", "suggestions"}


def test_stats_and_agreement_leave_the_suggestions_out(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said, _ = run(capsys, "--db", url, "stats")
    assert code == 0
    assert "alice: assigned 0, new 0, in progress 0, done 1, skipped 0" in said
    assert "suggestions" not in said
    with Workspace(url) as ws:
        report = ws.agreement()
    assert report["selection"]["annotators"] == ["alice", "bob"]
    assert "suggestions" not in json.dumps(report.get("pairs", report))


def test_a_schema_review_lists_no_suggestion(url: str) -> None:
    """Suggested statements lack the stance nobody has chosen yet; a review after a schema
    change lists people's work only."""
    with Workspace(url) as ws:
        schema = ws.active_schema()
        doc = ws.documents.ids(None)[0]
        lacking = [
            s
            for s in ws.annotations("suggestions").spans(doc)
            if s.label == "STATEMENT" and "stance" not in s.attributes
        ]
        assert lacking, "the suggested statement has no stance"
        rows = ws.schema_changes.review(schema, statuses=())
        assert rows, "alice's accepted statement lacks its stance too"
        assert {row.annotator for row in rows} == {"alice"}
