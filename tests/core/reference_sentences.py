"""The tokens that begin a sentence, found the slow, obvious way: the reference the exports'
one-``searchsorted`` version (``Prepared.sentence_firsts``) is held to."""

from __future__ import annotations

from annotator.core.domain.text import sentence_bounds
from annotator.core.formats.writers.tokenize import Tokens


def reference_sentence_starts(tokens: Tokens) -> set[int]:
    """The first token of each sentence that holds one, one sentence and one token at a time."""
    firsts: set[int] = set()
    i = 0
    for start, end in sentence_bounds(tokens.text):
        while i < len(tokens) and tokens.starts[i] < start:
            i += 1
        if i < len(tokens) and tokens.starts[i] < end:
            firsts.add(i)
    return firsts
