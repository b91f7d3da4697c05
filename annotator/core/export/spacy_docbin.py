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
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from annotator.core.errors import ExportError
from annotator.core.export.aligned import outermost, place, report_left_out
from annotator.core.export.output import HashingFile
from annotator.core.export.problems import ProblemLog
from annotator.core.export.units import Prepared, Unit
from annotator.core.schema import Schema

SPAN_KEY = "sc"
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "SENT_START")


def require_spacy() -> ModuleType:
    try:
        import spacy
    except ImportError:
        raise ExportError(
            "the spacy format needs spaCy, which is not installed: pip install 'annotator[spacy]'"
        ) from None
    return spacy


def words_and_spaces(prepared: Prepared) -> tuple[list[str], list[bool], list[int], list[bool]]:
    """spaCy's words and spaces for the text; which word each token is; which start sentences."""
    tokens = prepared.tokens
    text = prepared.doc.text
    words: list[str] = []
    spaces: list[bool] = []
    index: list[int] = []
    sent: list[bool] = []
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


class DocBinWriter:
    def __init__(self, out: HashingFile, schema: Schema, problems: ProblemLog, part: str) -> None:
        require_spacy()
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        self._out = out
        self._vocab = Vocab()
        self._docbin = DocBin(attrs=list(ATTRS), store_user_data=True)
        self._entity_labels = {lab.name for lab in schema.labels if not lab.overlap}
        self._problems = problems
        self._part = part

    def add(self, prepared: Prepared) -> int:
        if not prepared.units:
            return 0
        words, spaces, index, sent = words_and_spaces(prepared)
        for unit in prepared.units:
            self._docbin.add(self._doc(prepared, unit, words, spaces, index, sent))
        return len(prepared.units)

    def _doc(
        self,
        prepared: Prepared,
        unit: Unit,
        words: list[str],
        spaces: list[bool],
        index: list[int],
        sent: list[bool],
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
        self._out.write(self._docbin.to_bytes())
