"""Hostile label schemas: whatever the YAML, the loader gives a Schema or a located SchemaError.

A schema file comes from a person with a text editor, or from someone else's project. Whatever
it holds, loading it must end quickly, in bounded memory, with either a usable schema or our
typed error pointing at a line: never a traceback, never a hang, never code run.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.domain.errors import SchemaError
from annotator.core.domain.schema import (
    MAX_NAME,
    MAX_SCHEMA_BYTES,
    AttributeType,
    Schema,
    load_schema,
    normalise_hotkey,
    parse_schema,
)
from annotator.core.domain.schema.model import NAME_RE
from annotator.core.services.bundled import schemas_dir
from annotator.core.services.workspace import Workspace

FILE = "hostile.yaml"
BUNDLED = {p.name: p.read_text(encoding="utf-8") for p in sorted(schemas_dir().glob("*.yaml"))}
# What YAML counts as a line break; a problem's line must exist in the file.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
HARD_LIMIT_S = 20  # a hang, not slowness: the worst 1 MB input parses in about 6 s here
SETTINGS = settings(
    max_examples=300,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` can swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(_signum: int, _frame: Any) -> None:
        raise Hang(f"parse_schema ran over {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check(text: str) -> Schema | None:
    """Parse; return the schema, or None after checking the error is ours and located."""
    with time_limit(HARD_LIMIT_S):
        try:
            schema = parse_schema(text, FILE)
        except SchemaError as exc:
            error = exc
        else:
            error = None
    if error is not None:
        assert_located(error, text)
        return None
    assert_consistent(schema)
    return schema


def assert_located(exc: SchemaError, text: str) -> None:
    assert exc.problems, "a SchemaError must say what is wrong"
    last_line = len(_BREAKS.findall(text)) + 1
    for problem in exc.problems:
        assert problem.file == FILE
        assert problem.reason.strip()
        if problem.line is None:
            # Only a problem with the file as a whole has no line.
            assert len(text) > MAX_SCHEMA_BYTES, problem
        else:
            assert 1 <= problem.line <= last_line, (problem, last_line)
    assert FILE in str(exc)


def assert_consistent(schema: Schema) -> None:
    """A schema that loaded is one the rest of the program can rely on."""
    assert isinstance(schema, Schema)
    assert schema.labels
    names = [lab.name for lab in schema.labels]
    assert len(set(names)) == len(names)
    assert all(NAME_RE.match(n) for n in names)
    for lab in schema.labels:
        assert lab.hotkey is None or normalise_hotkey(lab.hotkey) == lab.hotkey
        for attr in lab.attributes:
            if attr.type in (AttributeType.CHOICE, AttributeType.MULTI):
                assert attr.values
            if attr.default is not None and attr.type is AttributeType.CHOICE:
                assert attr.default in attr.value_names
    for rel in schema.relations:
        assert rel.source in names and rel.target in names
        assert rel.max is None or rel.max >= 1
    if schema.statements is not None:
        assert schema.statements.label in names
        rel_names = {r.name for r in schema.relations}
        assert all(rel in rel_names for _, rel in schema.statements.fields)
    assert len(schema.sha256) == 64
    # Loading is a function of the text: the stored copy loads to the same schema.
    assert parse_schema(schema.source_text, FILE) == schema


# -- the bundled schemas are the seeds; they must load --


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_schemas_load(name: str) -> None:
    assert check(BUNDLED[name]) is not None


# -- random text --

_ANY_CHAR = st.characters(exclude_categories=()) | st.sampled_from(["\ud800", "\udfff", "\x00"])


@SETTINGS
@given(st.text(_ANY_CHAR, max_size=400))
def test_random_unicode(text: str) -> None:
    check(text)


_TOKENS = [
    *": -[]{},?|>'\"#&*!%@`\t\n",
    "  ",
    "\n  ",
    "\n    - ",
    "&a ",
    "*a",
    "!!int ",
    "!!str ",
    "!!bool ",
    "!!float ",
    "!!binary ",
    "!!timestamp ",
    "!!set ",
    "!!omap ",
    "!!python/object/apply:os.system ",
    "!custom ",
    "<<: ",
    "? ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "2024-13-45",
    "2024-02-30 25:61:61",
    "0x1F",
    "0o17",
    "1e999",
    ".nan",
    "-.inf",
    "9" * 5000,
    "yes",
    "~",
    "null",
    "\\u0000",
    "\\ud800",
    "\x00",
    "\ufeff",
    "\u2028",
    "\x85",
    "\u202e",
    "name",
    "version",
    "labels",
    "attributes",
    "values",
    "relations",
    "exports",
    "statements",
    "fields",
    "color",
    "hotkey",
    "type",
    "choice",
    "multi",
    "text",
    "default",
    "required",
    "from",
    "to",
    "max",
    "overlap",
    "snap",
    "word",
    "STATEMENT",
    "SPEAKER",
    "said_by",
    "Ctrl+Shift+K",
    "F13",
    "'#ffcc00'",
    "x" * 3000,
]


@SETTINGS
@given(st.lists(st.sampled_from(_TOKENS), max_size=80).map("".join))
def test_random_yaml_tokens(text: str) -> None:
    check(text)


# -- mutations of real schemas --


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    text = BUNDLED[draw(st.sampled_from(sorted(BUNDLED)))]
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                ["insert", "delete", "duplicate", "swap", "indent", "dedent", "tab", "cut"]
            )
        )
        if kind == "insert":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            token = draw(st.sampled_from(_TOKENS) | st.text(_ANY_CHAR, max_size=5))
            lines[i] = line[:k] + token + line[k:]
        elif kind == "delete":
            del lines[min(i, j) : max(i, j) + 1]
        elif kind == "duplicate":
            lines.insert(j, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = "  " + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i].lstrip()
        elif kind == "tab":
            lines[i] = lines[i].replace("  ", "\t", 1)
        else:
            line = lines[i]
            lines[i] = line[: draw(st.integers(0, len(line)))]
        text = "\n".join(lines)
    return text


@SETTINGS
@given(mutated_text())
def test_mutated_bundled_schemas(text: str) -> None:
    check(text)


# -- right syntax, wrong shapes: a subtree of a real schema replaced by anything --

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["STATEMENT", "said_by", "choice", "multi", "S", "#fff", "word", "1.0"])
)
_ANY_VALUE = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_TOKENS[40:70]) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _replace_somewhere(tree: Any, draw: st.DrawFn) -> Any:
    if isinstance(tree, dict) and tree and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(tree)))
        return {**tree, key: _replace_somewhere(tree[key], draw)}
    if isinstance(tree, list) and tree and draw(st.booleans()):
        i = draw(st.integers(0, len(tree) - 1))
        return [*tree[:i], _replace_somewhere(tree[i], draw), *tree[i + 1 :]]
    return draw(_ANY_VALUE)


@st.composite
def reshaped_text(draw: st.DrawFn) -> str:
    tree = yaml.safe_load(BUNDLED[draw(st.sampled_from(sorted(BUNDLED)))])
    for _ in range(draw(st.integers(1, 3))):
        tree = _replace_somewhere(tree, draw)
    return yaml.safe_dump(
        tree, allow_unicode=True, sort_keys=False, default_flow_style=draw(st.booleans())
    )


@SETTINGS
@given(reshaped_text())
def test_real_schemas_with_a_subtree_replaced(text: str) -> None:
    check(text)


# -- a fixed list of nasty files, each also held to a memory bound --

_LABEL = "  - {name: L%d, color: '#fff'}\n"
_HEAD = "name: x\nversion: '1'\nlabels:\n"
NASTY = {
    "billion laughs": (
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(9)
        )
    ),
    "alias in a real place": _HEAD + "  - &lab {name: A, color: '#fff'}\n  - *lab\n",
    "merge key": _HEAD + "  - {<<: {name: A}, color: '#fff'}\n",
    "deep flow nesting": "labels: " + "[" * 200_000,
    "deep block nesting": "".join("  " * i + "- \n" for i in range(900)),
    "deep flow mappings": "{a: " * 100_000,
    "deep indented mappings": "".join(" " * i + f"k{i}:\n" for i in range(1000)),
    "huge value": "name: " + "a" * 900_000 + "\nversion: '1'\n",
    "huge key": "k" * 900_000 + ": 1\n",
    "huge quoted escapes": 'name: "' + "\\u0041" * 150_000 + '"\n',
    "thousands of labels and relations": _HEAD
    + "".join(_LABEL % i for i in range(6000))
    + "relations:\n"
    + "".join(f"  - {{name: R{i}, from: L{i}, to: Nope{i}}}\n" for i in range(6000)),
    "one byte over the limit": "#" * MAX_SCHEMA_BYTES + "\n",
    "tab indentation": "name: x\nversion: '1'\nlabels:\n\t- name: A\n\t  color: '#fff'\n",
    "tab after a key": "name:\tx\nversion:\t'1'\nlabels:\n  - {name: A,\tcolor: '#fff'}\n",
    "duplicate top key": _HEAD + "  - {name: A, color: '#fff'}\nname: y\n",
    "duplicate label key": _HEAD + "  - name: A\n    name: B\n    color: '#fff'\n",
    "duplicate labels": _HEAD + "  - {name: A, color: '#fff'}\n  - {name: A, color: '#000'}\n",
    "labels is text": "name: x\nversion: '1'\nlabels: STATEMENT\n",
    "labels is a number": "name: x\nversion: '1'\nlabels: 5\n",
    "labels is a mapping": "name: x\nversion: '1'\nlabels: {A: {color: '#fff'}}\n",
    "attributes is yes": _HEAD + "  - {name: A, color: '#fff', attributes: yes}\n",
    "values is a number": _HEAD
    + "  - {name: A, color: '#fff', attributes: [{name: a, type: choice, values: 3}]}\n",
    "value is a mapping of lists": _HEAD
    + "  - {name: A, color: '#fff', attributes: "
    + "[{name: a, type: choice, values: [{name: [1]}]}]}\n",
    "hotkey is a list": _HEAD + "  - {name: A, color: '#fff', hotkey: [S]}\n",
    "color is hex number": _HEAD + "  - {name: A, color: 0xfff}\n",
    "max is negative": _HEAD
    + "  - {name: A, color: '#fff'}\nrelations:\n  - {name: r, from: A, to: A, max: -1}\n",
    "max is a float": _HEAD
    + "  - {name: A, color: '#fff'}\nrelations:\n  - {name: r, from: A, to: A, max: 1.5}\n",
    "max is huge": _HEAD
    + "  - {name: A, color: '#fff'}\nrelations:\n  - {name: r, from: A, to: A, max: "
    + "9" * 4000
    + "}\n",
    "name is null": "name: ~\nversion: '1'\nlabels:\n  - {name: A, color: '#fff'}\n",
    "version is a list": "name: x\nversion: [1]\nlabels:\n  - {name: A, color: '#fff'}\n",
    "fields is a list": _HEAD
    + "  - {name: A, color: '#fff'}\nexports: {statements: {label: A, fields: [a]}}\n",
    "bad timestamp": "name: x\nversion: 2024-13-45\nlabels:\n  - {name: A, color: '#fff'}\n",
    "bad timestamp key": "2024-13-45: x\n",
    "bad explicit int": "name: !!int abc\n",
    "bad explicit bool": "name: !!bool maybe\n",
    "bad explicit timestamp": "name: !!timestamp abc\n",
    "bad binary": "name: !!binary '%%%'\n",
    "python object": "name: !!python/object/apply:os.system ['touch {marker}']\n",
    "python name": "name: !!python/name:os.system\n",
    "custom tag": "name: !vault x\n",
    "two documents": "name: x\n---\nname: y\n",
    "directive": "%YAML 1.1\n---\nname: x\n",
    "bad directive": "%YAML 9.9\n---\nname: x\n",
    "empty": "",
    "only comments": "# nothing\n# here\n",
    "only a dash": "-",
    "NUL": "name: a\x00b\n",
    "lone surrogate": "name: a\ud800b\n",
    "BOM in the middle": "name: x\n\ufeffversion: '1'\n",
    "line separators": "name: x\u2028version: '1'\x85labels: []\n",
    "right-to-left override": _HEAD + "  - {name: \u202eA, color: '#fff'}\n",
    "emoji label": _HEAD + "  - {name: 🚀, color: '#fff'}\n",
    "zero-width key": "na\u200bme: x\n",
    "name with a final newline": _HEAD + '  - {name: "A\\n", color: "#fff"}\n',
    "colour with a final newline": _HEAD + '  - {name: A, color: "#fff\\n"}\n',
    "label name too long": _HEAD + "  - {name: %s, color: '#fff'}\n" % ("A" * 101),
    "version too long": "name: x\nversion: '%s'\nlabels:\n  - {name: A, color: '#fff'}\n"
    % ("1" * 101),
}


@pytest.mark.parametrize("case", sorted(NASTY))
def test_nasty_schema(case: str, tmp_path: Path) -> None:
    marker = tmp_path / "code-was-run"
    check(NASTY[case].replace("{marker}", str(marker)))
    assert not marker.exists()


# Memory is measured in a child process (peak RSS) for the inputs that could blow it up: the
# big ones and those with aliases. Inputs are capped at 1 MB; PyYAML holds ~100 bytes a token.
MEMORY_LIMIT_MB = 160
_CHILD = """
import resource, sys
from annotator.core.domain.errors import SchemaError
from annotator.core.services.workspace import Workspace
from annotator.core.domain.schema import parse_schema
text = open(sys.argv[1], encoding="utf-8", errors="surrogatepass").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "parse":
    try:
        parse_schema(text, "hostile.yaml")
    except SchemaError:
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def _rss_growth_kb(text: str, tmp_path: Path, action: str) -> int:
    path = tmp_path / "input.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), action],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(out.stdout.strip())


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", sorted(c for c, t in NASTY.items() if len(t) > 50_000 or "&" in t or "<<" in t)
)
def test_nasty_schema_memory_is_bounded(case: str, tmp_path: Path) -> None:
    growth_mb = _rss_growth_kb(NASTY[case], tmp_path, "parse") / 1024
    assert growth_mb < MEMORY_LIMIT_MB, f"{case}: parsing grew the process by {growth_mb:.0f} MB"


# What the refusal of some of them must say, so that the person can fix the file.
REFUSED_SAYING = {
    "billion laughs": "aliases",
    "alias in a real place": "aliases",
    "deep flow nesting": "nested deeper",
    "deep block nesting": "nested deeper",
    "deep indented mappings": "nested deeper",
    "one byte over the limit": "larger than 1 MB",
    "duplicate top key": "duplicate key",
    "duplicate labels": "duplicate label",
    "bad timestamp": "2024-13-45",
    "python object": "name: must be text",
    "NUL": "U+0000",
    "lone surrogate": "U+D800",
    "two documents": "single document",
    "fields is a list": "must map output field names",
    "name with a final newline": "must start with a letter",
    "colour with a final newline": "is not a colour",
    "label name too long": "longer than 100 characters",
    "version too long": "longer than 100 characters",
}


@pytest.mark.parametrize("case", sorted(REFUSED_SAYING))
def test_nasty_schema_refusal_says_why(case: str) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_schema(NASTY[case], FILE)
    assert REFUSED_SAYING[case] in str(caught.value)


# -- files on disk: size is checked before the file is read --


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(4 * 2**30)  # sparse: 4 GB that take no disk space
    tracemalloc.start()
    try:
        with pytest.raises(SchemaError) as caught:
            load_schema(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 1 MB" in str(caught.value)
    assert str(path) in str(caught.value)
    assert peak < 8 * 2**20


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfen\x00a\x00m\x00e\x00", b"name: caf\xe9\n", b"\x00" * 100, b"name: \xed\xa0\x80\n"],
    ids=["utf-16", "latin-1", "nul bytes", "encoded surrogate"],
)
def test_undecodable_files_are_refused(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(path) in str(caught.value)


# -- what the loader allows, the database holds --


def test_longest_names_a_schema_allows_fit_the_database(workspace: Workspace) -> None:
    """PostgreSQL refuses over-long VARCHARs where SQLite stores them: the schema must not
    accept a name that only one of them can hold."""
    label, other, link = "L" * MAX_NAME, "M" * MAX_NAME, "R" * MAX_NAME
    schema = parse_schema(
        f"name: {'S' * MAX_NAME}\nversion: '{'9' * MAX_NAME}'\nlabels:\n"
        f"  - {{name: {label}, color: '#fff'}}\n  - {{name: {other}, color: '#000'}}\n"
        f"relations:\n  - {{name: {link}, from: {label}, to: {other}}}\n",
        FILE,
    )
    doc = workspace.documents.add("The minister said so.", key="long-names")
    ann = workspace.annotations("alice", schema)
    source = ann.create_span(doc.id, 0, 12, label)
    target = ann.create_span(doc.id, 13, 17, other)
    ann.link(source.id, target.id, link)
    assert [r.label for r in ann.relations(doc.id)] == [link]
