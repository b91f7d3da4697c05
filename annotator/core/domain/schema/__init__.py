"""Label schemas: YAML configuration parsed into frozen, typed objects.

A schema is written by a team lead, not a programmer, so every problem is reported at once, each
with the file, the line and the key, and nothing in a schema can execute code.
"""

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
from annotator.core.domain.schema.parser import load_schema, normalise_hotkey, parse_schema

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
