"""A document's boilerplate: the ranges the importer's rules recognise in its text, with the
marks annotators made by hand kept in the document's meta (issue 13, defect 2).

Recognising costs a pass over the lines, so it is done when a document is asked for and kept
for the last few; the marks are one small JSON value, written through the rule book's offset
check. The text is never changed.
"""

from __future__ import annotations

from collections import OrderedDict

from annotator.core.domain import boilerplate, rules
from annotator.core.domain.boilerplate import Range
from annotator.core.domain.errors import NotFoundError
from annotator.core.formats.readers.boilerplate import detect_boilerplate
from annotator.core.services.documents import DocumentService
from annotator.core.services.writing import guarded_write
from annotator.core.storage.db import Database
from annotator.core.storage.models import Document


class BoilerplateService:
    def __init__(self, db: Database, documents: DocumentService, cache_size: int = 8) -> None:
        self._db = db
        self._documents = documents
        self._detected: OrderedDict[int, list[Range]] = OrderedDict()
        self._cache_size = cache_size

    def detected(self, document_id: int) -> list[Range]:
        """What the rules recognise (whole lines, in text order)."""
        found = self._detected.get(document_id)
        if found is None:
            found = detect_boilerplate(self._documents.text(document_id))
            self._detected[document_id] = found
            while len(self._detected) > self._cache_size:
                self._detected.popitem(last=False)
        self._detected.move_to_end(document_id)
        return found

    def adopt(self, document_id: int, detected: list[Range]) -> list[Range]:
        """Keep what ``detect_boilerplate`` found for a document on another thread (a long
        text's pass takes too long for the window's); returns what counts now."""
        self._detected[document_id] = detected
        while len(self._detected) > self._cache_size:
            self._detected.popitem(last=False)
        return self.ranges(document_id)

    def marks(self, document_id: int) -> tuple[list[Range], list[Range]]:
        """The (marked, unmarked) ranges annotators chose by hand."""
        with self._db.read() as s:
            row = s.get(Document, document_id)
            if row is None:
                raise NotFoundError(f"document #{document_id} does not exist")
            return boilerplate.marks(row.meta or {})

    def ranges(self, document_id: int) -> list[Range]:
        """What counts as boilerplate now: recognised or marked, unless unmarked."""
        return boilerplate.effective(self.detected(document_id), *self.marks(document_id))

    def set_marks(
        self,
        document_id: int,
        marked: list[Range],
        unmarked: list[Range],
        busy_timeout_ms: int | None = None,
    ) -> list[Range]:
        """Store the hand-made marks (each range checked against the text); returns the
        ranges that now count as boilerplate."""
        text = self._documents.text(document_id)
        for start, end in (*marked, *unmarked):
            rules.check_offsets(text, start, end)
        with guarded_write(self._db, busy_timeout_ms) as s:
            row = s.get(Document, document_id)
            if row is None:
                raise NotFoundError(f"document #{document_id} does not exist")
            row.meta = boilerplate.with_marks(row.meta or {}, marked, unmarked)
        return boilerplate.effective(self.detected(document_id), marked, unmarked)
