"""A ``.spacy`` file (spaCy's ``DocBin``) written one document at a time.

``DocBin`` keeps every document in memory until it is saved, then makes several copies to
serialise them; on a large corpus that is gigabytes. ``StreamedDocBin`` writes the same file
(``DocBin().from_disk`` reads it): each column is compressed into a scratch file as documents
arrive (``zlib_parts.py``), and the msgpack map is assembled around them at the end, so memory
holds only the distinct strings. Documents arrive as their columns (``DocColumns``), not as
``Doc`` objects: building a ``Doc`` only to take it apart again cost most of the export's time.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.formats.writers.documents import ByteSink
from annotator.core.formats.writers.spacy_symbols import DOCBIN_VERSION, docbin_attrs
from annotator.core.formats.writers.zlib_parts import Compressor, Part, write_stream

# zlib level: DocBin.to_bytes uses 6. Level 1 compresses three times faster into a file about
# half as large again. Any level reads back the same.
LEVEL = 1
_COLUMNS = ("tokens", "spaces", "lengths", "cats", "flags", "span_groups", "user_data")


@dataclass(frozen=True)
class DocColumns:
    """One ``Doc`` as ``DocBin`` stores it.

    ``tokens``: the (words x attrs) uint64 array's bytes, attrs in ``StreamedDocBin.attrs``
    order; ``spaces``: one bool byte per word; ``span_groups``: ``doc.spans.to_bytes()``;
    ``user_data``: ``doc.user_data`` as msgpack.
    """

    tokens: bytes
    spaces: bytes
    length: int
    span_groups: bytes
    user_data: bytes


def _map_header(n: int) -> bytes:
    assert n < 16
    return bytes([0x80 | n])


def _bin_header(n: int) -> bytes:
    if n < 1 << 8:
        return b"\xc4" + struct.pack(">B", n)
    if n < 1 << 16:
        return b"\xc5" + struct.pack(">H", n)
    return b"\xc6" + struct.pack(">I", n)


def array_header(n: int) -> bytes:
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + struct.pack(">H", n)
    return b"\xdd" + struct.pack(">I", n)


class StreamedDocBin:
    """``DocBin(attrs, store_user_data=True)``, written as documents arrive."""

    def __init__(self, scratch: Path, attrs: Iterable[str]) -> None:
        from srsly.msgpack import Packer

        self._version = DOCBIN_VERSION
        self.attrs: list[int] = docbin_attrs(attrs)  # spaCy's order, ORTH first
        # One packer for everything: srsly.msgpack_dumps makes a new one per call, which looks
        # up its encoders through package entry points each time.
        self.pack: Callable[[Any], bytes] = Packer(use_bin_type=True).pack
        self._cats = self.pack({})
        self._flags = self.pack({"has_unknown_spaces": False})
        scratch.mkdir(parents=True, exist_ok=True)
        self._compressor = Compressor(LEVEL)
        self._parts = {
            name: Part(scratch / f".docbin-{name}", self._compressor) for name in _COLUMNS
        }
        self._strings: set[str] = {""}
        self.count = 0

    def add_string(self, string: str) -> None:
        self._strings.add(string)

    def add_strings(self, strings: Iterable[str]) -> None:
        """Strings the hashes of the documents stand for (words, labels, span ids)."""
        self._strings.update(strings)

    def add(self, doc: DocColumns, strings: Iterable[str] = ()) -> None:
        """Add a document; ``strings``: as ``add_strings``."""
        parts = self._parts
        parts["tokens"].write(doc.tokens)
        parts["spaces"].write(doc.spaces)
        parts["lengths"].write(struct.pack("<i", doc.length))
        parts["cats"].write(self._cats)
        parts["flags"].write(self._flags)
        parts["span_groups"].write(self.pack(doc.span_groups))
        parts["user_data"].write(self.pack(doc.user_data))
        self._strings.update(strings)
        self.count += 1

    def add_many(
        self,
        tokens: bytes,
        spaces: bytes,
        lengths: list[int],
        cats: list[bytes],
        user_data: list[bytes],
        span_groups: bytes,
    ) -> None:
        """Add consecutive documents at once: token rows and spaces of all of them, their
        ``cats`` and ``user_data`` each as msgpack, and the ``span_groups`` they all have."""
        n = len(lengths)
        parts = self._parts
        parts["tokens"].write(tokens)
        parts["spaces"].write(spaces)
        parts["lengths"].write(struct.pack(f"<{n}i", *lengths))
        parts["cats"].write(b"".join(cats))
        parts["flags"].write(self._flags * n)
        parts["span_groups"].write(self.pack(span_groups) * n)
        parts["user_data"].write(b"".join(map(self.pack, user_data)))
        self.count += n

    def write_to(self, out: ByteSink) -> None:
        """Write the file ``DocBin.to_bytes`` would have made (but for the zlib level)."""
        pack, parts = self.pack, self._parts
        for part in parts.values():
            part.finish()
        self._compressor.wait()
        head = _map_header(10) + pack("version") + pack(self._version)
        pieces: list[bytes | Part] = [head + pack("attrs") + pack(self.attrs)]
        for column in ("tokens", "spaces", "lengths"):
            pieces += [pack(column) + _bin_header(parts[column].size), parts[column]]
        pieces.append(pack("strings") + pack(sorted(self._strings)))
        for column in ("cats", "flags", "span_groups", "user_data"):
            pieces += [pack(column) + array_header(self.count), parts[column]]
        write_stream(out, pieces, LEVEL)

    def close(self) -> None:
        self._compressor.shutdown()
        for part in self._parts.values():
            part.close()
