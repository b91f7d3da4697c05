"""spaCy ``DocBin`` files: one ``Doc`` per document and annotator.

- tokens: the shared tokenizer's, plus spaCy's own white-space tokens, so ``doc.text`` is the
  document text exactly and character offsets agree;
- ``doc.ents``: spans of the labels the schema marks ``overlap: false``, where they do not
  overlap each other (the others are reported, and still in the span group);
- ``doc.spans["sc"]``: every span that fits the tokens, overlapping and nested ones included,
  each with ``span.id_`` set to its id ("T1", ...);
- ``doc.user_data``: ``document_id``, ``title``, ``annotator``, and ``spans`` (id, start, end,
  label, attributes: all of them, even those that do not fit the tokens) and ``relations``
  (label, from, to by span id). Plain keys, so no extension has to be registered to read them.

spaCy is an optional extra, imported only when this format is used.

``DocBin`` keeps every document in memory until it is saved, then makes several copies to
serialise them; on a large corpus that is gigabytes. ``StreamedDocBin`` writes the same file
(``DocBin().from_disk`` reads it) one document at a time: each column goes to a temporary file
and the msgpack map is assembled and compressed at the end, so memory holds only the distinct
strings.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.aligned import outermost, place, report_left_out
from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit

SPAN_KEY = "sc"
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "SENT_START")


MISSING = "the spacy format needs spaCy, which is not installed: pip install 'annotator[spacy]'"


def require_spacy() -> ModuleType:
    try:
        import spacy
    except ImportError:
        raise ExportError(MISSING) from None
    return spacy


def words_and_spaces(
    prepared: Prepared,
) -> tuple[list[str], list[bool], list[int], list[bool | int | None]]:
    """spaCy's words and spaces for the text; which word each token is; which start sentences."""
    tokens = prepared.tokens
    text = prepared.doc.text
    words: list[str] = []
    spaces: list[bool] = []
    index: list[int] = []
    sent: list[bool | int | None] = []
    first_start = tokens.starts[0] if len(tokens) else len(text)
    if first_start:
        words.append(text[:first_start])
        spaces.append(False)
        sent.append(False)
    starts = prepared.sentence_starts
    for i in range(len(tokens)):
        index.append(len(words))
        words.append(tokens.text_of(i))
        sent.append(i in starts)
        following = tokens.starts[i + 1] if i + 1 < len(tokens) else len(text)
        gap = text[tokens.ends[i] : following]
        spaces.append(gap.startswith(" "))
        if gap.startswith(" "):
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
            sent.append(False)
    if sent:
        sent[0] = True
    return words, spaces, index, sent


def _map_header(n: int) -> bytes:
    assert n < 16
    return bytes([0x80 | n])


def _bin_header(n: int) -> bytes:
    if n < 1 << 8:
        return b"\xc4" + struct.pack(">B", n)
    if n < 1 << 16:
        return b"\xc5" + struct.pack(">H", n)
    return b"\xc6" + struct.pack(">I", n)


def _array_header(n: int) -> bytes:
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + struct.pack(">H", n)
    return b"\xdd" + struct.pack(">I", n)


_COLUMNS = ("tokens", "spaces", "lengths", "cats", "flags", "span_groups", "user_data")


class StreamedDocBin:
    """``DocBin(attrs, store_user_data=True)``, written as documents arrive."""

    def __init__(self, scratch: Path, attrs: Iterable[str]) -> None:
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        template = DocBin(attrs=list(attrs), store_user_data=True)
        self._version = template.version
        self._attrs = list(template.attrs)  # as spaCy orders them, ORTH first
        self._pack = Packer(use_bin_type=True).pack
        scratch.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, BinaryIO] = {
            name: open(scratch / f".docbin-{name}", "w+b")  # noqa: SIM115 - closed in close()
            for name in _COLUMNS
        }
        self._sizes = dict.fromkeys(_COLUMNS, 0)
        self._strings: set[str] = {""}
        self.count = 0

    def _put(self, column: str, data: bytes) -> None:
        self._files[column].write(data)
        self._sizes[column] += len(data)

    def add(self, doc: Any, strings: Iterable[str]) -> None:
        """Add a ``Doc``; ``strings`` are those its hashes stand for (words, labels, span ids)."""
        import numpy
        from spacy.attrs import SPACY

        tokens = doc.to_array(self._attrs)
        if tokens.ndim == 1:
            tokens = tokens.reshape((tokens.shape[0], 1))
        self._put("tokens", numpy.ascontiguousarray(tokens, dtype="uint64").tobytes("C"))
        self._put("spaces", numpy.asarray(doc.to_array(SPACY), dtype=bool).tobytes("C"))
        self._put("lengths", struct.pack("<i", len(doc)))
        self._put("cats", self._pack(dict(doc.cats)))
        self._put("flags", self._pack({"has_unknown_spaces": doc.has_unknown_spaces}))
        self._put("span_groups", self._pack(doc.spans.to_bytes()))
        self._put("user_data", self._pack(self._pack(doc.user_data)))
        self._strings.update(strings)
        self.count += 1

    def write_to(self, out: ByteSink) -> None:
        """Assemble the file ``DocBin.to_bytes`` would have made, compressing as it goes."""
        packer = zlib.compressobj()
        pack = self._pack

        def emit(data: bytes) -> None:
            out.write(packer.compress(data))

        emit(_map_header(10))
        emit(pack("version") + pack(self._version) + pack("attrs") + pack(self._attrs))
        for column in ("tokens", "spaces", "lengths"):
            emit(pack(column) + _bin_header(self._sizes[column]))
            self._stream(column, emit)
        emit(pack("strings") + pack(sorted(self._strings)))
        for column in ("cats", "flags", "span_groups", "user_data"):
            emit(pack(column) + _array_header(self.count))
            self._stream(column, emit)
        out.write(packer.flush())

    def _stream(self, column: str, emit: Any) -> None:
        handle = self._files[column]
        handle.flush()
        handle.seek(0)
        while chunk := handle.read(1 << 20):
            emit(chunk)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()


class DocBinWriter:
    def __init__(
        self, out: ByteSink, scratch: Path, schema: Schema, problems: ProblemLog, part: str
    ) -> None:
        require_spacy()
        from spacy.vocab import Vocab

        self._out = out
        self._vocab = Vocab()
        self._docbin = StreamedDocBin(scratch, ATTRS)
        self._entity_labels = {lab.name for lab in schema.labels if not lab.overlap}
        self._problems = problems
        self._part = part

    def add(self, prepared: Prepared) -> int:
        if not prepared.units:
            return 0
        words, spaces, index, sent = words_and_spaces(prepared)
        for unit in prepared.units:
            doc = self._doc(prepared, unit, words, spaces, index, sent)
            labels = {sp.label for sp in unit.spans}
            ids = {f"T{n}" for n in range(1, len(unit.spans) + 1)}
            self._docbin.add(doc, [*words, *labels, *ids])
        return len(prepared.units)

    def _doc(
        self,
        prepared: Prepared,
        unit: Unit,
        words: list[str],
        spaces: list[bool],
        index: list[int],
        sent: list[bool | int | None],
    ) -> Any:
        from spacy.tokens import Doc, Span

        doc = Doc(self._vocab, words=words, spaces=spaces, sent_starts=sent)
        ids = {sp.id: f"T{n}" for n, sp in enumerate(unit.spans, start=1)}
        placed = place(prepared, unit, self._problems, self._part)

        def span(ts: Any) -> Any:
            return Span(
                doc,
                index[ts.first],
                index[ts.last] + 1,
                label=ts.span.label,
                span_id=ids[ts.span.id],
            )

        doc.spans[SPAN_KEY] = [span(ts) for ts in placed]
        ents, left = outermost([ts for ts in placed if ts.span.label in self._entity_labels])
        report_left_out("entity_overlap", left, unit, self._problems, self._part, "doc.ents")
        doc.ents = [span(ts) for ts in ents]
        doc.user_data.update(
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
                    {"label": r.label, "from": ids[r.source_id], "to": ids[r.target_id]}
                    for r in unit.relations
                ],
            }
        )
        return doc

    def close(self) -> None:
        try:
            self._docbin.write_to(self._out)
        finally:
            self._docbin.close()
