"""The spaCy export writes spaCy's files without importing spaCy, and its copies are spaCy's.

Importing spaCy took the export most of a second and ``spacy.blank`` another quarter, for a
few constants, a hash and three config texts. The export now holds its own copies (the symbol
table and attribute ids in ``spacy_symbols``, the hash in ``spacy_hash``, the configs as
templates in ``spacy_configs/``); here each is held to the installed spaCy, so an upgrade that
changes one fails these tests instead of writing files spaCy reads differently.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.core.domain.errors import ExportError
from annotator.core.formats.writers import spacy_config, spacy_hash, spacy_symbols
from annotator.core.formats.writers.spacy_docbin import ATTRS, MISSING, require_spacy
from annotator.core.formats.writers.spacy_stance import ATTRS as STANCE_ATTRS

spacy = pytest.importorskip("spacy")
from spacy.strings import get_string_id, hash_string  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from tests.core import spacy_config_reference as reference  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# Words, white space, marks, scripts, emoji and NUL; every length 0..40 (the hash reads 8 bytes
# at a time and then a tail of 0-7); symbol names and near misses.
STRINGS = [
    "",
    " ",
    "\n",
    "\n\n",
    "\t",
    "\u00a0",
    "\u2028",
    "\x00",
    "a\x00b",
    "Gen.",
    "“Our",
    "Q\u0301uarta",
    "Überraschung",
    "日本語のテキスト",
    "Жуков",
    "🚀\ufe0f",
    "\u200d",
    "T1",
    "T12345",
    "0",
    "1",
    "42",
    "3.14",
    "sc",
    "STATEMENT",
    "stance",
    "orth",
    "Orth",
    "person",
    "Person",
    "NUMBER",
    "ROOT",
    "Root",
    "FLAG64",
    "DEPRECATED277",
    "IS_ALPHA ",
    "x" * 1000,
    "é" * 333,
    *("abcdefghijklmnopqrstuvwxyz0123456789ABCDE"[:n] for n in range(41)),
    *spacy.symbols.IDS,
]


def test_the_symbol_table_is_spacys() -> None:
    assert spacy_symbols.SYMBOL_IDS == spacy.symbols.IDS
    assert list(spacy_symbols.SYMBOL_NAMES) == spacy.symbols.NAMES


def test_attribute_ids_and_the_docbin_layout_are_spacys() -> None:
    attrs = spacy.attrs
    ours = (spacy_symbols.ORTH, spacy_symbols.ENT_IOB, spacy_symbols.ENT_TYPE)
    assert ours == (attrs.ORTH, attrs.ENT_IOB, attrs.ENT_TYPE)
    assert (spacy_symbols.SENT_START, spacy_symbols.SPACY) == (attrs.SENT_START, attrs.SPACY)
    for names in (
        ATTRS,
        STANCE_ATTRS,
        ("SENT_START", "ENT_TYPE", "ORTH", "ENT_IOB"),
        ("ENT_TYPE", "SPACY", "LEMMA"),
        (),
    ):
        docbin = DocBin(attrs=list(names), store_user_data=True)
        assert spacy_symbols.docbin_attrs(names) == docbin.attrs, names
        assert docbin.version == spacy_symbols.DOCBIN_VERSION


def test_string_ids_are_spacys_symbols_and_hashes() -> None:
    assert [spacy_hash.string_id(s) for s in STRINGS] == [get_string_id(s) for s in STRINGS]


def test_both_hash_functions_are_spacys_hash_string() -> None:
    native = spacy_hash.native_hash64()
    assert native is not None  # the fast one is reachable where spaCy is installed
    assert spacy_hash.hash64 is not spacy_hash.murmur64a
    for string in filter(None, STRINGS):
        data = string.encode("utf-8")
        expected = hash_string(string)
        assert (native(data), spacy_hash.murmur64a(data)) == (expected, expected), string


def test_the_templates_are_what_the_installed_spacy_writes() -> None:
    """After a spaCy upgrade that changes a default: python -m tests.core.spacy_config_reference"""
    for name, text in reference.templates().items():
        assert (spacy_config.TEMPLATES / name).read_text(encoding="utf-8") == text, name


def body(config: str) -> str:
    """A config without the export's header comment."""
    header, found, rest = config.partition("[paths]\n")
    assert found and all(line.startswith("#") for line in header.splitlines())
    return found + rest


LABEL_SETS = [
    ["STATEMENT", "SPEAKER", "TARGET", "WEAPON"],
    [],
    ["a b", 'say "no"', "back\\slash", "Zürich", "中文", "🚀", "$money", "100%", "${x}", "<<dev>>"],
]


@pytest.mark.parametrize("labels", LABEL_SETS)
@pytest.mark.parametrize(
    ("longest", "train", "dev"),
    [
        (37, "train.spacy", "dev.spacy"),
        (0, None, None),
        (1, "train.spacy", None),
        (2, "${paths.dev}", "$dev.spacy"),  # a string holding a reference is written as it is
    ],
)
@pytest.mark.parametrize("key", ["sc", "spans"])
def test_the_span_config_is_what_spacy_generates(
    labels: list[str], longest: int, train: str | None, dev: str | None, key: str
) -> None:
    ours = spacy_config.spans_config(key, labels, longest, train, dev)
    assert body(ours) == reference.spans_body(key, labels, longest, train, dev)


@pytest.mark.parametrize("values", LABEL_SETS)
@pytest.mark.parametrize("exclusive", [True, False])
@pytest.mark.parametrize(
    ("attribute", "train", "dev"),
    [("stance", "train.stance.spacy", "dev.stance.spacy"), ("tone", None, None)],
)
def test_the_statement_config_is_what_spacy_generates(
    values: list[str], exclusive: bool, attribute: str, train: str | None, dev: str | None
) -> None:
    ours = spacy_config.stance_config("STATEMENT", attribute, values, exclusive, train, dev)
    assert body(ours) == reference.stance_body(values, exclusive, train, dev)


def test_spacy_missing_is_refused_without_importing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    require_spacy()  # installed here: no complaint
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if the extra were not installed
    with pytest.raises(ExportError) as refused:
        require_spacy()
    assert str(refused.value) == MISSING


EXPORT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from annotator.core.services.demo import load_demo
    from annotator.core.services.exporting.dataset import ExportOptions, export_dataset
    from annotator.core.services.exporting.source import ExportFilter
    from annotator.core.services.exporting.splits import SplitSpec
    from annotator.core.services.workspace import Workspace

    folder = Path(sys.argv[1])
    with Workspace(f"sqlite:///{folder / 'demo.sqlite3'}") as ws:
        load_demo(ws, annotator="alice")
        options = ExportOptions(
            filter=ExportFilter(statuses=("in_progress",)),
            split=SplitSpec.parse("train=0.5,dev=0.5"),
        )
        export_dataset(ws.db, ws.active_schema(), folder / "out", "spacy", options)
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc"))))
    """
)


def test_a_spacy_export_never_imports_spacy(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", EXPORT, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    for name in ("config.cfg", "config.stance.cfg", "train.spacy", "train.stance.spacy"):
        assert name in written  # every writer ran, the configs' included
    assert json.loads(done.stdout.splitlines()[-1]) == []
