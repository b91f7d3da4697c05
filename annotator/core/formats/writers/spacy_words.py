"""A document's words as spaCy holds them, computed once per document with numpy.

spaCy's words are the shared tokenizer's tokens plus white space: one plain space after a word
is that word's ``whitespace_``; any other white space (a newline, a tab, a second space, white
space at the very start) is a word of its own without a trailing space, as ``spacy.blank``
makes it. So ``doc.text`` is the document text and character offsets agree.

Everything here is per document and shared by its units (one per annotator): the words, their
spaces, the word each token became, and the token columns every unit starts from (ORTH hashes,
sentence starts, no entities).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy

from annotator.core.formats.writers.spacy_symbols import ENT_IOB, ORTH, SENT_START
from annotator.core.formats.writers.tokenize import Tokens
from annotator.core.formats.writers.tokenize_numpy import cover, cut

OUTSIDE = 2  # spaCy's ENT_IOB for "outside every entity", what doc.ents = [...] sets elsewhere
NOT_SENT_START = numpy.uint64(2**64 - 1)  # SENT_START -1 (not a start), as to_array gives it


@dataclass(frozen=True)
class DocWords:
    """``words``/``spaces`` for ``Doc(vocab, words, spaces)``; ``index[i]``: token i's word."""

    words: list[str]
    spaces: Any  # numpy bool array, one per word
    index: Any  # numpy int64 array, one per token of the shared tokenizer
    base: Any  # numpy uint64 (words x attrs) array: each unit's token columns before entities

    def __len__(self) -> int:
        return len(self.words)


def doc_words(
    tokens: Tokens,
    arrays: tuple[Any, Any],
    sentence_firsts: Any,
    attrs: Sequence[int],
    orth: Callable[[str], int],
) -> DocWords:
    """The words of ``tokens.text`` and the base columns for ``attrs`` (ORTH first).

    ``arrays``: ``token_arrays(tokens)``; ``sentence_firsts``: ``Prepared.sentence_firsts`` (a
    sentence starts at its first token); ``orth``
    gives a string's hash as spaCy's ``StringStore`` does (symbols have small ids).
    """
    text = tokens.text
    starts, ends = arrays
    word_starts, word_ends, spaces, index = cover(text, starts, ends)
    words = cut(text, word_starts, word_ends)
    size = len(words)
    base = numpy.zeros((size, len(attrs)), dtype=numpy.uint64)
    column = {attr: k for k, attr in enumerate(attrs)}
    base[:, column[ORTH]] = numpy.array(list(map(orth, words)), dtype=numpy.uint64)
    base[:, column[ENT_IOB]] = OUTSIDE
    sent = base[:, column[SENT_START]]
    sent[:] = NOT_SENT_START
    sent[index[sentence_firsts]] = 1
    if size:
        sent[0] = 1
    return DocWords(words, spaces, index, base)
