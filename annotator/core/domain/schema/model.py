"""Label schemas as frozen, typed objects: what every layer reads.

A schema is written by a team lead, not a programmer, so every problem is reported at once, each
with the file, the line and the key, and nothing in a schema can execute code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_SCHEMA_BYTES = 1_000_000
# \Z, not $: "$" also matches before a final newline, and a name "STATEMENT\n" is not a name.
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*\Z")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
MAX_NAME = 100  # the label columns of spans and relations, and schemas.version


# Keys the annotation window keeps for itself (undo, navigation, menus); a schema may not take
# them, or a label key would silently win over "undo" while the text has focus.
RESERVED_HOTKEYS = frozenset(
    {
        "Ctrl+Z",
        "Ctrl+Shift+Z",
        "Ctrl+Shift+A",  # Team > Agreement
        "Ctrl+Shift+D",  # Team > Dashboard
        "Ctrl+Shift+F",  # Edit > Search corpus
        "Ctrl+Y",
        "Ctrl+N",
        "Ctrl+F",  # find in the article
        "Ctrl+L",  # filter the document list
        "Ctrl+R",  # reopen a done document
        "Ctrl+B",  # jumps skip boilerplate, or not
        "Ctrl+Shift+B",  # mark or unmark boilerplate
        "Ctrl+Shift+L",  # links as arcs and labels as tags on the text, or not
        "Ctrl+E",
        "Ctrl+I",
        "Ctrl+O",
        "Ctrl+W",
        "Ctrl+Q",
        "F1",
        "F2",  # rename the document's title
        "Ctrl+G",  # curate gold
        "Ctrl+Shift+G",  # accept every agreed span into gold
        "F8",  # next span to decide on (curation)
        "Shift+F8",  # previous one
        "F4",  # next suggestion
        "Shift+F4",  # previous suggestion
        "F5",  # suggest again for the open document
        "F6",  # show or hide suggestions
    }
)


class AttributeType(StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"
    BOOL = "bool"


class Snap(StrEnum):
    WORD = "word"
    CHAR = "char"


@dataclass(frozen=True)
class AttributeValue:
    name: str
    description: str = ""
    hotkey: str | None = None


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttributeType
    required: bool = False
    default: Any = None
    description: str = ""
    values: tuple[AttributeValue, ...] = ()
    hotkey: str | None = None  # a bool's toggle or a text's editor; choices key their values

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values)


@dataclass(frozen=True)
class Pattern:
    """A phrase or regular expression that suggests a span of its label, with the attribute
    values a match implies (``drone`` -> weapon_type: drone). Exactly one of phrase and regex."""

    phrase: str | None = None
    regex: str | None = None
    attributes: tuple[tuple[str, Any], ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        """How the pattern is shown as evidence: the phrase, or the regex in slashes."""
        return self.phrase if self.phrase is not None else f"/{self.regex}/"


@dataclass(frozen=True)
class SuggestionSettings:
    """The schema's ``suggestions`` section: words the rule-based engines read.

    ``cue_verbs``: lemmas of verbs that report speech ("say", "warn"); ``titles``: words that
    may stand before a speaker's name ("Gen.", "Minister"). Empty: the engines' own lists.
    """

    cue_verbs: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Label:
    name: str
    color: str
    hotkey: str | None = None
    description: str = ""
    overlap: bool = True
    snap: Snap | None = None
    attributes: tuple[Attribute, ...] = ()
    needs_link: bool = False  # a span of this label must be linked to or from something
    patterns: tuple[Pattern, ...] = ()  # what the pattern engine suggests for this label
    # Its mentions name someone or something across documents (SPEAKER, TARGET): each may be
    # linked to a canonical entity of the registry (``annotator entities``).
    entity: bool = False
    cross_paragraph: bool | None = None  # None: as ``Schema.may_cross_paragraph`` decides

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class RelationType:
    name: str
    source: str
    target: str
    hotkey: str | None = None
    max: int | None = None
    description: str = ""
    required: bool = False  # every span of the source label needs one (said_by for STATEMENT)
    attributes: tuple[Attribute, ...] = ()  # a link's own values (stance toward its target)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


def entity_field(field_name: str, relation: RelationType, target: Label | None) -> str | None:
    """The statements export's field for the entities a link's targets name, when the target
    label has ``entity: true``: ``speaker`` over a link of at most one gives
    ``speaker_entity`` (one entity or null), ``target`` gives ``target_entities`` (a list)."""
    if target is None or not target.entity:
        return None
    return f"{field_name}_entity" if relation.max == 1 else f"{field_name}_entities"


@dataclass(frozen=True)
class StatementsExport:
    """How the statements export reads the schema: which label, which links become fields."""

    label: str
    fields: tuple[tuple[str, str], ...]
    context_sentences: int = 1


class StepKind(StrEnum):
    """What a schema's ``migrations`` section may say becomes of earlier annotations."""

    RENAME_LABEL = "rename_label"
    ARCHIVE_LABEL = "archive_label"
    RENAME_ATTRIBUTE = "rename_attribute"
    ARCHIVE_ATTRIBUTE = "archive_attribute"
    RENAME_VALUE = "rename_value"
    MERGE_VALUES = "merge_values"
    MAP_REMOVED_VALUE = "map_removed_value"
    ARCHIVE_VALUE = "archive_value"
    RENAME_RELATION = "rename_relation"
    ARCHIVE_RELATION = "archive_relation"


@dataclass(frozen=True)
class MigrationStep:
    """One step of a schema's ``migrations``: what becomes of annotations of an earlier schema.

    ``old`` holds the names as annotations may still carry them (several for ``merge_values``);
    ``new`` the name they get (None for an archive step). Attribute and value steps name the
    label (and attribute) as this schema spells it, so every step can be checked against the
    schema alone, with the line it is on; on a relation's attribute ``label`` holds the
    relation's name and ``on_relation`` is set.
    """

    kind: StepKind
    old: tuple[str, ...]
    new: str | None = None
    label: str | None = None
    attribute: str | None = None
    line: int = 0
    on_relation: bool = False  # ``label`` names a relation: the step acts on links' values

    @property
    def text(self) -> str:
        """The step as one line: ``rename_value STATEMENT.stance: threatens -> threat``."""
        owner = ".".join(p for p in (self.label, self.attribute) if p)
        old = ", ".join(self.old)
        change = old if self.new is None else f"{old} -> {self.new}"
        return f"{self.kind.value} {owner}: {change}" if owner else f"{self.kind.value} {change}"


@dataclass(frozen=True)
class Schema:
    name: str
    version: str
    labels: tuple[Label, ...]
    relations: tuple[RelationType, ...] = ()
    description: str = ""
    guidelines: str = ""
    snap: Snap = Snap.WORD
    statements: StatementsExport | None = None
    migrations: tuple[MigrationStep, ...] = ()
    suggestions: SuggestionSettings = field(default_factory=SuggestionSettings)
    source_text: str = field(default="", repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source_text.encode("utf-8")).hexdigest()

    def label(self, name: str) -> Label | None:
        return next((lab for lab in self.labels if lab.name == name), None)

    @property
    def entity_labels(self) -> tuple[str, ...]:
        """The labels whose mentions link to entities of the registry (``entity: true``)."""
        return tuple(lab.name for lab in self.labels if lab.entity)

    def relation(self, name: str) -> RelationType | None:
        return next((r for r in self.relations if r.name == name), None)

    def may_cross_paragraph(self, label: str) -> bool:
        """Whether a span of ``label`` may run over a paragraph break (a blank line). Unless
        the label says, the statements export's label may not (a statement that silently
        spans two paragraphs was issue 13's defect 5) and every other label may."""
        found = self.label(label)
        if found is not None and found.cross_paragraph is not None:
            return found.cross_paragraph
        return self.statements is None or self.statements.label != label

    def snap_for(self, label: str) -> Snap:
        found = self.label(label)
        return found.snap if found is not None and found.snap is not None else self.snap
