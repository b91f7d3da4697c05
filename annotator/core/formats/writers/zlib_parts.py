"""One zlib stream made of parts compressed separately, on a worker thread, as they arrive.

A ``.spacy`` file is a single zlib stream of a msgpack map whose columns (token arrays, spaces,
user data, ...) arrive interleaved, document by document, and whose headers need each column's
total size, known only at the end. So each column is compressed on its own, as raw deflate
ending on a byte boundary (a sync flush), into a scratch file; at the end the small pieces
between the columns are compressed the same way, and all the parts are written in order between
a zlib header and the final empty block and checksum. Deflate allows this (a part never refers
back past its own start), and Adler-32 checksums of consecutive parts combine arithmetically.

Compressing was a third of a large spaCy export's time. zlib releases the GIL, so on the
worker thread it overlaps the export's Python work wherever a second core is free. At most
``INFLIGHT`` chunks of ``CHUNK`` bytes wait for it, so memory stays bounded, and scratch files
hold compressed bytes only.
"""

from __future__ import annotations

import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from annotator.core.formats.writers.documents import ByteSink

CHUNK = 1 << 20
INFLIGHT = 8
_BASE = 65521  # Adler-32's modulus
_RAW = -15  # wbits for raw deflate: no zlib header or checksum of its own


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of A + B from those of A and B (zlib's ``adler32_combine``)."""
    rem = second_length % _BASE
    sum1 = first & 0xFFFF
    sum2 = (rem * sum1) % _BASE
    sum1 += (second & 0xFFFF) + _BASE - 1
    sum2 += (first >> 16) + (second >> 16) + _BASE - rem
    return (sum1 % _BASE) | ((sum2 % _BASE) << 16)


class Compressor:
    """The worker thread every part of one stream compresses on, in submission order."""

    def __init__(self, level: int) -> None:
        self.level = level
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="annotator-deflate")
        self._waiting: deque[Future[None]] = deque()

    def submit(self, part: Part, chunk: bytes, last: bool) -> None:
        while len(self._waiting) >= INFLIGHT:
            self._waiting.popleft().result()  # re-raises the worker's error (a full disk)
        self._waiting.append(self._pool.submit(part.compress, chunk, last))

    def wait(self) -> None:
        while self._waiting:
            self._waiting.popleft().result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Part:
    """Bytes written in order, compressed into ``path`` as one raw-deflate part."""

    def __init__(self, path: Path, compressor: Compressor) -> None:
        self._file: BinaryIO = open(path, "w+b")  # noqa: SIM115 - closed in close()
        self._deflate = zlib.compressobj(compressor.level, zlib.DEFLATED, _RAW)
        self._compressor = compressor
        self._chunks: list[bytes] = []
        self._buffered = 0
        self.size = 0  # bytes written, uncompressed
        self.adler = zlib.adler32(b"")  # of those bytes; final once the compressor waited

    def write(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        self.size += len(data)
        if self._buffered >= CHUNK:
            self._submit(last=False)

    def finish(self) -> None:
        """No more bytes: compress what is left and end the part on a byte boundary."""
        self._submit(last=True)

    def _submit(self, last: bool) -> None:
        chunk = b"".join(self._chunks)
        self._chunks, self._buffered = [], 0
        self._compressor.submit(self, chunk, last)

    def compress(self, chunk: bytes, last: bool) -> None:
        """On the worker thread: the only place this part's deflate state is touched."""
        self.adler = zlib.adler32(chunk, self.adler)
        data = self._deflate.compress(chunk)
        if last:
            data += self._deflate.flush(zlib.Z_SYNC_FLUSH)
        self._file.write(data)

    def copy_to(self, out: ByteSink) -> None:
        self._file.flush()
        self._file.seek(0)
        while block := self._file.read(CHUNK):
            out.write(block)

    def close(self) -> None:
        self._file.close()


def write_stream(out: ByteSink, pieces: list[bytes | Part], level: int) -> None:
    """The zlib stream of ``pieces`` in order: bytes as they are, parts finished and waited."""
    out.write(zlib.compress(b"", level)[:2])  # the zlib header
    adler = zlib.adler32(b"")
    for piece in pieces:
        if isinstance(piece, Part):
            piece.copy_to(out)
            adler = adler32_combine(adler, piece.adler, piece.size)
            continue
        deflate = zlib.compressobj(level, zlib.DEFLATED, _RAW)
        out.write(deflate.compress(piece) + deflate.flush(zlib.Z_SYNC_FLUSH))
        adler = adler32_combine(adler, zlib.adler32(piece), len(piece))
    out.write(zlib.compressobj(level, zlib.DEFLATED, _RAW).flush(zlib.Z_FINISH))
    out.write(adler.to_bytes(4, "big"))
