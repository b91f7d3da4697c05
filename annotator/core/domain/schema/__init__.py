"""Label schemas: YAML configuration parsed into frozen, typed objects.

A schema is written by a team lead, not a programmer, so every problem is reported at once, each
with the file, the line and the key, and nothing in a schema can execute code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotator.core.domain.schema.model import (
    MAX_NAME,
    MAX_SCHEMA_BYTES,
    RESERVED_HOTKEYS,
    Attribute,
    AttributeType,
    AttributeValue,
    Label,
    MigrationStep,
    Pattern,
    RelationType,
    Schema,
    Snap,
    StatementsExport,
    StepKind,
    SuggestionSettings,
    entity_field,
)

if TYPE_CHECKING:
    from annotator.core.domain.schema.parser import load_schema, normalise_hotkey, parse_schema

# The parser (and YAML with it) is imported when first asked for (PEP 562): the window's frame
# uses the model's types only, and paints before any schema is read (issue 13).
_PARSER = frozenset({"load_schema", "normalise_hotkey", "parse_schema"})


def __getattr__(name: str) -> Any:
    if name not in _PARSER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from annotator.core.domain.schema import parser

    value = getattr(parser, name)
    globals()[name] = value
    return value


__all__ = [
    "MAX_NAME",
    "MAX_SCHEMA_BYTES",
    "RESERVED_HOTKEYS",
    "Attribute",
    "AttributeType",
    "AttributeValue",
    "Label",
    "MigrationStep",
    "Pattern",
    "RelationType",
    "Schema",
    "Snap",
    "StatementsExport",
    "StepKind",
    "SuggestionSettings",
    "entity_field",
    "load_schema",
    "normalise_hotkey",
    "parse_schema",
]
