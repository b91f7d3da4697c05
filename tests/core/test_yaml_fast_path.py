"""Schemas are composed by libyaml when it is safe (the window parses the active schema at every
start): the result is the same as the pure-Python composer's, line numbers included, and every
doubtful text (an alias, deep nesting, a syntax error) still gets the pure-Python path's word."""

from __future__ import annotations

from typing import Any

import pytest

from annotator.core.domain.errors import SchemaError
from annotator.core.domain.schema import parse_schema, yaml_loader
from annotator.core.domain.schema.yaml_loader import Located, load_located
from annotator.core.services.bundled import schemas_dir
from tests.core.schema_variants import experiment, with_certainty

SCHEMAS = {
    **{p.name: p.read_text(encoding="utf-8") for p in sorted(schemas_dir().glob("*.yaml"))},
    "certainty": with_certainty((schemas_dir() / "defence_statements.yaml").read_text("utf-8")),
    "experiment": experiment(),
}


def plain(located: Any) -> Any:
    """A Located tree as nested (value, line) pairs, to compare two trees whole."""
    if isinstance(located, Located):
        return (plain(located.value), located.line)
    if isinstance(located, dict):
        return {k: plain(v) for k, v in located.items()}
    if isinstance(located, list):
        return [plain(v) for v in located]
    return located


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_libyaml_gives_the_same_tree_and_lines(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SCHEMAS[name]
    assert yaml_loader._fast_compose(text) is not None  # the fast path is taken
    fast = plain(load_located(text, name))
    monkeypatch.setattr(yaml_loader, "_fast_compose", lambda _text: None)
    assert fast == plain(load_located(text, name))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("name: a\nversion: &v '1'\ndescription: *v\nlabels: []\n", "aliases (*name)"),
        ("name: x\nlabels: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels"),
        ("name: x\nlabels: " + "[" * 100_000 + "\n", "nested deeper than 32 levels"),
        ("name: x\n  bad: indent\n", "not valid YAML"),
        ("name: a\nname: b\nlabels: []\n", "duplicate key (first given on line 1)"),
    ],
)
def test_doubtful_texts_get_the_careful_path_and_its_message(text: str, reason: str) -> None:
    with pytest.raises(SchemaError) as raised:
        parse_schema(text, "hostile.yaml")
    assert reason in str(raised.value)
