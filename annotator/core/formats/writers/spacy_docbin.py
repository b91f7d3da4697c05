"""spaCy ``DocBin`` files: one ``Doc`` per document and annotator.

- tokens: the shared tokenizer's, plus spaCy's own white-space tokens, so ``doc.text`` is the
  document text exactly and character offsets agree (``spacy_words.py``);
- ``doc.ents``: spans of the labels the schema marks ``overlap: false``, where they do not
  overlap each other (the others are reported, and still in the span group);
- ``doc.spans["sc"]``: every span that fits the tokens, overlapping and nested ones included,
  each with ``span.id_`` set to its id ("T1", ...);
- ``doc.user_data``: ``document_id``, ``title``, ``annotator``, and ``spans`` (id, start, end,
  label, attributes: all of them, even those that do not fit the tokens) and ``relations``
  (label, from, to by span id). Plain keys, so no extension has to be registered to read them.

spaCy is an optional extra, and this format needs it installed (whoever reads the files does),
but never imports it: its string hashes, attribute ids and ``DocBin`` layout are our own copies
(``spacy_hash.py``, ``spacy_symbols.py``), held to spaCy's by the tests, and importing spaCy
would cost the export most of a second.

No ``Doc`` is built: the columns ``DocBin`` would store are computed directly (words and
sentence starts once per document, entities and span groups per unit) and streamed to the file
(``spacy_stream.py``). Reading the file back gives the ``Doc`` that ``Doc(vocab, words, spaces,
sent_starts)`` with those ``ents`` and ``spans`` would have given; the tests hold the two equal.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers import spacy_symbols
from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit

if TYPE_CHECKING:  # numpy is imported only when the format is used
    from annotator.core.formats.writers.spacy_stance import StanceWriter

SPAN_KEY = "sc"
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "SENT_START")


MISSING = "the spacy format needs spaCy, which is not installed: pip install 'annotator[spacy]'"


def require_spacy() -> None:
    """Refuse, saying what to install, where spaCy is not installed (found, not imported)."""
    try:
        found = importlib.util.find_spec("spacy") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ExportError(MISSING)


class StringIds(dict[str, int]):
    """A string's id as spaCy's ``StringStore`` gives it, remembered (a corpus repeats words).

    ``seen`` is told each new string once: the strings a ``DocBin`` lists are those its hashes
    stand for, so a writer collects them here instead of once per document.
    """

    def __init__(self, seen: Callable[[str], object] = lambda _key: None) -> None:
        super().__init__()
        from annotator.core.formats.writers.spacy_hash import string_id

        self._id = string_id
        self._seen = seen

    def __missing__(self, key: str) -> int:
        value: int = self._id(key)
        self[key] = value
        self._seen(key)
        return value


class DocBinWriter:
    """One split's ``<split>.spacy``; ``stance``, once set, gets each unit's placed statements."""

    def __init__(
        self, out: ByteSink, scratch: Path, schema: Schema, problems: ProblemLog, part: str
    ) -> None:
        require_spacy()
        from annotator.core.formats.writers.spacy_stream import StreamedDocBin

        self._out = out
        self._docbin = StreamedDocBin(scratch, ATTRS)
        self.attrs = self._docbin.attrs
        self._ids = StringIds(self._docbin.add_string)
        self._span_ids: tuple[list[str], list[int]] = ([], [])  # "T1", ... and their hashes
        self._iob = self._docbin.attrs.index(spacy_symbols.ENT_IOB)
        self._type = self._docbin.attrs.index(spacy_symbols.ENT_TYPE)
        self._entity_labels = {lab.name for lab in schema.labels if not lab.overlap}
        self._problems = problems
        self._part = part
        self.stance: StanceWriter | None = None
        self.longest = 0  # the longest span in the span groups, in tokens

    def add(self, prepared: Prepared) -> int:
        if not prepared.units:
            return 0
        from annotator.core.formats.writers import spacy_spans
        from annotator.core.formats.writers.spacy_stream import DocColumns
        from annotator.core.formats.writers.spacy_words import doc_words

        tokens = prepared.tokens
        arrays = prepared.token_arrays
        string_id = self._ids.__getitem__
        attrs = self._docbin.attrs
        words = doc_words(tokens, arrays, prepared.sentence_firsts, attrs, string_id)
        spaces = words.spaces.tobytes()
        problems, part = self._problems, self._part
        for unit in prepared.units:
            names, span_ids = self._span_names(len(unit.spans))
            ids = dict(zip([sp.id for sp in unit.spans], names, strict=True))
            placed = spacy_spans.place_spans(tokens, arrays, unit, problems, part)
            if len(placed.which):
                sizes = words.index[placed.last] - words.index[placed.first] + 1
                self.longest = max(self.longest, int(sizes.max()))
            if self.stance is not None:
                self.stance.add(unit, words, placed, names)
            ents = spacy_spans.entities(placed, unit, self._entity_labels, problems, part)
            columns = DocColumns(
                spacy_spans.token_columns(words, ents, self._iob, self._type, string_id),
                spaces,
                len(words),
                spacy_spans.span_group(
                    words, arrays, placed, unit, span_ids, string_id, self._docbin.pack
                ),
                self._user_data(unit, ids),
            )
            self._docbin.add(columns, [sp.label for sp in unit.spans])
        return len(prepared.units)

    def _span_names(self, n: int) -> tuple[list[str], list[int]]:
        """The ids of a unit's ``n`` spans ("T1", ...) and their hashes."""
        names, hashes = self._span_ids
        while len(names) < n:
            names.append(f"T{len(names) + 1}")
            hashes.append(self._ids[names[-1]])  # which lists it among the strings
        return names[:n], hashes[:n]

    def _user_data(self, unit: Unit, ids: dict[int, str]) -> bytes:
        return self._docbin.pack(
            {
                "document_id": unit.doc.key,
                "title": unit.doc.title,
                "annotator": unit.annotator,
                "spans": [
                    {
                        "id": ids[sp.id],
                        "start": sp.start,
                        "end": sp.end,
                        "label": sp.label,
                        "attributes": sp.attributes,
                    }
                    for sp in unit.spans
                ],
                "relations": [
                    {
                        "label": r.label,
                        "from": ids[r.source_id],
                        "to": ids[r.target_id],
                        "attributes": r.attributes,
                    }
                    for r in unit.relations
                ],
            }
        )

    def close(self) -> None:
        try:
            self._docbin.write_to(self._out)
            if self.stance is not None:
                self.stance.close()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Stop the compressing threads and close the scratch files (also after close)."""
        self._docbin.close()
        if self.stance is not None:
            self.stance.abandon()
