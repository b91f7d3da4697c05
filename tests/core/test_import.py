"""Importing articles as a team lead does: real files, messy encodings, all or nothing.

Every refusal must name the file (and the line or byte) so that it can be fixed, and a refused
import must leave the database exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from annotator.cli.main import cli
from annotator.core.domain.errors import ImportRejected, Problem
from annotator.core.services.importing import ImportReport, import_paths
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Annotator, Document, DocumentStatus, Relation, Span

ARTICLE = (
    "Estmar denies drone shipments\n"
    "The ministry said the reports were “a disinformation campaign”.\n"
)


def run(ws: Workspace, *paths: Path, **options: Any) -> ImportReport:
    schema = ws.active_schema()
    return import_paths(
        ws.db, list(paths), schema=schema, schema_ref=ws.schemas.register(schema), **options
    )


def rejected(ws: Workspace, *paths: Path, **options: Any) -> list[Problem]:
    with pytest.raises(ImportRejected) as info:
        run(ws, *paths, **options)
    assert str(info.value).startswith("import refused, nothing was imported")
    for problem in info.value.problems:
        assert str(problem) in str(info.value)
    return info.value.problems


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Everything an import may touch, to compare before and after."""
    with ws.db.read() as s:
        return {
            "documents": s.execute(
                select(Document.id, Document.key, Document.content_hash).order_by(Document.id)
            ).all(),
            "spans": s.execute(select(Span.id, Span.start, Span.end).order_by(Span.id)).all(),
            "relations": s.execute(select(Relation.id).order_by(Relation.id)).all(),
            "annotators": s.scalars(select(Annotator.name).order_by(Annotator.name)).all(),
            "statuses": s.execute(
                select(DocumentStatus.document_id, DocumentStatus.status).order_by(
                    DocumentStatus.document_id
                )
            ).all(),
        }


def jsonl(path: Path, *records: dict[str, Any] | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def annotated_record(key: str, annotator: str | None = None) -> dict[str, Any]:
    quote = "“Any attack will be met with a crushing response,”"
    text = f"Korvath warns Estmar ({key})\n{quote} Yılmaz said."
    q = text.index(quote)
    s = text.index("Yılmaz")
    return {
        "id": key,
        "text": text,
        "spans": [
            {
                "id": "T1",
                "start": q,
                "end": q + len(quote),
                "label": "STATEMENT",
                "text": quote,
                "attributes": {"stance": "threatens"},
                **({"annotator": annotator} if annotator else {}),
            },
            {
                "id": "T2",
                "start": s,
                "end": s + len("Yılmaz"),
                "label": "SPEAKER",
                **({"annotator": annotator} if annotator else {}),
            },
        ],
        "relations": [{"label": "said_by", "from": "T1", "to": "T2"}],
        **({"status": {annotator: "done"}} if annotator else {}),
    }


# -- plain text --


def test_txt_title_line_endings_and_unicode_are_normalised(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "estmar-denies.txt"
    # Blank lines first, Windows line endings, and a decomposed "é" (e + COMBINING ACUTE).
    raw = "\r\n\r\n  Estmar denies drone shipments  \r\nThe Cafe\u0301 Vardas owner spoke.\r\n"
    path.write_bytes(raw.encode())
    report = run(workspace, path)
    doc = workspace.documents.get(report.imported_ids[0])
    assert doc.title == "Estmar denies drone shipments"
    assert "\r" not in doc.text
    assert doc.text == "\n\n  Estmar denies drone shipments  \nThe Café Vardas owner spoke.\n"
    assert "Caf\u00e9" in doc.text and "\u0301" not in doc.text
    assert doc.key == "estmar-denies"
    assert doc.source == "estmar-denies.txt"


def test_folders_are_imported_with_relative_paths_as_keys(
    workspace: Workspace, tmp_path: Path
) -> None:
    root = tmp_path / "scrape"
    (root / "2026" / "march").mkdir(parents=True)
    (root / "top.txt").write_text("Top story\nBody one.", encoding="utf-8")
    (root / "2026" / "march" / "denial.txt").write_text("Denial\nBody two.", encoding="utf-8")
    (root / "2026" / "page.html").write_text("<p>Page three</p>", encoding="utf-8")
    (root / "2026" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not an article: ignored
    (root / ".hidden.txt").write_text("Hidden\nnot imported", encoding="utf-8")
    report = run(workspace, root)
    keys = sorted(workspace.documents.get(i).key for i in report.imported_ids)
    assert keys == ["2026/march/denial", "2026/page", "top"]
    assert report.rejected == [] and report.skipped == []


# -- HTML --

PAGE = """<!DOCTYPE html>
<html><head>
<title>Estmar denies drone shipments &ndash; Meridian Wire</title>
<meta property="og:url" content="https://example.org/estmar-denies">
<meta property="article:published_time" content="2026-03-15T08:00:00Z">
<style>body { color: red; } .x::after { content: "STYLE-TEXT"; }</style>
<script>document.write("SCRIPT-TEXT"); fetch("http://example.org/steal");</script>
</head>
<body>
<nav>Home &rsaquo; Defence | Search NAV-TEXT</nav>
<div class="sidebar">Recent Posts: 3 hours ago</div>
<article>
<h1>Estmar denies drone shipments</h1>
<p>The ministry called the reports &ldquo;a disinformation campaign&rdquo;
&amp; denied&nbsp;all.</p>
<iframe src="{secret}">IFRAME-TEXT</iframe>
<script type="text/javascript">alert("INLINE-SCRIPT")</script>
<p>It&#8217;s the third denial this month.<br>Officials declined to comment.</p>
<img src="{secret}" onerror="alert('IMG-TEXT')">
</article>
<footer>&copy; Meridian Wire. Join the mailing list</footer>
</body></html>
"""


def test_html_keeps_the_article_text_and_metadata(workspace: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT", encoding="utf-8")
    path = tmp_path / "denial.html"
    path.write_text(PAGE.replace("{secret}", secret.as_uri()), encoding="utf-8")
    report = run(workspace, path)
    doc = workspace.documents.get(report.imported_ids[0])
    assert doc.text == (
        "Estmar denies drone shipments\n\n"
        "The ministry called the reports “a disinformation campaign” & denied\u00a0all.\n\n"
        "It’s the third denial this month.\nOfficials declined to comment."
    )
    assert doc.title == "Estmar denies drone shipments"  # the <h1>, not the site's <title>
    assert doc.url == "https://example.org/estmar-denies"
    assert doc.published == "2026-03-15T08:00:00Z"
    everything = json.dumps([doc.text, doc.title, doc.meta, doc.source], ensure_ascii=False)
    for dropped in ("SCRIPT", "STYLE", "IFRAME", "IMG", "NAV", "Recent Posts", "mailing list"):
        assert dropped not in everything
    # Nothing was fetched, rendered or executed: the linked local file never reaches the text.
    assert "SECRET-FILE-CONTENT" not in everything


def test_html_without_an_article_keeps_the_body(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "plain.html"
    path.write_text(
        "<html><body><h1>Headline</h1><script>x()</script><p>First &amp; last.</p></body></html>",
        encoding="utf-8",
    )
    doc = workspace.documents.get(run(workspace, path).imported_ids[0])
    assert doc.text == "Headline\n\nFirst & last."
    assert doc.title == "Headline"


# -- encodings and broken files --


def test_undecodable_bytes_name_the_file_and_byte_offset(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "cp1252.txt"
    data = b"Vardas cafe talks\nThe Caf\xe9 owner said no drones were sold.\n"
    path.write_bytes(data)
    (problem,) = rejected(workspace, path)
    offset = data.index(b"\xe9")
    assert problem.file == str(path)
    assert str(problem).startswith(f"{path}:2: ")
    assert f"byte 0xe9 at byte offset {offset}" in problem.reason
    assert "--encoding" in problem.reason
    assert workspace.documents.count() == 0
    report = run(workspace, path, encoding="cp1252")
    assert "The Café owner" in workspace.documents.get(report.imported_ids[0]).text


def test_utf16_with_a_byte_order_mark_is_accepted(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Wróbel: “No drones were shipped.”\r\nSecond line…".encode("utf-16"))
    doc = workspace.documents.get(run(workspace, path).imported_ids[0])
    assert doc.text == "Wróbel: “No drones were shipped.”\nSecond line…"
    assert doc.title == "Wróbel: “No drones were shipped.”"


def test_utf8_byte_order_mark_is_dropped(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHeadline\nBody")
    doc = workspace.documents.get(run(workspace, path).imported_ids[0])
    assert doc.text == "Headline\nBody" and doc.title == "Headline"


def test_nul_bytes_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Headline\nsome\x00bytes")
    no_bom = tmp_path / "no-bom.txt"
    no_bom.write_bytes("Headline\nBody".encode("utf-16-le"))
    problems = rejected(workspace, binary, no_bom)
    assert [(p.file, p.line) for p in problems] == [(str(binary), 2), (str(no_bom), 1)]
    assert all("NUL character" in p.reason for p in problems)
    assert "--encoding utf-16-le" in problems[1].reason
    report = run(workspace, no_bom, encoding="utf-16-le")
    assert workspace.documents.get(report.imported_ids[0]).text == "Headline\nBody"


@pytest.mark.parametrize("content", [b"", b"  \r\n\n\t\n"])
def test_empty_files_are_refused(workspace: Workspace, tmp_path: Path, content: bytes) -> None:
    txt = tmp_path / "empty.txt"
    txt.write_bytes(content)
    lines = tmp_path / "empty.jsonl"
    lines.write_bytes(content)
    problems = rejected(workspace, txt, lines)
    assert [(p.file, p.reason) for p in problems] == [
        (str(txt), "the file is empty"),
        (str(lines), "the file is empty"),
    ]


# -- JSONL --


def test_jsonl_problems_name_their_line(workspace: Workspace, tmp_path: Path) -> None:
    good = annotated_record("ok")
    outside = annotated_record("outside")
    outside["spans"][0]["end"] = 999
    unknown = annotated_record("unknown")
    unknown["spans"][1]["label"] = "QUOTE"
    mismatch = annotated_record("mismatch")
    mismatch["spans"][1]["text"] = "Yilmaz"
    path = jsonl(
        tmp_path / "batch.jsonl",
        good,
        '{"id": "broken", "text": "Headline',
        {"id": "no-text", "title": "Headline only"},
        "",  # blank lines are allowed
        outside,
        unknown,
        mismatch,
    )
    problems = rejected(workspace, path, annotator="alice")
    messages = [str(p) for p in problems]
    assert len(messages) == 5, messages
    expected = [
        (2, "not valid JSON"),
        (3, "text: is missing"),
        (5, "spans[0] (T1): span"),
        (6, "spans[1] (T2): label 'QUOTE' is not in schema"),
        (7, "spans[1] (T2): its text 'Yilmaz' does not match"),
    ]
    for message, (line, part) in zip(messages, expected, strict=True):
        assert message.startswith(f"{path}:{line}: "), message
        assert part in message, message
    assert "lies outside the text" in messages[2]
    assert "'Yılmaz'" in messages[4]  # what the text really holds there
    assert workspace.documents.count() == 0


def test_jsonl_with_spans_imports_them_for_the_annotator(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = jsonl(tmp_path / "pre.jsonl", annotated_record("k1"), annotated_record("k2", "bob"))
    report = run(workspace, path, annotator="alice")
    assert (len(report.imported_ids), report.spans, report.relations) == (2, 4, 2)
    k1, k2 = (workspace.documents.by_key(k) for k in ("k1", "k2"))
    assert k1 is not None and k2 is not None
    alice, bob = workspace.annotations("alice"), workspace.annotations("bob")
    assert [s.label for s in alice.spans(k1.id)] == ["STATEMENT", "SPEAKER"]
    assert alice.spans(k2.id) == []
    assert [r.label for r in bob.relations(k2.id)] == ["said_by"]
    assert bob.status(k2.id) == "done"  # as the file says
    assert alice.status(k1.id) == "in_progress"  # pre-annotated work has begun


def test_jsonl_spans_without_an_annotator_need_one(workspace: Workspace, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "pre.jsonl", annotated_record("k1"))
    (problem,) = rejected(workspace, path)
    assert str(problem).startswith(f"{path}:1: ")
    assert "no annotator given (give --annotator)" in problem.reason


def test_non_normalised_jsonl_text_with_spans_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    record = annotated_record("crlf", "alice")
    record["text"] = record["text"].replace("\n", "\r\n")
    plain = {"id": "plain", "text": "Cafe\u0301 talks\r\nno spans here"}
    path = jsonl(tmp_path / "crlf.jsonl", plain, record)
    (problem,) = rejected(workspace, path)
    assert (problem.file, problem.line, problem.key) == (str(path), 2, "text")
    assert "offsets would shift" in problem.reason
    # Without spans there is nothing to shift: the text is normalised on the way in.
    report = run(workspace, jsonl(tmp_path / "plain.jsonl", plain))
    assert workspace.documents.get(report.imported_ids[0]).text == "Café talks\nno spans here"


def test_jsonl_with_a_windows_1252_byte_is_refused_not_stored_as_a_replacement_character(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A file saved as Windows-1252: its curly apostrophe is byte 0x92, not UTF-8."""
    path = tmp_path / "cp1252.jsonl"
    first = json.dumps({"id": "a", "text": "Estmar talks\nNo drones were sold."}).encode()
    second = '{"id": "b", "text": "Estmar denies\\nThe minister’s aide spoke."}'
    data = first + b"\n" + second.encode("cp1252") + b"\n"
    path.write_bytes(data)
    before = snapshot(workspace)
    (problem,) = rejected(workspace, path)
    assert (problem.file, problem.line) == (str(path), 2)
    assert str(problem).startswith(f"{path}:2: ")
    offset = data.index(b"\x92")
    assert f"byte 0x92 at byte offset {offset}" in problem.reason
    assert "--encoding" in problem.reason
    assert snapshot(workspace) == before
    # Told the encoding, the import reads the apostrophe the author typed.
    report = run(workspace, path, encoding="cp1252")
    texts = [workspace.documents.get(i).text for i in report.imported_ids]
    assert texts[1] == "Estmar denies\nThe minister’s aide spoke."
    assert not any("\ufffd" in text for text in texts)


def test_jsonl_with_more_links_than_a_relation_allows_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    """said_by allows one speaker per statement: a second one in the file is a mistake."""
    record = annotated_record("two-speakers", "alice")
    text = record["text"]
    korvath = text.index("Korvath")
    record["spans"].append(
        {"id": "T3", "start": korvath, "end": korvath + len("Korvath"), "label": "SPEAKER"}
    )
    record["spans"][2]["annotator"] = "alice"
    record["relations"].append({"label": "said_by", "from": "T1", "to": "T3"})
    path = jsonl(tmp_path / "links.jsonl", annotated_record("fine", "alice"), record)
    before = snapshot(workspace)
    (problem,) = rejected(workspace, path)
    assert str(problem).startswith(f"{path}:2: relations[1]: ")
    assert "said_by allows 1 link from" in problem.reason
    assert snapshot(workspace) == before
    # One speaker is accepted: the limit is the schema's max, not one below it.
    del record["relations"][1]
    report = run(workspace, jsonl(tmp_path / "one.jsonl", record))
    alice = workspace.annotations("alice")
    assert [r.label for r in alice.relations(report.imported_ids[0])] == ["said_by"]


# -- duplicates --


def test_duplicates_are_skipped_not_imported_twice(workspace: Workspace, tmp_path: Path) -> None:
    first = tmp_path / "first.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    assert len(run(workspace, first).imported_ids) == 1
    again = run(workspace, first)
    assert again.imported_ids == [] and again.rejected == []
    assert again.skipped == [
        f"{first}: the same text is already in the database, as document 'first'"
    ]
    assert "skipped 1 duplicate;" in again.summary()
    assert workspace.documents.count() == 1


def test_duplicates_within_one_batch_are_skipped(workspace: Workspace, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    b = tmp_path / "b-windows-copy.txt"
    b.write_bytes(ARTICLE.replace("\n", "\r\n").encode())  # same text once normalised
    report = run(workspace, a, b)
    assert len(report.imported_ids) == 1
    assert report.skipped == [f"{b}: the same text as document 'a', earlier in this import"]
    assert workspace.documents.count() == 1


def test_two_documents_with_the_same_id_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "ids.jsonl",
        {"id": "same", "text": "First article\nbody"},
        {"id": "same", "text": "Second article\nother body"},
    )
    (problem,) = rejected(workspace, path)
    assert str(problem).startswith(f"{path}:2: ")
    assert "document id 'same' is already used" in problem.reason


# -- all or nothing --


def _batch_with_one_bad_file(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "one.txt").write_text("One\nFirst good article.", encoding="utf-8")
    (folder / "two.html").write_text("<article><p>Second good article.</p></article>")
    jsonl(folder / "three.jsonl", annotated_record("three", "carol"))
    bad = folder / "four.txt"
    bad.write_bytes(b"Four\nbad \xff byte")
    return folder, bad


def test_one_bad_file_leaves_the_database_exactly_as_before(
    workspace: Workspace, tmp_path: Path
) -> None:
    run(workspace, jsonl(tmp_path / "seed.jsonl", annotated_record("seed", "alice")))
    before = snapshot(workspace)
    assert len(before["documents"]) == 1 and len(before["spans"]) == 2
    folder, bad = _batch_with_one_bad_file(tmp_path)
    problems = rejected(workspace, folder)
    assert [p.file for p in problems] == [str(bad)]
    assert snapshot(workspace) == before
    assert workspace.annotators.find("carol") is None


def test_skip_bad_imports_the_good_files_and_reports_the_bad_one(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder, bad = _batch_with_one_bad_file(tmp_path)
    report = run(workspace, folder, skip_bad=True)
    assert len(report.imported_ids) == 3
    assert [p.file for p in report.rejected] == [str(bad)]
    assert "byte offset" in report.rejected[0].reason
    assert report.summary() == (
        "imported 3 documents with 2 spans and 1 link; skipped 0 duplicates; rejected 1"
    )
    keys = {workspace.documents.get(i).key for i in report.imported_ids}
    assert keys == {"one", "two", "three"}


def test_cli_import_prints_the_summary(db_url: str, tmp_path: Path) -> None:
    folder, bad = _batch_with_one_bad_file(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "import", "--skip-bad", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == (
        "imported 3 documents with 2 spans and 1 link; skipped 0 duplicates; rejected 1"
    )
    assert f"rejected: {bad}:2: cannot decode" in result.stderr
    again = runner.invoke(cli, ["--db", db_url, "import", str(folder / "one.txt")])
    assert again.exit_code == 0, again.output
    assert "imported 0 documents" in again.stdout and "skipped 1 duplicate;" in again.stdout
    assert (
        f"skipped: {folder / 'one.txt'}: the same text is already in the database, as "
        "document 'one'" in again.stderr
    )
    with Workspace(db_url) as ws:
        assert ws.documents.count() == 3
