"""Statements as Docs of their own, their category in ``doc.cats``: a stance classifier's data.

A stance is a statement's, not an article's: one article quotes a minister who threatens and a
neighbour who denies. So besides ``<split>.spacy`` (articles), a split spaCy export writes
``<split>.<attribute>.spacy``: one ``Doc`` per statement span (the schema's
``exports.statements`` label) that fits the tokens and has a value, holding the statement's own
words, with ``doc.cats`` one-hot over the schema's values (every value a key, so spaCy's
exclusive ``textcat`` sees exactly one 1.0). ``user_data`` says where the statement is:
``document_id``, ``annotator``, ``span`` (its id in the article's ``Doc``), ``start``, ``end``,
``attributes``. A classifier trained on these labels ``span.as_doc()`` of statements found in
an article (by hand, or by the span pipeline).

The words are the article's own (``spacy_words``), sliced per unit with a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.spacy_spans import Placed
from annotator.core.formats.writers.spacy_stream import StreamedDocBin
from annotator.core.formats.writers.spacy_symbols import ORTH, SENT_START
from annotator.core.formats.writers.spacy_words import DocWords
from annotator.core.formats.writers.units import Unit

ATTRS = ("ORTH", "SENT_START")
_NO_SPAN_GROUPS = b"\x90"  # doc.spans.to_bytes() of a Doc without span groups


@dataclass(frozen=True)
class StanceSpec:
    """Which spans are statements, and which of their attributes is the category."""

    label: str
    attribute: str
    values: tuple[str, ...]
    exclusive: bool  # one value per statement (choice), else any number (multi)


def stance_spec(schema: Schema) -> StanceSpec | None:
    """The statement label's first required choice (or multi) attribute, if there is one."""
    if schema.statements is None:
        return None
    label = schema.label(schema.statements.label)
    if label is None:
        return None
    for attr in label.attributes:
        if attr.required and attr.type in (AttributeType.CHOICE, AttributeType.MULTI):
            exclusive = attr.type is AttributeType.CHOICE
            return StanceSpec(label.name, attr.name, attr.value_names, exclusive)
    return None


class StanceWriter:
    """One split's ``<split>.<attribute>.spacy``, fed unit by unit by the article writer."""

    def __init__(self, out: ByteSink, scratch: Path, spec: StanceSpec, main_attrs: list[int]):
        self._out = out
        self._spec = spec
        self._docbin = StreamedDocBin(scratch, ATTRS)
        self._columns = [main_attrs.index(attr) for attr in self._docbin.attrs]
        self._start = self._docbin.attrs.index(SENT_START)
        assert self._docbin.attrs[0] == ORTH
        self._cats: dict[tuple[str, ...], bytes] = {}
        # Packed cats of each value of an exclusive attribute: one dict lookup per statement.
        self._by_value: dict[str, bytes] = {}
        for value in spec.values if spec.exclusive else ():
            packed = self._packed_cats(value)
            if packed is not None:
                self._by_value[value] = packed
        self._words: DocWords | None = None
        self.count = 0
        self.without_value = 0  # statements that fit the tokens but have no known value

    def add(self, unit: Unit, words: DocWords, placed: Placed, names: list[str]) -> int:
        """Write the unit's statements; ``names[k]`` is the id of ``unit.spans[k]``."""
        spans, label, attribute = unit.spans, self._spec.label, self._spec.attribute
        known, packed_cats = self._by_value, self._packed_cats
        where: list[int] = []  # positions in placed.which
        chosen: list[int] = []  # indices in unit.spans
        cats: list[bytes] = []
        for j, k in enumerate(placed.which.tolist()):
            sp = spans[k]
            if sp.label != label:
                continue
            value = sp.attributes.get(attribute)
            packed = known.get(value) if value.__class__ is str else packed_cats(value)
            if packed is None:
                self.without_value += 1
                continue
            where.append(j)
            chosen.append(k)
            cats.append(packed)
        if not chosen:
            return 0
        if words is not self._words:  # the strings of a document's words, once per document
            self._docbin.add_strings(words.words)
            self._words = words
        begin = words.index[placed.first[where]]
        lengths = words.index[placed.last[where]] + 1 - begin
        before = numpy.cumsum(lengths) - lengths
        rows = numpy.arange(before[-1] + lengths[-1]) + numpy.repeat(begin - before, lengths)
        tokens = words.base[rows[:, None], self._columns]
        tokens[before, self._start] = 1  # each statement starts a sentence of its own Doc
        spaces = words.spaces[rows]
        spaces[before + lengths - 1] = False  # the Doc ends where the statement ends
        pack = self._docbin.pack
        user_data = [
            pack(
                {
                    "document_id": unit.doc.key,
                    "annotator": unit.annotator,
                    "span": names[k],
                    "start": spans[k].start,
                    "end": spans[k].end,
                    "attributes": spans[k].attributes,
                }
            )
            for k in chosen
        ]
        self._docbin.add_many(
            tokens.tobytes(), spaces.tobytes(), lengths.tolist(), cats, user_data, _NO_SPAN_GROUPS
        )
        self.count += len(chosen)
        return len(chosen)

    def _packed_cats(self, value: Any) -> bytes | None:
        """``doc.cats`` for a value, packed once; None if the schema has no such value."""
        spec = self._spec
        if spec.exclusive:
            if not isinstance(value, str) or value not in spec.values:
                return None
            chosen = {value}
        else:
            if not isinstance(value, list) or not all(v in spec.values for v in value):
                return None
            chosen = set(value)
        key = tuple(sorted(chosen))
        found = self._cats.get(key)
        if found is None:
            cats = {v: 1.0 if v in chosen else 0.0 for v in spec.values}
            found = self._cats[key] = self._docbin.pack(cats)
        return found

    def close(self) -> None:
        try:
            self._docbin.write_to(self._out)
        finally:
            self.abandon()

    def abandon(self) -> None:
        self._docbin.close()
