"""Prodigy's ``_input_hash`` and ``_task_hash``, so that ``prodigy db-in`` deduplicates our tasks.

Prodigy's source is not public; this follows what its authors documented (support.prodi.gy
threads "Function set_hashes" /t/6006 and "Logic behind hash keys" /t/7410, and
prodi.gy/docs/api-loaders#hashing): ``set_hashes`` hashes the values of the input keys
(``text``, ``image``, ``html``, ``input``) with murmurhash into ``_input_hash``, and the values
of the task keys (``spans``, ``label``, ``options``, ``arcs``), prefixed with the input hash,
into ``_task_hash``. Values are serialised as key-sorted JSON; the hash is MurmurHash3 x86 32
with seed 0 over UTF-8, the signed 32-bit value the ``murmurhash`` package (a spaCy dependency,
which Prodigy uses) returns. Without that package the same function runs in pure Python.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from annotator.core.formats.writers.fixed import full_attributes

INPUT_HASH_KEYS = ("text", "image", "html", "input")
TASK_HASH_KEYS = ("spans", "label", "options", "arcs")


def murmur3_32(data: str, seed: int = 0) -> int:
    """MurmurHash3 x86 32 of ``data``'s UTF-8, as a signed int (``murmurhash.hash``)."""
    key = data.encode("utf-8")
    mask = 0xFFFFFFFF
    h = seed & mask
    c1, c2 = 0xCC9E2D51, 0x1B873593
    n = len(key) - len(key) % 4
    for i in range(0, n, 4):
        k = int.from_bytes(key[i : i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = key[n:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
    h ^= len(key)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def _native() -> Callable[[str], int]:
    try:
        import murmurhash  # type: ignore[import-untyped]
    except ImportError:  # the default install stays light; the pure version gives the same
        return murmur3_32
    return murmurhash.hash  # type: ignore[no-any-return]


_hash = _native()


def _values(task: dict[str, Any], keys: tuple[str, ...]) -> str:
    return json.dumps([task[k] for k in keys if k in task], sort_keys=True)


# A span record as the Prodigy writer makes it, its keys sorted as json.dumps sorts them.
_SPAN_KEYS = ("attributes", "end", "label", "start", "token_end", "token_start")
_SPAN_KEY_SET = frozenset(_SPAN_KEYS)
_CACHED_TYPES = frozenset((str, bool, type(None)))
_CACHED_MAX = 10_000  # distinct attribute sets kept (free text makes each span's its own)
SPAN_JSON = (  # attributes, end, label, start, token_end, token_start
    '{"attributes": %s, "end": %d, "label": %s, "start": %d, "token_end": %d, "token_start": %d}'
)


class SpanValues:
    """``_values(task, TASK_HASH_KEYS)`` for tasks whose only hashed key is ``spans``, each span
    a record of the writer's shape: every span's JSON from a template, its label and attribute
    set encoded once per distinct value (json.dumps of each task's spans was a third of the
    Prodigy export). Anything else is left to ``_values``, the reference.
    """

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}
        self._attributes: dict[tuple[tuple[str, Any], ...], str] = {}  # by value
        self._records: dict[tuple[str, ...], dict[Any, tuple[dict[str, Any], str]]] = {}

    def __call__(self, task: dict[str, Any]) -> str:
        if "spans" not in task or any(k in task for k in TASK_HASH_KEYS[1:]):
            return _values(task, TASK_HASH_KEYS)
        parts = []
        for span in task["spans"]:
            part = self._span(span)
            if part is None:
                return _values(task, TASK_HASH_KEYS)
            parts.append(part)
        return "[[" + ", ".join(parts) + "]]"

    def _span(self, span: Any) -> str | None:
        if type(span) is not dict or span.keys() != _SPAN_KEY_SET:
            return None
        attributes, end, label, start, token_end, token_start = map(span.__getitem__, _SPAN_KEYS)
        if type(label) is not str or type(attributes) is not dict:
            return None
        if not type(end) is type(start) is type(token_end) is type(token_start) is int:
            return None
        return SPAN_JSON % (
            self.attributes_json(attributes),
            end,
            self.label_json(label),
            start,
            token_end,
            token_start,
        )

    def label_json(self, label: str) -> str:
        found = self._labels.get(label)
        if found is None:
            found = self._labels[label] = json.dumps(label)
        return found

    def spans_json(self, parts: list[str]) -> str:
        """``__call__`` of a task whose only hashed key is ``spans``, from each span's
        ``SPAN_JSON`` (the writer fills it in as it makes the records, reading none back)."""
        return "[[" + ", ".join(parts) + "]]"

    def attribute_record(
        self, names: tuple[str, ...], attributes: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """``full_attributes(names, attributes)`` and its ``attributes_json``, remembered by
        value across tasks where the values allow it (as ``attributes_json`` does): a corpus
        repeats a few attribute sets. The record is shared: it is only ever serialised."""
        if not _CACHED_TYPES.issuperset(map(type, attributes.values())):
            full = full_attributes(names, attributes)
            return full, self.attributes_json(full)
        by_value = self._records.get(names)
        if by_value is None:
            by_value = self._records[names] = {}
        key = tuple(attributes.items())
        found = by_value.get(key)
        if found is None:
            full = full_attributes(names, attributes)
            found = (full, self.attributes_json(full))
            if len(by_value) < _CACHED_MAX:
                by_value[key] = found
        return found

    def attributes_json(self, attributes: dict[str, Any]) -> str:
        # Kept by value only where equal values have one JSON (not 1 and True, 0.0 and -0.0).
        if not _CACHED_TYPES.issuperset(map(type, attributes.values())):
            return json.dumps(attributes, sort_keys=True)
        key = tuple(attributes.items())
        found = self._attributes.get(key)
        if found is None:
            found = json.dumps(attributes, sort_keys=True)
            if len(self._attributes) < _CACHED_MAX:
                self._attributes[key] = found
        return found


def input_hash(task: dict[str, Any]) -> int:
    """The hash of a task's input: the same for every annotator's task on one text."""
    return _hash(_values(task, INPUT_HASH_KEYS))


def set_hashes(
    task: dict[str, Any],
    input_hash: int | None = None,
    values: SpanValues | None = None,
    hashed: str | None = None,
) -> dict[str, Any]:
    """``task`` with ``_input_hash`` (its input) and ``_task_hash`` (input plus annotations).

    ``input_hash``: the task's, when known already (hashing a long text once per document);
    ``values``: a writer's ``SpanValues``, which remembers what it encoded across tasks;
    ``hashed``: what ``values(task)`` gives, when the writer made it with the records.
    """
    if input_hash is None:
        input_hash = _hash(_values(task, INPUT_HASH_KEYS))
    task["_input_hash"] = input_hash
    if hashed is None:
        hashed = values(task) if values is not None else _values(task, TASK_HASH_KEYS)
    task["_task_hash"] = _hash(str(input_hash) + hashed)
    return task
