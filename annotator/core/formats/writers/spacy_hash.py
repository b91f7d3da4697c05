"""spaCy's string hashes without importing spaCy (which costs the export most of a second).

``spacy.strings.get_string_id(s)`` is 0 for the empty string, the symbol's id for one of
spaCy's reserved strings (``spacy_symbols.py``, where "" is symbol 0), and otherwise
``hash_string``: MurmurHash64A of the UTF-8 with seed 1. That function is C in the
``murmurhash`` package (a spaCy dependency), which exports it to other Cython modules only
(``cimport``), through a capsule in ``murmurhash.mrmr.__pyx_capi__``; ``ctypes`` calls it
through the same pointer. Where that capsule is missing or has another signature, the same
function runs in pure Python (about three times slower per string; a corpus hashes each
distinct string once).
"""

from __future__ import annotations

from collections.abc import Callable

from annotator.core.formats.writers.spacy_symbols import SYMBOL_IDS

SEED = 1  # spacy/strings.pyx: hash_utf8 is hash64(chars, length, 1)
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1
_SIGNATURE = b"uint64_t (void *, int, uint64_t)"  # the capsule's name: the C signature


def murmur64a(data: bytes, seed: int = SEED) -> int:
    """MurmurHash64A of ``data`` (Austin Appleby's MurmurHash2, 64-bit, for 64-bit platforms)."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK
    end = n - n % 8
    for i in range(0, end, 8):
        k = (int.from_bytes(data[i : i + 8], "little") * _M) & _MASK
        k = ((k ^ (k >> 47)) * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    if end < n:
        h = ((h ^ int.from_bytes(data[end:], "little")) * _M) & _MASK
    h = ((h ^ (h >> 47)) * _M) & _MASK
    return h ^ (h >> 47)


def native_hash64() -> Callable[[bytes], int] | None:
    """``murmurhash``'s own ``hash64`` with spaCy's seed, or None where it cannot be reached."""
    try:
        import ctypes

        from murmurhash import mrmr  # type: ignore[import-untyped]

        capsule = mrmr.__pyx_capi__["hash64"]
        pointer_of = ctypes.pythonapi.PyCapsule_GetPointer
        pointer_of.restype = ctypes.c_void_p
        pointer_of.argtypes = [ctypes.py_object, ctypes.c_char_p]
        pointer = pointer_of(capsule, _SIGNATURE)  # raises ValueError on another signature
    except (ImportError, AttributeError, KeyError, ValueError):
        return None
    prototype = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64)
    function = prototype(pointer)

    def hash64(data: bytes) -> int:
        return int(function(data, len(data), SEED))

    return hash64


hash64: Callable[[bytes], int] = native_hash64() or murmur64a


def string_id(string: str) -> int:
    """``spacy.strings.get_string_id`` of a string: what a ``Doc`` stores for it (the empty
    string is symbol 0)."""
    symbol = SYMBOL_IDS.get(string)
    if symbol is not None:
        return symbol
    return hash64(string.encode("utf-8"))
