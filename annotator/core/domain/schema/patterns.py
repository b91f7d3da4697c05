"""A label's ``patterns`` and the schema's ``suggestions`` section, read with file and line.

Patterns are what the pattern engine suggests: a ``phrase`` (matched whole words, any case,
with plural and possessive endings) or a ``regex``, each with the attribute values a match
implies. A pattern is checked here as the rest of the schema is: a regular expression that
does not compile, an attribute or value the label lacks, or an unknown key names its line.
Neither changes how annotations validate: patterns only feed suggestions.
"""

from __future__ import annotations

import re
from typing import Any

from annotator.core.domain.errors import Problem
from annotator.core.domain.regex_risk import repeats_a_repeat
from annotator.core.domain.schema.model import (
    Attribute,
    AttributeType,
    Pattern,
    Schema,
    SuggestionSettings,
)
from annotator.core.domain.schema.reading import NodeReader, plain
from annotator.core.domain.schema.yaml_loader import Located

PATTERN_KEYS = {"phrase", "regex", "attributes", "description"}
SUGGESTION_KEYS = {"cue_verbs", "titles"}
MAX_PATTERN = 500  # characters of a phrase or regex
_WORD = re.compile(r"\w")
_CUE_VERB = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*\Z")


class PatternReader:
    """Reads patterns and the suggestions section, reporting through the schema's parser."""

    def __init__(self, reader: NodeReader) -> None:
        self.r = reader

    def patterns(
        self, m: dict[str, Located], where: str, attributes: tuple[Attribute, ...]
    ) -> tuple[Pattern, ...]:
        """A label's ``patterns`` list (``where`` is the label's path, e.g. labels.WEAPON)."""
        found = []
        for i, node in enumerate(self.r.items(m, "patterns", where)):
            pattern = self._pattern(node, f"{where}.patterns[{i}]", attributes)
            if pattern is not None:
                found.append(pattern)
        return tuple(found)

    def _pattern(
        self, node: Located, where: str, attributes: tuple[Attribute, ...]
    ) -> Pattern | None:
        p = self.r.mapping(node, where, PATTERN_KEYS)
        if p is None:
            return None
        given = [k for k in ("phrase", "regex") if k in p]
        if len(given) != 1:
            self.r.problem(node.line, where, "needs exactly one of phrase or regex")
            return None
        key = given[0]
        text = self.r.get(p, key, where, str, node.line, required=True)
        if text is None:
            return None
        line = p[key].line
        if len(text) > MAX_PATTERN:
            self.r.problem(line, f"{where}.{key}", f"is longer than {MAX_PATTERN} characters")
            return None
        if key == "phrase" and not _WORD.search(text):
            self.r.problem(line, f"{where}.phrase", f"{text!r} holds no word to match")
            return None
        if key == "regex" and not self._regex_ok(text, line, f"{where}.regex"):
            return None
        values = self._values(p, where, attributes)
        if values is None:
            return None
        return Pattern(
            phrase=text if key == "phrase" else None,
            regex=text if key == "regex" else None,
            attributes=values,
            line=line,
        )

    def _regex_ok(self, text: str, line: int, where: str) -> bool:
        try:
            compiled = re.compile(text)
            re.compile(bounded_regex(text))
        except re.error as exc:
            self.r.problem(line, where, f"{text!r} is not a regular expression: {exc}")
            return False
        if compiled.fullmatch("") is not None:
            self.r.problem(line, where, f"{text!r} matches empty text; it must match a word")
            return False
        return True

    def _values(
        self, p: dict[str, Located], where: str, attributes: tuple[Attribute, ...]
    ) -> tuple[tuple[str, Any], ...] | None:
        if "attributes" not in p or p["attributes"].value is None:
            return ()
        node = p["attributes"]
        if not isinstance(node.value, dict):
            self.r.problem(node.line, f"{where}.attributes", "must map attribute names to values")
            return None
        by_name = {a.name: a for a in attributes}
        values: list[tuple[str, Any]] = []
        ok = True
        for name, value_node in node.value.items():
            path = f"{where}.attributes.{name}"
            attr = by_name.get(name)
            if attr is None:
                known = ", ".join(sorted(by_name)) or "none"
                self.r.problem(
                    value_node.line, path, f"the label has no attribute {name!r} ({known})"
                )
                ok = False
                continue
            value = _fit(attr, plain(value_node.value))
            if value is None:
                allowed = ", ".join(attr.value_names) if attr.values else attr.type.value
                self.r.problem(
                    value_node.line,
                    path,
                    f"{plain(value_node.value)!r} is not an allowed value ({allowed})",
                )
                ok = False
                continue
            values.append((name, value))
        return tuple(values) if ok else None

    def settings(self, top: dict[str, Located]) -> SuggestionSettings:
        """The top-level ``suggestions`` section (``cue_verbs``, ``titles``)."""
        if "suggestions" not in top or top["suggestions"].value is None:
            return SuggestionSettings()
        m = self.r.mapping(top["suggestions"], "suggestions", SUGGESTION_KEYS)
        if m is None:
            return SuggestionSettings()
        return SuggestionSettings(
            cue_verbs=self._words(m, "cue_verbs", _CUE_VERB, "a verb's lemma such as 'say'"),
            titles=self._words(m, "titles", None, "a title such as 'Gen.'"),
        )

    def _words(
        self, m: dict[str, Located], key: str, shape: re.Pattern[str] | None, what: str
    ) -> tuple[str, ...]:
        words: dict[str, None] = {}
        for node in self.r.items(m, key, "suggestions"):
            value = node.value
            if not isinstance(value, str) or not value.strip() or len(value) > 100:
                self.r.problem(node.line, f"suggestions.{key}", f"{plain(value)!r} is not {what}")
                continue
            value = " ".join(value.split())
            if shape is not None and not shape.match(value):
                self.r.problem(node.line, f"suggestions.{key}", f"{value!r} is not {what}")
                continue
            words[value] = None
        return tuple(words)


def _fit(attr: Attribute, value: Any) -> Any:
    """The value as stored, when the attribute allows it; None when it does not."""
    if attr.type is AttributeType.CHOICE:
        return value if isinstance(value, str) and value in attr.value_names else None
    if attr.type is AttributeType.MULTI:
        items = value if isinstance(value, list) else [value]
        ok = items and all(isinstance(v, str) and v in attr.value_names for v in items)
        return tuple(items) if ok else None
    if attr.type is AttributeType.BOOL:
        return value if isinstance(value, bool) else None
    return value if isinstance(value, str) else None


_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


def bounded_regex(text: str) -> str:
    """A schema regex made to match whole words only, as the pattern engine runs it.

    Leading inline flags (``(?i)``) stay in front: Python refuses them anywhere else.
    """
    flags = _GLOBAL_FLAGS.match(text)
    head = flags.group(0) if flags else ""
    return f"{head}(?<!\\w)(?:{text[len(head) :]})(?!\\w)"


def slow_pattern_warnings(schema: Schema, file: str) -> list[Problem]:
    """The ``regex`` patterns that repeat a repeat (``(\\w+\\s?)+ said``): on an unlucky
    article such a regex can keep the suggestion engine busy for minutes, and the window
    with it (``re`` holds the interpreter's lock). Allowed, as most such texts are harmless,
    but ``schema check`` names them with file and line."""
    found = []
    for label in schema.labels:
        for i, pattern in enumerate(label.patterns):
            if pattern.regex is not None and repeats_a_repeat(pattern.regex):
                found.append(
                    Problem(
                        file,
                        pattern.line,
                        f"labels.{label.name}.patterns[{i}].regex",
                        f"/{pattern.regex}/ repeats something that itself repeats; on some "
                        "texts it can take minutes and freeze suggesting (write the inner part "
                        "so that it can match in only one way, e.g. (\\w+ )+ for (\\w+ ?)+)",
                    )
                )
    return found
