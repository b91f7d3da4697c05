"""Hostile input files: each is imported correctly or refused as a whole, naming the file.

Scraped articles arrive in every encoding and state of repair. Whatever a file holds, an import
either stores exactly the normalised text, or raises ``ImportRejected`` naming the file and
leaves the database as it was, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import codecs
import itertools
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.core.domain.errors import ImportRejected, ValidationError
from annotator.core.domain.text import content_hash, normalise
from annotator.core.formats.readers import MAX_FILE_BYTES
from annotator.core.services.importing import ImportReport, import_paths
from annotator.core.services.workspace import Workspace
from annotator.core.storage.models import Base, Document, Span

REPO = Path(__file__).resolve().parents[2]
_names = itertools.count()


def snapshot(ws: Workspace) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, in key order: equal snapshots mean an unchanged database."""
    with ws.db.engine.connect() as conn:
        return {
            table.name: [
                tuple(repr(v) for v in row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def attempt(ws: Workspace, path: Path, **options: Any) -> ImportReport | ImportRejected:
    """Import one file; on refusal check the message names it and nothing was written."""
    schema = ws.active_schema()
    ref = ws.schemas.register(schema)
    before = snapshot(ws)
    try:
        return import_paths(
            ws.db, [path], schema=schema, schema_ref=ref, annotator="importer", **options
        )
    except ImportRejected as exc:
        assert str(path) in str(exc), str(exc)
        assert exc.problems
        assert snapshot(ws) == before, "a refused import changed the database"
        return exc


def write(folder: Path, suffix: str, data: bytes | str) -> Path:
    path = folder / f"input{next(_names)}{suffix}"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(folder: Path, *records: dict[str, Any]) -> Path:
    return write(folder, ".jsonl", "\n".join(json.dumps(r) for r in records) + "\n")


def stored_texts(ws: Workspace, report: ImportReport) -> list[str]:
    return [ws.documents.get(i).text for i in report.imported_ids]


def assert_stored_soundly(ws: Workspace, report: ImportReport) -> None:
    """What any import stores: NFC text with \\n line ends, no NUL, under its own hash."""
    for doc_id in report.imported_ids:
        doc = ws.documents.get(doc_id)
        assert doc.text.strip()
        assert "\r" not in doc.text and "\x00" not in doc.text
        assert unicodedata.is_normalized("NFC", doc.text)
        assert doc.content_hash == content_hash(doc.text)
        ws.documents.verify(doc_id)


# -- random bytes --

_FUZZ = settings(
    max_examples=150,
    deadline=None,
    # The one database is meant to persist across examples: each checks its own before/after.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_FUZZ
@given(
    data=st.binary(max_size=400)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8"))
    | st.text(max_size=100).map(lambda t: t.encode("utf-16")),
    suffix=st.sampled_from([".txt", ".html", ".jsonl"]),
)
def test_random_bytes(workspace: Workspace, tmp_path: Path, data: bytes, suffix: str) -> None:
    outcome = attempt(workspace, write(tmp_path, suffix, data))
    if isinstance(outcome, ImportRejected):
        return
    assert_stored_soundly(workspace, outcome)
    if suffix == ".txt" and outcome.imported_ids:
        # Plain text has an exact oracle: the decoded, normalised bytes.
        bom_16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        expected = normalise(data.decode("utf-16" if bom_16 else "utf-8-sig"))
        assert stored_texts(workspace, outcome) == [expected]


@_FUZZ
@given(text=st.text(min_size=1, max_size=200))
def test_any_decodable_text_file_imports_exactly(
    workspace: Workspace, tmp_path: Path, text: str
) -> None:
    outcome = attempt(workspace, write(tmp_path, ".txt", text))
    if not normalise(text).strip() or "\x00" in text:
        assert isinstance(outcome, ImportRejected)
    elif isinstance(outcome, ImportReport) and outcome.imported_ids:
        assert stored_texts(workspace, outcome) == [normalise(text)]
    else:  # the only other honest outcome: the same text was imported by an earlier example
        assert isinstance(outcome, ImportReport) and outcome.skipped


# -- encodings --

ARTICLE = "“Our missile forces will be doubled,” the minister said… Café.\nRead more"


def test_utf16_without_bom_is_refused_with_advice(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, ".txt", ARTICLE.encode("utf-16-le"))
    outcome = attempt(workspace, path)
    assert isinstance(outcome, ImportRejected)
    assert "utf-16" in str(outcome).lower()


def test_utf16_without_bom_imports_when_told(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, ".txt", ARTICLE.encode("utf-16-le"))
    outcome = attempt(workspace, path, encoding="utf-16-le")
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == [ARTICLE]


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_files_with_a_bom_import(workspace: Workspace, tmp_path: Path, codec: str) -> None:
    outcome = attempt(workspace, write(tmp_path, ".txt", ARTICLE.encode(codec)))
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == [ARTICLE]


def test_latin1_smart_quotes_are_refused_at_the_byte(workspace: Workspace, tmp_path: Path) -> None:
    data = "He said \x93we will respond\x94.".encode("latin-1")
    outcome = attempt(workspace, write(tmp_path, ".txt", data))
    assert isinstance(outcome, ImportRejected)
    assert "0x93" in str(outcome) and "byte offset 8" in str(outcome)


def test_windows_1252_imports_when_told(workspace: Workspace, tmp_path: Path) -> None:
    data = "He said \x93we will respond\x94.".encode("latin-1")
    outcome = attempt(workspace, write(tmp_path, ".txt", data), encoding="cp1252")
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == ["He said “we will respond”."]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d", "\\ude00\\ud83d"])
def test_lone_surrogates_in_json_are_refused(
    workspace: Workspace, tmp_path: Path, escape: str
) -> None:
    path = write(tmp_path, ".jsonl", '{"id": "s", "text": "before ' + escape + ' after"}\n')
    outcome = attempt(workspace, path)
    assert isinstance(outcome, ImportRejected)
    assert f"{path}:1" in str(outcome)


def test_escaped_surrogate_pair_is_one_character(workspace: Workspace, tmp_path: Path) -> None:
    record = '{"id": "e", "text": "go \\ud83d\\ude80 now", "spans": '
    record += '[{"start": 3, "end": 4, "label": "WEAPON", "text": "🚀"}]}\n'
    outcome = attempt(workspace, write(tmp_path, ".jsonl", record))
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == ["go 🚀 now"]


@pytest.mark.parametrize(
    "data",
    [b"Some text\x00with a NUL", b"\x00\x00\x00\x00", b"Title\n\nBody\x00"],
    ids=["middle", "only", "end"],
)
def test_nul_bytes_are_refused(workspace: Workspace, tmp_path: Path, data: bytes) -> None:
    outcome = attempt(workspace, write(tmp_path, ".txt", data))
    assert isinstance(outcome, ImportRejected)
    assert "NUL" in str(outcome)


@pytest.mark.parametrize("field", ["text", "title", "id", "source", "url", "published"])
def test_escaped_nul_in_json_is_refused(workspace: Workspace, tmp_path: Path, field: str) -> None:
    record = {"id": "n", "text": "A real article text.", field: "has a \u0000 inside"}
    outcome = attempt(workspace, jsonl(tmp_path, record))
    assert isinstance(outcome, ImportRejected)
    assert "NUL" in str(outcome)


def test_mixed_line_endings_become_newlines(workspace: Workspace, tmp_path: Path) -> None:
    outcome = attempt(workspace, write(tmp_path, ".txt", b"Title\r\nline two\rline three\n\r\n"))
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == ["Title\nline two\nline three\n\n"]


def test_jsonl_with_windows_line_endings_and_spans_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    record = {"id": "w", "text": "a\r\nb", "spans": [{"start": 3, "end": 4, "label": "TARGET"}]}
    outcome = attempt(workspace, jsonl(tmp_path, record))
    assert isinstance(outcome, ImportRejected)
    assert "normalise" in str(outcome)


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
@pytest.mark.parametrize(
    "data", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf"], ids=["empty", "blank", "bom"]
)
def test_empty_files_are_refused(
    workspace: Workspace, tmp_path: Path, suffix: str, data: bytes
) -> None:
    outcome = attempt(workspace, write(tmp_path, suffix, data))
    assert isinstance(outcome, ImportRejected)


def test_one_bad_file_refuses_the_whole_import(workspace: Workspace, tmp_path: Path) -> None:
    write(tmp_path, ".txt", "A perfectly good article.")
    write(tmp_path, ".txt", b"caf\xe9 is not UTF-8")
    outcome = attempt(workspace, tmp_path)
    assert isinstance(outcome, ImportRejected)
    assert workspace.documents.count() == 0


def test_skip_bad_imports_the_good_and_names_the_bad(workspace: Workspace, tmp_path: Path) -> None:
    write(tmp_path, ".txt", "A perfectly good article.")
    bad = write(tmp_path, ".txt", b"caf\xe9 is not UTF-8")
    outcome = attempt(workspace, tmp_path, skip_bad=True)
    assert isinstance(outcome, ImportReport)
    assert stored_texts(workspace, outcome) == ["A perfectly good article."]
    assert [p.file for p in outcome.rejected] == [str(bad)]


# -- big files --


@pytest.mark.slow
def test_200_mb_article(workspace: Workspace, tmp_path: Path) -> None:
    """One huge scraped page with typographic quotes and Windows line ends imports whole."""
    line = "“Our missile forces will be doubled within two years,” the minister said… Café\r\n"
    repeats = 200 * 2**20 // len(line.encode())
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8", newline="") as handle:
        for _ in range(repeats // 1000):
            handle.write(line * 1000)
    expected = normalise(line) * (repeats // 1000 * 1000)
    try:
        outcome = import_paths(workspace.db, [path])
        [doc_id] = outcome.imported_ids
        with workspace.db.read() as s:
            length, digest = s.execute(
                select(Document.length, Document.content_hash).where(Document.id == doc_id)
            ).one()
        assert (length, digest) == (len(expected), content_hash(expected))
    finally:
        path.unlink()


def test_file_over_the_size_limit_is_refused_unread(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sparse.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    outcome = attempt(workspace, path)
    assert isinstance(outcome, ImportRejected)
    assert "limit" in str(outcome)


# -- HTML --

HOSTILE_HTML = """<!DOCTYPE html><html><head><title>Missiles &amp; drones</title>
<script>document.write("<p>injected</p>"); var x = "</p>";</script>
<style>p { color: red }</style></head>
<body><nav>Home › Defence</nav>
<article><h1>Korvath &ldquo;doubles&rdquo; its missile force</h1>
<p>The minister said&nbsp;&#8220;no one&#8221; could intercept them
&#x2014; &#128640; &lt;b&gt;.</p>
<iframe src="https://evil.example/"><p>iframe body</p></iframe>
<p>Bad refs: &#xD800; &#0; &#x110000; &bogus; &amp</p>
<script type="module">import("https://evil.example/x.js")</script>
<noscript><img src=x onerror=alert(1)>enable scripts</noscript>
</article><footer>© Meridian Wire</footer></body></html>"""


def test_html_with_scripts_iframes_and_entities(workspace: Workspace, tmp_path: Path) -> None:
    outcome = attempt(workspace, write(tmp_path, ".html", HOSTILE_HTML))
    assert isinstance(outcome, ImportReport)
    [text] = stored_texts(workspace, outcome)
    assert text.startswith("Korvath “doubles” its missile force")
    assert "The minister said\xa0“no one” could intercept them — 🚀 <b>." in text
    assert "Bad refs: \ufffd \ufffd \ufffd &bogus; &" in text
    for hidden in ("injected", "color: red", "iframe body", "evil", "enable scripts", "Meridian"):
        assert hidden not in text
    # The article's <h1> is its headline; the <title> is the page's (issue 13).
    title = workspace.documents.get(outcome.imported_ids[0]).title
    assert title == "Korvath “doubles” its missile force"
    assert_stored_soundly(workspace, outcome)


@pytest.mark.parametrize(
    "html",
    [
        "<![ foo bar [ text ]]> hello",
        "<!x<![CDATA[ <!-- <?php <![if x]> tail",
        "<!DOCTYPE x [ <!ENTITY a 'b'> ]> hi <!ELEMENT> <!ATTLIST",
        "<p>unclosed <b><i><script>never closed",
        "<" * 10_000 + "text",
        "<div>" * 50_000 + "deep" + "</div>" * 50_000,
        "<p title='" + "x" * 1_000_000 + "'>attribute</p>",
    ],
    ids=["marked section", "junk declarations", "dtd", "unclosed", "angles", "deep", "huge attr"],
)
def test_broken_html(workspace: Workspace, tmp_path: Path, html: str) -> None:
    outcome = attempt(workspace, write(tmp_path, ".html", html))
    if isinstance(outcome, ImportReport):
        assert_stored_soundly(workspace, outcome)


# -- JSONL records with bad offsets and bad fields --

TEXT = "Gen. Yılmaz said “the Tarkan-3 will fly” in Korvath."


def _span(start: Any, end: Any, label: Any = "TARGET", **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label, **extra}


BAD_RECORDS: dict[str, dict[str, Any]] = {
    "end past the text": {"text": TEXT, "spans": [_span(40, len(TEXT) + 1)]},
    "start past the text": {"text": TEXT, "spans": [_span(len(TEXT) + 5, len(TEXT) + 9)]},
    "negative start": {"text": TEXT, "spans": [_span(-1, 4)]},
    "reversed": {"text": TEXT, "spans": [_span(10, 5)]},
    "empty span": {"text": TEXT, "spans": [_span(5, 5)]},
    "float offsets": {"text": TEXT, "spans": [_span(0.0, 4.0)]},
    "string offsets": {"text": TEXT, "spans": [_span("0", "4")]},
    "bool offsets": {"text": TEXT, "spans": [_span(False, True)]},
    "null offsets": {"text": TEXT, "spans": [_span(None, None)]},
    "huge offsets": {"text": TEXT, "spans": [_span(0, 2**70)]},
    "inside a combining sequence": {"text": "q\u0301uote here", "spans": [_span(1, 5)]},
    "ending inside a combining sequence": {"text": "quote q\u0301", "spans": [_span(0, 7)]},
    "inside an emoji ZWJ sequence": {"text": "the 👩\u200d🚀 flew", "spans": [_span(4, 5)]},
    "before a variation selector": {"text": "a ❤\ufe0f b", "spans": [_span(0, 3)]},
    "utf-16 offsets with their text": {
        "text": "🚀🚀 Korvath says so",
        "spans": [_span(5, 12, text="Korvath")],
    },
    "span text disagrees": {"text": TEXT, "spans": [_span(0, 4, text="Col.")]},
    "label not in the schema": {"text": TEXT, "spans": [_span(0, 4, "PERSON")]},
    "label is a mapping": {"text": TEXT, "spans": [_span(0, 4, {"a": 1})]},
    "label is a list": {"text": TEXT, "spans": [_span(0, 4, ["TARGET"])]},
    "attribute value not allowed": {
        "text": TEXT,
        "spans": [_span(0, 4, "STATEMENT", attributes={"stance": "angry"})],
    },
    "attribute value is a mapping": {
        "text": TEXT,
        "spans": [_span(0, 4, "STATEMENT", attributes={"stance": {"x": 1}})],
    },
    "annotator is a list": {"text": TEXT, "spans": [_span(0, 4, annotator=["bob"])]},
    "annotator is a number": {"text": TEXT, "spans": [_span(0, 4, annotator=5)]},
    "annotator has a NUL": {"text": TEXT, "spans": [_span(0, 4, annotator="b\u0000b")]},
    "annotator name too long": {"text": TEXT, "spans": [_span(0, 4, annotator="b" * 201)]},
    "status annotator too long": {"text": TEXT, "status": {"b" * 201: "done"}},
    "overlap where forbidden": {"text": TEXT, "spans": [_span(0, 10), _span(5, 15)]},
    "duplicate span": {"text": TEXT, "spans": [_span(0, 4), _span(0, 4)]},
    "link to a missing span": {
        "text": TEXT,
        "spans": [_span(0, 4, "STATEMENT", id="T1")],
        "relations": [{"label": "aimed_at", "from": "T1", "to": "T9"}],
    },
    "status not a status": {"text": TEXT, "status": {"bob": "finished"}},
    "status is a list": {"text": TEXT, "status": {"bob": ["done"]}},
    "id too long": {"text": TEXT, "id": "x" * 201},
    "id is a float": {"text": TEXT, "id": 1.5},
    "published too long": {"text": TEXT, "published": "2026-03-14 " + "x" * 40},
    "text is a number": {"text": 5},
    "text is blank": {"text": " \n "},
    "meta is a list": {"text": TEXT, "meta": [1]},
    "not an object": [1, 2, 3],  # type: ignore[dict-item]
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_bad_records_are_refused(workspace: Workspace, tmp_path: Path, case: str) -> None:
    record = BAD_RECORDS[case]
    if isinstance(record, dict):
        record = {"id": "doc-1", **record}
    good = {"id": "good", "text": "A good record next to the bad one."}
    path = jsonl(tmp_path, good, record)
    outcome = attempt(workspace, path)
    assert isinstance(outcome, ImportRejected)
    assert f"{path}:2" in str(outcome), str(outcome)


def test_offsets_after_astral_characters_count_code_points(
    workspace: Workspace, tmp_path: Path
) -> None:
    text = "🚀🚀 Korvath 👩\u200d🚀 q\u0301es"
    start = text.index("Korvath")
    record = {"id": "cp", "text": text, "spans": [_span(start, start + 7, text="Korvath")]}
    outcome = attempt(workspace, jsonl(tmp_path, record))
    assert isinstance(outcome, ImportReport)
    spans = workspace.annotations("importer").spans(outcome.imported_ids[0])
    assert [(s.start, s.end) for s in spans] == [(start, start + 7)]
    with workspace.db.read() as s:
        assert s.scalar(select(Span.label)) == "TARGET"


# -- the command line says the same, without a traceback --


def test_cli_refusal_names_the_file_and_exits_1(sqlite_url: str, tmp_path: Path) -> None:
    bad = write(tmp_path, ".txt", b"caf\xe9")
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", sqlite_url, "import", str(bad)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    assert str(bad) in result.stderr and "0xe9" in result.stderr
    assert "Traceback" not in result.stderr
    with Workspace(sqlite_url) as ws:
        assert ws.documents.count() == 0


@pytest.mark.parametrize("text", ["", "  \n\t", "\x00"], ids=["empty", "blank", "nul"])
def test_service_refuses_what_the_readers_refuse(workspace: Workspace, text: str) -> None:
    """``DocumentService.add`` (for callers other than the importers) keeps the same rules."""
    before = snapshot(workspace)
    with pytest.raises((ValidationError, ImportRejected)) as caught:
        workspace.documents.add(text, key="direct")
    assert "empty" in str(caught.value) or "NUL" in str(caught.value)
    assert snapshot(workspace) == before


@pytest.mark.parametrize("opener", ["<title>", "<script>", "<style>", "<!--"])
def test_an_unclosed_raw_element_ends_the_page(
    workspace: Workspace, tmp_path: Path, opener: str
) -> None:
    """The rest of the page is inside it, as a browser reads it (and read in linear time:
    tests/bench/bench_import.py times a 4 MB one)."""
    path = tmp_path / "open.html"
    rest = "never closed " * 1000
    path.write_text(f"<p>Visible article text.</p>{opener}{rest}", encoding="utf-8")
    outcome = import_paths(workspace.db, [path])
    doc = workspace.documents.get(outcome.imported_ids[0])
    assert doc.text == "Visible article text."
    if opener == "<title>":
        assert doc.title == rest.strip()[:500]


def test_close_unclosed_counts_one_pass() -> None:
    """Linear work: a closed element is searched past once, an unclosed one gets its end."""
    from annotator.core.formats.readers.html import close_unclosed

    page = "<title>a</title><script>x<y</script><!-- c --><p>body"
    assert close_unclosed(page) == page
    assert close_unclosed(page + "<style>p{}") == page + "<style>p{}</style>"
    assert close_unclosed("<TITLE>open") == "<TITLE>open</title>"


@pytest.mark.parametrize("trap", ["x<y ", "a </ ", "a <? ", "a <! ", "a <![CDATA[ "])
def test_a_lt_that_nothing_ends_is_text(workspace: Workspace, tmp_path: Path, trap: str) -> None:
    """A "<" with no ">" after it is shown as text, as a browser shows it (and read in linear
    time: tests/bench/bench_import.py times a 4 MB page of them)."""
    path = tmp_path / "lt.html"
    path.write_text(f"<p>Visible.</p><p>{trap * 3000}", encoding="utf-8")
    outcome = import_paths(workspace.db, [path])
    doc = workspace.documents.get(outcome.imported_ids[0])
    assert doc.text == "Visible.\n\n" + " ".join((trap * 3000).split())


def test_escape_unterminated_leaves_tags_that_end() -> None:
    from annotator.core.formats.readers.html import escape_unterminated

    page = "<p>a<b>b</b> c < d</p>"
    assert escape_unterminated(page) == page
    assert escape_unterminated(page + " e < f") == page + " e &lt; f"
    assert escape_unterminated("<p>x<![CDATA[ y</p>") == "<p>x&lt;![CDATA[ y</p>"
