"""Reading a located YAML tree: typed values, names and hotkeys, every problem collected.

The generic half of schema parsing: what any part of a schema needs to read its keys with the
file, line and key of each problem, instead of stopping at the first.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from annotator.core.domain.errors import Problem
from annotator.core.domain.schema.model import (
    MAX_NAME,
    NAME_RE,
    Snap,
)
from annotator.core.domain.schema.yaml_loader import Located

_MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
_KEY_RE = re.compile(r"^(?:[A-Z0-9]|F(?:[1-9]|1[0-2]))$")


def normalise_hotkey(text: str) -> str | None:
    """Return the canonical form ("Shift+K") of a key sequence, or None if it is not one."""
    parts = [p.strip() for p in str(text).split("+")]
    if not parts or any(not p for p in parts):
        return None
    *mods, key = parts
    canon_mods = []
    for mod in mods:
        match = next((m for m in _MODIFIERS if m.lower() == mod.lower()), None)
        if match is None or match in canon_mods:
            return None
        canon_mods.append(match)
    key = key.upper()
    if not _KEY_RE.match(key):
        return None
    ordered = [m for m in _MODIFIERS if m in canon_mods]
    return "+".join([*ordered, key])


class NodeReader:
    """Walks the located YAML tree and collects every problem instead of stopping at the first."""

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []
        # "labels.S.hotkey" -> its line, so a clash points at the key that clashes.
        self.hotkey_lines: dict[str, int] = {}

    def problem(self, line: int | None, key: str, reason: str) -> None:
        self.problems.append(Problem(self.file, line, key, reason))

    def mapping(self, node: Located, where: str, allowed: set[str]) -> dict[str, Located] | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, where, "must be a mapping of keys to values")
            return None
        for key, value in node.value.items():
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(
                    value.line, f"{where}.{key}" if where else key, f"unknown key (allowed: {hint})"
                )
        return node.value

    def get(
        self,
        m: dict[str, Located],
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        line: int,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in m or m[key].value is None:
            if required:
                self.problem(line, path, "is required")
            return default
        value = m[key].value
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.problem(m[key].line, path, f"must be {_KIND_WORDS.get(names, names)}")
            return default
        return value

    def name(self, m: dict[str, Located], where: str, line: int) -> str | None:
        value = self.get(m, "name", where, str, line, required=True)
        if value is not None and not NAME_RE.match(value):
            self.problem(
                m["name"].line,
                f"{where}.name",
                f"{value!r} must start with a letter and hold only letters, digits, _ or -",
            )
            return None
        if value is not None and len(value) > MAX_NAME:
            self.problem(m["name"].line, f"{where}.name", f"is longer than {MAX_NAME} characters")
            return None
        return value

    def hotkey(self, m: dict[str, Located], where: str, line: int) -> str | None:
        value = self.get(m, "hotkey", where, str, line)
        if value is None:
            return None
        canon = normalise_hotkey(value)
        self.hotkey_lines[f"{where}.hotkey"] = m["hotkey"].line
        if canon is None:
            self.problem(
                m["hotkey"].line,
                f"{where}.hotkey",
                f"{value!r} is not a key (use a letter, digit or F1-F12, "
                "optionally with Ctrl+, Alt+, Shift+)",
            )
        return canon

    def snap(self, m: dict[str, Located], where: str, line: int) -> Snap | None:
        value = self.get(m, "snap", where, str, line)
        if value is None:
            return None
        try:
            return Snap(value)
        except ValueError:
            self.problem(
                m["snap"].line,
                f"{where}.snap" if where else "snap",
                f"{value!r} must be 'word' or 'char'",
            )
            return None

    def items(self, m: dict[str, Located], key: str, where: str) -> list[Located]:
        if key not in m or m[key].value is None:
            return []
        if not isinstance(m[key].value, list):
            self.problem(m[key].line, f"{where}.{key}" if where else key, "must be a list")
            return []
        return m[key].value

    def unique(self, items: list[tuple[str | None, int]], what: str, where: str) -> None:
        seen: dict[str, int] = {}
        for name, line in items:
            if name is None:
                continue
            if name in seen:
                self.problem(line, where, f"duplicate {what} {name!r} (first on line {seen[name]})")
            else:
                seen[name] = line


_KIND_WORDS = {
    "str": "text",
    "bool": "true or false",
    "int": "a whole number",
    "list": "a list",
    "dict": "a mapping",
}


@functools.lru_cache(maxsize=4)
def some_names(names: frozenset[str], limit: int = 20) -> str:
    """Names for a message, cut short and made once: a schema may have thousands of labels."""
    first = sorted(names)
    return ", ".join(first[:limit]) + (", ..." if len(first) > limit else "")


def plain(value: Any) -> Any:
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.value if isinstance(value, Located) else value
