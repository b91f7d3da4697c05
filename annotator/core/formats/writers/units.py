"""Training examples: one per document and annotator, with the tokens every format shares.

Training formats hold one annotator's view of a text per record: two annotators' spans on the
same text, merged, would teach a model overlaps nobody made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from annotator.core.domain.text import sentence_bounds
from annotator.core.formats.writers import tokenize_numpy
from annotator.core.formats.writers.documents import ExportDocument, ExportRelation, ExportSpan
from annotator.core.formats.writers.tokenize import Tokens, tokenize


@dataclass
class Unit:
    doc: ExportDocument
    annotator: str | None
    spans: list[ExportSpan] = field(default_factory=list)
    relations: list[ExportRelation] = field(default_factory=list)


class Prepared:
    """A document split into units; tokens and sentences computed once, when a format asks."""

    def __init__(self, doc: ExportDocument, statuses: tuple[str, ...] = ()) -> None:
        self.doc = doc
        self.units = units_of(doc, statuses)

    @cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.doc.text)

    @cached_property
    def token_arrays(self) -> tuple[Any, Any]:
        """Token starts and ends as numpy arrays, for the formats that compute with numpy."""
        return tokenize_numpy.token_arrays(self.tokens)

    @cached_property
    def sentence_firsts(self) -> Any:
        """The tokens that begin a sentence, in order, as a numpy array (numpy needed)."""
        return tokenize_numpy.sentence_firsts(self.token_arrays[0], sentence_bounds(self.doc.text))


def units_of(doc: ExportDocument, statuses: tuple[str, ...] = ()) -> list[Unit]:
    """One unit per annotator with spans here, or with the document done (a true negative).

    When the export asks for given statuses, an annotator in one of them counts even without
    spans: that is the work the team lead selected.
    """
    names = {sp.annotator for sp in doc.spans}
    for name, status in doc.status.items():
        if status in statuses or (not statuses and status == "done"):
            names.add(name)
    units = {name: Unit(doc, name) for name in sorted(names)}
    for sp in doc.spans:
        units[sp.annotator].spans.append(sp)
    for rel in doc.relations:
        if rel.annotator in units:
            units[rel.annotator].relations.append(rel)
    return list(units.values())
