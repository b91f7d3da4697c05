"""Safe YAML loading that keeps line numbers, refuses aliases and duplicate keys.

Schemas are written by people, so errors must point at a line. PyYAML's ``safe_load`` drops
positions and silently keeps the last of two duplicate keys; composing nodes ourselves keeps both
problems visible. Aliases are refused outright: a schema never needs them, and refusing them rules
out "billion laughs" expansion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from annotator.core.domain.errors import Problem

MAX_DEPTH = 32


@dataclass(frozen=True)
class Located:
    """A YAML value with the (1-based) line it starts on."""

    value: Any
    line: int


class _NoAliasLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in a schema", event.start_mark
            )
        # The composer recurses once per level: stop "[[[[..." before Python's stack does.
        if self._depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_located(text: str, filename: str) -> Located:
    """Parse YAML text into nested ``Located`` values (dicts of str -> Located, lists)."""
    fast = _fast_compose(text)
    if fast is not None:
        composed, c_loader = fast
        try:
            return _convert(composed, c_loader, filename, 0)
        finally:
            c_loader.dispose()
    try:
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character, found before parsing
        line = text.count("\n", 0, exc.position) + 1
        reason = f"character U+{exc.character:04X} is not allowed in YAML"
        raise YamlProblem(Problem(filename, line, "", f"not valid YAML: {reason}")) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where: int | None = mark.line + 1 if mark is not None else None
        reason = exc.problem or str(exc)
        ctx = exc.context_mark
        if exc.context and ctx is not None and mark is not None and ctx.line != mark.line:
            # An unclosed quote or bracket is only noticed far below; say where it opened.
            reason = f"{reason} ({exc.context} that starts on line {ctx.line + 1})"
        raise YamlProblem(Problem(filename, where, "", f"not valid YAML: {reason}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(filename, None, "", f"not valid YAML: {exc}")) from None
    finally:
        loader.dispose()
    if node is None:
        return Located({}, 1)
    return _convert(node, loader, filename, 0)


def _fast_compose(text: str) -> tuple[yaml.Node, Any] | None:
    """The nodes from libyaml (ten times faster: the window parses the active schema at every
    start), or None whenever the pure-Python composer must decide: no libyaml, an error (its
    message names the line), an alias, nesting past MAX_DEPTH. libyaml composes by C
    recursion, which deep flow nesting ("[[[[...") would overflow: brackets are counted first,
    quoted ones too, so a schema with many brackets merely takes the slow path. Block nesting
    needs a longer indent per level, which the 1 MB limit bounds to about 1,400 levels.
    """
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None or not text.strip() or _bracket_depth(text) > MAX_DEPTH:
        return None
    try:
        loader = loader_class(text)  # encodes the text: a lone surrogate fails here
    except Exception:  # any doubt: the pure-Python composer decides, and words the error
        return None
    try:
        node = loader.get_single_node()
    except Exception:
        node = None
    # A schema is a mapping: anything else is an error the pure-Python composer words, with
    # its lines (libyaml places the empty value of "---" on a line the text does not have).
    if not isinstance(node, yaml.MappingNode) or not _tree_without_aliases(node):
        loader.dispose()
        return None
    return node, loader


def _bracket_depth(text: str) -> int:
    if "[" not in text and "{" not in text:
        return 0
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _tree_without_aliases(root: yaml.Node) -> bool:
    """Whether no node is reached twice (libyaml gives an alias its anchor's node) and none is
    nested deeper than MAX_DEPTH."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > MAX_DEPTH:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return True


def _convert(node: yaml.Node, loader: yaml.SafeLoader, filename: str, depth: int) -> Located:
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise YamlProblem(Problem(filename, line, "", f"nested deeper than {MAX_DEPTH} levels"))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = _construct(key_node, loader, filename, key_line)
            if not isinstance(key, str):
                raise YamlProblem(Problem(filename, key_line, str(key), "keys must be text"))
            if key in result:
                first = result[key].line
                raise YamlProblem(
                    Problem(filename, key_line, key, f"duplicate key (first given on line {first})")
                )
            converted = _convert(value_node, loader, filename, depth + 1)
            # Point a key's errors at the key itself, where people look.
            result[key] = Located(converted.value, key_line)
        return Located(result, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(n, loader, filename, depth + 1) for n in node.value], line)
    return Located(_construct(node, loader, filename, line), line)


def _construct(node: yaml.Node, loader: yaml.SafeLoader, filename: str, line: int) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        reason = exc.problem or str(exc)
        raise YamlProblem(Problem(filename, line, "", f"bad value: {reason}")) from None
    except Exception as exc:
        # SafeLoader's scalar constructors raise ValueError, KeyError, AttributeError... on
        # text that matches a type but does not parse ("2024-13-45", "!!int abc", "!!bool x").
        shown = str(node.value)[:60]
        reason = f"{shown!r} is not a valid {node.tag.rsplit(':', 1)[-1]} ({exc})"
        raise YamlProblem(Problem(filename, line, "", f"bad value: {reason}")) from None
