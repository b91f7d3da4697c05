"""Dataset versions a team can trust: a document dealt to a split stays there, in every format."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from annotator.cli.main import main
from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.exporting.splits import SplitSpec
from annotator.core.services.workspace import Workspace
from annotator.core.storage.migrations import HEAD, alembic_config
from annotator.core.storage.models import SplitAssignment
from tests.core.test_export_splits import make_corpus, split_of

FORMATS = ("native", "statements", "doccano", "prodigy", "conll")
DONE = ExportFilter(statuses=("done",))
KEYS = [f"article-{n:03d}" for n in range(30)]


def export(
    ws: Workspace, out: Path, fmt: str, spec: SplitSpec, *, redeal: bool = False
) -> dict[str, Any]:
    """Export and return the manifest."""
    options = ExportOptions(filter=DONE, split=spec, redeal=redeal)
    export_dataset(ws.db, ws.active_schema(), out, fmt, options)
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_documents_keep_their_split_in_the_next_version_in_every_format(
    workspace: Workspace, tmp_path: Path
) -> None:
    spec = SplitSpec.parse("train=0.6,dev=0.2,test=0.2", seed=13, stratify="stance")
    make_corpus(workspace, KEYS)
    v1: dict[str, dict[str, str]] = {}
    for fmt in FORMATS:
        export(workspace, tmp_path / f"v1-{fmt}", fmt, spec)
        v1[fmt] = split_of(tmp_path / f"v1-{fmt}")
    first = v1["native"]
    assert set(first) == set(KEYS)
    assert all(found == first for found in v1.values()), "formats disagree in one version"
    assert Counter(first.values()) == {"train": 18, "dev": 6, "test": 6}

    make_corpus(workspace, ["article-new"])  # one more finished document
    new_part: set[str] = set()
    for n, fmt in enumerate(FORMATS):
        manifest = export(workspace, tmp_path / f"v2-{fmt}", fmt, spec)
        v2 = split_of(tmp_path / f"v2-{fmt}")
        moved = {k: (first[k], v2[k]) for k in first if v2.get(k) != first[k]}
        assert not moved, f"{fmt}: documents changed split between versions: {moved}"
        new_part.add(v2["article-new"])
        dealt = manifest["split"]["assignment"]
        assert dealt["recorded"] is True and dealt["redeal"] is False
        if n == 0:  # the first export of v2 deals the new document; the others keep its part
            assert (dealt["kept"], dealt["newly_dealt_count"]) == (30, 1)
            assert dealt["newly_dealt"][v2["article-new"]] == ["article-new"]
        else:
            assert (dealt["kept"], dealt["newly_dealt_count"]) == (31, 0)
    assert len(new_part) == 1 and new_part <= set(spec.names)


def test_redeal_is_explicit_and_recorded(workspace: Workspace, tmp_path: Path) -> None:
    make_corpus(workspace, KEYS)
    export(workspace, tmp_path / "v1", "doccano", SplitSpec.parse("train=0.6,dev=0.2,test=0.2"))
    v1 = split_of(tmp_path / "v1")
    # Other shares and seed under the same names: nothing moves, and the manifest says why.
    other = SplitSpec.parse("train=0.5,dev=0.25,test=0.25", seed=99)
    manifest = export(workspace, tmp_path / "v2", "doccano", other)
    assert split_of(tmp_path / "v2") == v1
    dealt = manifest["split"]["assignment"]
    assert dealt["earlier_specs"] == [
        {"parts": {"dev": 0.2, "test": 0.2, "train": 0.6}, "seed": 13, "stratify": None}
    ]
    assert "--redeal" in dealt["spec_changed"]
    # --redeal deals afresh, replaces the stored splits and says so.
    manifest = export(workspace, tmp_path / "v3", "doccano", other, redeal=True)
    v3 = split_of(tmp_path / "v3")
    assert v3 != v1 and Counter(v3.values()) == {"train": 15, "dev": 8, "test": 7}
    assert manifest["split"]["assignment"]["redeal"] is True
    assert manifest["split"]["assignment"]["newly_dealt_count"] == 30
    with workspace.db.read() as session:
        rows = session.execute(select(SplitAssignment.document_id, SplitAssignment.part))
        stored = {doc_id: part for doc_id, part in rows}
        assert Counter(stored.values()) == Counter(v3.values())
    export(workspace, tmp_path / "v4", "conll", SplitSpec.parse("train=0.6,dev=0.2,test=0.2"))
    assert split_of(tmp_path / "v4") == v3


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    assert info.value.code in (0, None), err
    return out


def test_the_demo_deals_only_documents_that_reach_the_file(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    """Before: the demo's 6 empty documents were dealt too, giving train 4, dev 0, test 0."""
    cli(capsys, "--db", db_url, "demo", "--annotator", "alice")
    split = ("--status", "any", "--split", "train=80,dev=10,test=10")
    out = cli(capsys, "--db", db_url, "export", str(tmp_path / "v1"), "--format", "conll", *split)
    assert "(train 3, dev 1, test 0 documents)" in out  # 4 annotated documents, 80/10/10
    v1 = split_of(tmp_path / "v1")
    # Alice finishes the other six (nothing in them: true negatives); now there are enough.
    with Workspace(db_url) as ws:
        alice = ws.annotations("alice")
        for doc_id in ws.documents.ids(ws.annotators.get_or_create("alice").id):
            alice.set_status(doc_id, "done")
    out = cli(capsys, "--db", db_url, "export", str(tmp_path / "v2"), "--format", "conll", *split)
    assert "(train 8, dev 1, test 1 documents)" in out
    v2 = split_of(tmp_path / "v2")
    assert {k: v2[k] for k in v1} == v1


def test_a_database_at_revision_0001_with_data_upgrades_and_exports(
    db_url: str, tmp_path: Path
) -> None:
    with Workspace(db_url) as ws:
        make_corpus(ws, KEYS[:10])
    engine = create_engine(db_url)
    with engine.begin() as conn:  # back to the first revision, data and all
        command.downgrade(alembic_config(conn), "0001")
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 10
    engine.dispose()
    with Workspace(db_url, create=False) as ws:  # the read-only open path upgrades it
        spec = SplitSpec.parse("train=0.8,test=0.2")
        manifest = export(ws, tmp_path / "v1", "statements", spec)
        assert manifest["split"]["assignment"]["recorded"] is True
        assert len(split_of(tmp_path / "v1")) == 10
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT count(*) FROM split_assignments")).scalar() == 10
    engine.dispose()


def test_a_read_only_database_still_exports_and_says_the_deal_was_not_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "annotator.sqlite3"
    with Workspace(f"sqlite:///{path}") as ws:
        make_corpus(ws, KEYS[:10])
    with Workspace(f"sqlite:///file:{path}?mode=ro&uri=true", create=False) as ws:
        options = ExportOptions(filter=DONE, split=SplitSpec.parse("train=0.8,test=0.2"))
        result = export_dataset(ws.db, ws.active_schema(), tmp_path / "ro", "doccano", options)
    assert "were not recorded" in result.warnings[0]
    manifest = json.loads((tmp_path / "ro" / "manifest.json").read_text(encoding="utf-8"))
    dealt = manifest["split"]["assignment"]
    assert dealt["recorded"] is False and "readonly" in dealt["not_recorded"]
    assert Counter(split_of(tmp_path / "ro").values()) == {"train": 8, "test": 2}


@pytest.mark.postgres
@pytest.mark.parametrize("same_part", [True, False], ids=["agrees", "disagrees"])
def test_two_exports_dealing_the_same_document_at_once(pg_server_url: str, same_part: bool) -> None:
    """Another export's deal of the same document, not yet committed when this one records:
    this one waits for it, then agrees or is refused with a message (before: UniqueViolation)."""
    import threading

    from annotator.core.domain.errors import ExportError
    from annotator.core.services.exporting.split_store import Deal, names_key, record
    from tests.conftest import fresh_pg_database

    url = fresh_pg_database(pg_server_url)
    spec = SplitSpec.parse("train=0.5,test=0.5")
    with Workspace(url) as ws:
        doc = ws.documents.add("Headline\nThe general said no.", key="d")
        deal = Deal(parts={doc.id: ("train", "")}, keys={doc.id: "d"}, new={doc.id: "train"},
                    kept=0, redeal=False)  # fmt: skip
        other = ws.db.engine.connect()
        other.begin()
        other.execute(
            SplitAssignment.__table__.insert().values(
                names=names_key(spec), document_id=doc.id,
                part="train" if same_part else "test", shares="{}", seed=1, stratify=None,
                export_id="other",
            )
        )  # fmt: skip
        outcome: list[BaseException | None] = []

        def mine() -> None:
            try:
                record(ws.db, spec, deal, "mine")
                outcome.append(None)
            except BaseException as exc:  # reported on the test's thread
                outcome.append(exc)

        thread = threading.Thread(target=mine)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second deal did not wait for the first"
        other.commit()
        other.close()
        thread.join(timeout=30)
        (result,) = outcome
        if same_part:
            assert result is None and deal.recorded
        else:
            assert isinstance(result, ExportError), result
            assert "another export dealt 1 of these documents" in str(result)
