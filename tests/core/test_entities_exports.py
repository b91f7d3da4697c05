"""Exports with the registry: "who said what" by canonical speaker, and a native backup that
brings the registry and every mention's link back into a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.domain.entity_file import entry_dict
from annotator.core.services.exporting.dataset import ExportOptions
from annotator.core.services.exporting.source import ExportFilter
from annotator.core.services.importing import import_paths
from annotator.core.services.workspace import Workspace
from tests.core.test_entities import ONE, TWO, at, speaker
from tests.core.test_export_native_statements import read_jsonl

EVERYTHING = ExportFilter(all_layers=True)


def statement(ws: Workspace, doc_id: int, text: str, fragment: str) -> int:
    start, end = at(text, fragment)
    return (
        ws.annotations("alice")
        .create_span(doc_id, start, end, "STATEMENT", {"stance": "threatens"})
        .id
    )


def target(ws: Workspace, doc_id: int, text: str, fragment: str, nth: int = 0) -> int:
    start, end = at(text, fragment, nth)
    return ws.annotations("alice").create_span(doc_id, start, end, "TARGET").id


def _said(ws: Workspace) -> dict[str, int]:
    """Two statements by one minister (named by surname and by pronoun), aimed at Israel; one
    entity without mentions, one merged away."""
    alice = ws.annotations("alice")
    reg = ws.entities()
    d1 = ws.documents.add(ONE, key="one", title="Iran unveils new missile").id
    d2 = ws.documents.add(TWO, key="two", title="Tehran warns Israel").id
    minister = reg.create("Aziz Nasirzadeh", "SPEAKER", external_id="Q5953934", note="since 2024")
    israel = reg.create("Israel", "TARGET", external_id="Q801", aliases=["the Zionist regime"])
    reg.create("Mohammad Bagheri", "SPEAKER")  # no mention yet
    reg.create("Nasirzadeh (typo)", "SPEAKER")
    reg.merge("Nasirzadeh (typo)", minister.key)
    s1 = statement(ws, d1, ONE, "the missile would reach Israel")
    he = speaker(ws, "alice", d1, ONE, "He")
    t1 = target(ws, d1, ONE, "Israel")
    s2 = statement(ws, d2, TWO, "Israel would pay a price")
    surname = speaker(ws, "alice", d2, TWO, "Nasirzadeh")
    t2 = target(ws, d2, TWO, "Israel", 1)
    plain_speaker = speaker(ws, "alice", d1, ONE, "Defence Minister Aziz Nasirzadeh")
    alice.link(s1, he, "said_by")
    alice.link(s1, t1, "aimed_at")
    alice.link(s2, surname, "said_by")
    alice.link(s2, t2, "aimed_at")
    for mention in (he, surname):
        reg.link_mention(alice, mention, minister.key)
    for mention in (t1, t2):
        reg.link_mention(alice, mention, israel.key)
    return {"he": he, "surname": surname, "unlinked": plain_speaker}


def test_statements_carry_the_canonical_speaker_and_targets(
    workspace: Workspace, tmp_path: Path
) -> None:
    _said(workspace)
    out = tmp_path / "statements.jsonl"
    workspace.export(out, "statements", ExportOptions(filter=EVERYTHING))
    records = read_jsonl(out)
    assert len(records) == 2
    minister = workspace.entities().get("Q5953934")
    israel = workspace.entities().get("Q801")
    for record, mention in zip(records, ["He", "Nasirzadeh"], strict=True):
        assert [m["text"] for m in record["speaker"]] == [mention]
        assert record["speaker_entity"] == {
            "id": minister.key,
            "name": "Aziz Nasirzadeh",
            "external_id": "Q5953934",
        }
        assert record["speaker"][0]["entity"] == record["speaker_entity"]
        assert record["target_entities"] == [
            {"id": israel.key, "name": "Israel", "external_id": "Q801"}
        ]
        assert "weapon_entities" not in record and "entity" not in json.dumps(record["weapon"])


def test_statement_entity_keys_are_there_when_nothing_is_linked(
    workspace: Workspace, tmp_path: Path
) -> None:
    d1 = workspace.documents.add(ONE, key="one").id
    statement(workspace, d1, ONE, "the missile would reach Israel")
    out = tmp_path / "statements.jsonl"
    workspace.export(out, "statements", ExportOptions(filter=EVERYTHING))
    (record,) = read_jsonl(out)
    assert record["speaker_entity"] is None and record["target_entities"] == []


def test_native_round_trip_restores_the_registry_and_every_link(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    spans = _said(workspace)
    first = tmp_path / "first.jsonl"
    workspace.export(first, "native", ExportOptions(filter=EVERYTHING))
    records = {r["id"]: r for r in read_jsonl(first)}
    (entry,) = [e for e in records["two"]["registry"] if e["type"] == "SPEAKER"]
    assert entry["name"] == "Aziz Nasirzadeh" and len(entry["mentions"]) == 1
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        report = import_paths(other.db, [first], schema=schema, schema_ref=ref)
        assert report.rejected == []
        second = tmp_path / "second.jsonl"
        other.export(second, "native", ExportOptions(filter=EVERYTHING))
        restored = {
            s.entity.key: (entry_dict(s.entity), s.mentions) for s in other.entities().all()
        }
        minister = other.entities().get("Q5953934")
        detail = other.entities().show(minister.key)
    assert second.read_bytes() == first.read_bytes()
    before = {s.entity.key: (entry_dict(s.entity), s.mentions) for s in workspace.entities().all()}
    # every entity a mention names comes back whole, under its id, with its mentions
    linked = {k: v for k, v in before.items() if v[1]}
    assert len(linked) == 2
    assert {k: restored[k] for k in linked} == linked
    assert [(m.document, m.text) for m in detail.mentions] == [("one", "He"), ("two", "Nasirzadeh")]
    assert spans["unlinked"] not in workspace.entities().entities_of([spans["unlinked"]])


def test_native_import_merges_entities_into_an_existing_registry(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    _said(workspace)
    first = tmp_path / "first.jsonl"
    workspace.export(first, "native", ExportOptions(filter=EVERYTHING))
    with Workspace(second_url) as other:
        known = other.entities().create("Israel", "TARGET")  # same type and name, another id
        schema = other.active_schema()
        report = import_paths(
            other.db, [first], schema=schema, schema_ref=other.schemas.register(schema)
        )
        assert report.rejected == []
        israel = other.entities().show("Israel")
        assert israel.entity.key == known.key and israel.entity.external_id == "Q801"
        assert len(israel.mentions) == 2


def test_statements_with_and_without_entities_load_as_typed_columns(
    workspace: Workspace, tmp_path: Path
) -> None:
    import datasets

    _said(workspace)
    doc = workspace.documents.by_key("one")
    assert doc is not None
    statement(workspace, doc.id, ONE, "Nasirzadeh’s ministry would build more")  # no speaker
    out = tmp_path / "statements.jsonl"
    workspace.export(out, "statements", ExportOptions(filter=EVERYTHING))
    assert [r["speaker_entity"] is None for r in read_jsonl(out)] == [False, True, False]
    ds = datasets.load_dataset(
        "json", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert "Json(" not in repr(ds.features)
    assert ds[0]["speaker_entity"]["name"] == "Aziz Nasirzadeh"
    assert ds[1]["speaker_entity"] is None and ds[1]["target_entities"] == []


def test_a_backup_of_an_entity_merged_since_links_its_mentions_to_the_one_it_went_into(
    workspace: Workspace, second_url: str, tmp_path: Path
) -> None:
    _said(workspace)
    backup = tmp_path / "backup.jsonl"
    workspace.export(backup, "native", ExportOptions(filter=EVERYTHING))
    israel = workspace.entities().get("Q801")
    with Workspace(second_url) as other:
        schema = other.active_schema()
        ref = other.schemas.register(schema)
        registry = other.entities()
        import_paths(other.db, [backup], schema=schema, schema_ref=ref)
        state = registry.create("State of Israel", "TARGET")
        registry.merge(israel.key, state.key)
        # a third database takes this registry, then the old backup: its Israel mentions
        # go to the entity Israel was merged into
        third = f"sqlite:///{tmp_path / 'third.sqlite3'}"
        registry.export_jsonl(tmp_path / "registry.jsonl")
    with Workspace(third) as last:
        last.entities().import_jsonl(tmp_path / "registry.jsonl")
        schema = last.active_schema()
        report = import_paths(
            last.db, [backup], schema=schema, schema_ref=last.schemas.register(schema)
        )
        assert report.rejected == []
        detail = last.entities().show("State of Israel")
        assert [m.text for m in detail.mentions] == ["Israel", "Israel"]
        assert [e.name for e in (s.entity for s in last.entities().all())].count("Israel") == 0
