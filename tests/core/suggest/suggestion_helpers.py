"""What the suggestion tests share: a schema whose patterns also find quoted statements (so the
pattern engine alone makes whole frames), and a short article with one of each."""

from __future__ import annotations

from annotator.core.domain.schema import Schema, parse_schema
from annotator.core.services.bundled import schema_path
from annotator.core.services.workspace import Workspace

DEFAULT = schema_path().read_text(encoding="utf-8")
QUOTED = """    overlap: true
    patterns:
      - regex: '“[^”]*”'
        attributes: {form: direct}
"""


def quoting_schema() -> Schema:
    """The default schema, with a STATEMENT pattern: any text in curly double quotes."""
    assert DEFAULT.count("    overlap: true\n") == 1  # STATEMENT's
    return parse_schema(DEFAULT.replace("    overlap: true\n", QUOTED), "quoting.yaml")


TEXT = (
    "Korvath answers.\n"
    "“We will double our ballistic missiles and NATO cannot stop us,” Gen. Yilmaz said. "
    "Drones were seen near the border.\n"
)


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


QUOTE = at(TEXT, "“We will double our ballistic missiles and NATO cannot stop us,”")
MISSILES = at(TEXT, "ballistic missiles")
NATO = at(TEXT, "NATO")
DRONES = at(TEXT, "Drones")


def workspace_with_quotes(url: str) -> tuple[Workspace, int]:
    """A workspace on ``url`` whose active schema finds quotes, with the article in it."""
    ws = Workspace(url)
    ws.schemas.set_active(quoting_schema())
    return ws, ws.documents.add(TEXT, key="art-1").id
