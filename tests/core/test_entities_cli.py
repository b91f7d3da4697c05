"""``annotator entities`` as the team lead runs it, and registry files moved between databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli.main import main
from annotator.core.domain.errors import ImportRejected
from annotator.core.services.workspace import Workspace
from tests.core.test_entities import ONE, TWO, speaker


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def _team(url: str) -> tuple[int, int, int]:
    """Two documents where alice named one minister two ways: two entities to merge."""
    with Workspace(url) as ws:
        d1 = ws.documents.add(ONE, key="one").id
        d2 = ws.documents.add(TWO, key="two").id
        alice = ws.annotations("alice")
        reg = ws.entities()
        full = speaker(ws, "alice", d1, ONE, "Defence Minister Aziz Nasirzadeh")
        he = speaker(ws, "alice", d1, ONE, "He")
        other = speaker(ws, "alice", d2, TWO, "Nasirzadeh")
        reg.link_new(alice, full, "Aziz Nasirzadeh")
        reg.update("Aziz Nasirzadeh", external_id="Q5953934")
        reg.link_mention(alice, he, "Aziz Nasirzadeh")
        reg.link_new(alice, other, "Nasirzadeh")
        return full, he, other


def test_list_show_rename_merge_split(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    full, he, other = _team(db_url)
    code, out, _ = run(capsys, "entities", "list", "--db", db_url)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "SPEAKER  Aziz Nasirzadeh  (2 mentions)  [Q5953934]" in lines[0]
    assert "SPEAKER  Nasirzadeh  (1 mention)" in lines[1]

    code, out, _ = run(capsys, "entities", "merge", "Nasirzadeh", "Q5953934", "--db", db_url)
    assert code == 0 and "(3 mentions now)" in out
    code, out, _ = run(capsys, "entities", "show", "Q5953934", "--db", db_url)
    assert "aliases: Nasirzadeh" in out
    assert "  one  alice  2" in out and "  two  alice  1" in out
    assert f"#{other}  SPEAKER" in out

    code, out, _ = run(
        capsys, "entities", "rename", "Q5953934", "Aziz Nasirzadeh (minister)", "--db", db_url
    )
    assert code == 0 and "is now Aziz Nasirzadeh (minister)" in out

    code, out, _ = run(
        capsys, "entities", "split", "Q5953934", "Someone", "--mention", str(other), "--db", db_url
    )
    assert code == 0 and "with 1 mention" in out
    with Workspace(db_url) as ws:
        linked = ws.entities().entities_of([full, he, other])
    assert linked[other].name == "Someone"
    assert linked[full].name == linked[he].name == "Aziz Nasirzadeh (minister)"

    code, _, err = run(capsys, "entities", "show", "Nobody", "--db", db_url)
    assert code == 1 and "error: no entity 'Nobody'" in err
    code, out, _ = run(capsys, "db", "check", "--db", db_url)  # a merged entity refers to one
    assert code == 0 and out.strip().endswith("ok")


def test_add_and_edit_in_one_step_or_not_at_all(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "entities", "add", "Israel", "--type", "target", "--alias", "the Zionist regime",
        "--db", db_url,
    )  # fmt: skip
    assert code == 0 and "TARGET Israel" in out
    code, out, _ = run(
        capsys, "entities", "edit", "Israel", "--external-id", "Q801", "--add-alias", "Tel Aviv",
        "--remove-alias", "zionist regime", "--db", db_url,
    )  # fmt: skip
    assert code == 0 and "external id Q801, aliases Tel Aviv" in out
    code, _, err = run(
        capsys, "entities", "edit", "Israel", "--note", "changed?", "--remove-alias", "nothing",
        "--db", db_url,
    )  # fmt: skip
    assert code == 1 and "Israel has no alias 'nothing'" in err
    with Workspace(db_url) as ws:
        assert ws.entities().get("Q801").note == ""  # the refused edit left the note as it was


def test_export_then_import_into_another_database_merges_by_external_id_and_name(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _team(db_url)
    with Workspace(db_url) as ws:
        ws.entities().merge("Nasirzadeh", "Aziz Nasirzadeh")
    out_file = tmp_path / "registry.jsonl"
    code, out, _ = run(capsys, "entities", "export", str(out_file), "--db", db_url)
    assert code == 0 and "wrote 2 entities" in out
    records = [json.loads(line) for line in out_file.read_text("utf-8").splitlines()]
    assert [r["name"] for r in records] == ["Aziz Nasirzadeh", "Nasirzadeh"]
    assert records[1]["merged_into"] == records[0]["id"]

    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with Workspace(other_url) as other:
        other.entities().create("A. Nasirzadeh", "SPEAKER", external_id="Q5953934")
        other.entities().create("Iran", "TARGET")
    code, out, _ = run(capsys, "entities", "import", str(out_file), "--db", other_url)
    assert code == 0 and "1 entity created, 1 updated, 0 unchanged" in out
    with Workspace(other_url) as other:
        reg = other.entities()
        kept = reg.get("Q5953934")
        assert kept.name == "A. Nasirzadeh"  # the database's name stands; the file's is an alias
        assert set(kept.aliases) == {"Aziz Nasirzadeh", "Nasirzadeh"}
        assert reg.get(records[1]["id"]).key == kept.key  # the merged one leads to it
        again = reg.import_jsonl(out_file)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_bad_registry_file_names_file_line_and_changes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "e-1", "type": "TARGET", "name": "Iran", "aliases": [], "external_id": "Q794"}\n'
        '{"id": "e-2", "type": "TARGET", "name": ""}\n'
        "not json\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "entities", "import", str(bad), "--db", db_url)
    assert code == 1
    assert "import refused, nothing was imported (2 problems)" in err
    assert f"{bad}:2: an entity name cannot be empty" in err
    assert f"{bad}:3: not valid JSON" in err
    with Workspace(db_url) as ws:
        assert ws.entities().all() == []
        ws.entities().create("Iran", "TARGET", external_id="Q1")
        bad.write_text(
            '{"id": "e-1", "type": "TARGET", "name": "Iran", "external_id": "Q794"}\n',
            encoding="utf-8",
        )
        with pytest.raises(ImportRejected, match=r"bad.jsonl:1: external_id: 'Iran' has"):
            ws.entities().import_jsonl(bad)
        assert [s.entity.external_id for s in ws.entities().all()] == ["Q1"]
