"""How each export format's writer is opened, and what its manifest says about its layout.

One small function per format, named by its registry entry. Each imports its writer module
when called, so that listing the formats (``annotator --help``) imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from annotator.core.domain.jsonio import dumps_line
from annotator.core.domain.schema import Schema
from annotator.core.formats.entries import LayoutContext, RecordWriter, WriterContext
from annotator.core.formats.writers.documents import ByteSink, RawDocument
from annotator.core.formats.writers.fixed import attribute_names, relation_attribute_names


class JsonlWriter:
    """Each item's records, one JSON line each."""

    def __init__(self, out: ByteSink, records: Callable[[Any], Iterable[dict[str, Any]]]):
        self._out = out
        self._records = records

    def add(self, item: Any) -> int:
        n = 0
        for record in self._records(item):
            self._out.write(dumps_line(record))
            n += 1
        return n

    def close(self) -> None:
        """The service closes the file: nothing is buffered here."""


class NativeWriter:
    """The native fast path: a document's rows straight to its JSON line."""

    def __init__(self, context: WriterContext) -> None:
        from annotator.core.formats.writers.native import schema_info

        assert context.out is not None
        self._out = context.out
        self._info = schema_info(context.schema)
        self._attributes = attribute_names(context.schema)
        self._links = relation_attribute_names(context.schema)

    def add(self, item: RawDocument) -> int:
        from annotator.core.formats.writers.native import native_raw_line

        self._out.write(native_raw_line(item, self._info, self._attributes, self._links))
        return 1

    def close(self) -> None:
        """The service closes the file."""


def _out(context: WriterContext) -> ByteSink:
    assert context.out is not None, "a file format is given its file"
    return context.out


def open_native(context: WriterContext) -> RecordWriter:
    return NativeWriter(context)


def open_statements(context: WriterContext) -> RecordWriter:
    from annotator.core.formats.writers.statements import statement_records

    schema = context.schema
    return JsonlWriter(_out(context), lambda doc: statement_records(doc, schema))


def _open_doccano(context: WriterContext, relations: bool) -> RecordWriter:
    from annotator.core.formats.writers import doccano

    names, problems, part = attribute_names(context.schema), context.problems, context.part
    links = relation_attribute_names(context.schema)
    return JsonlWriter(
        _out(context), lambda p: doccano.records(p, names, problems, part, relations, links)
    )


def open_doccano(context: WriterContext) -> RecordWriter:
    return _open_doccano(context, relations=False)


def open_doccano_rel(context: WriterContext) -> RecordWriter:
    return _open_doccano(context, relations=True)


def open_prodigy(context: WriterContext) -> RecordWriter:
    from annotator.core.formats.writers import prodigy
    from annotator.core.formats.writers.prodigy_hash import SpanValues

    names, problems, part = attribute_names(context.schema), context.problems, context.part
    links = relation_attribute_names(context.schema)
    values = SpanValues()  # what it encoded for one task's hash, kept for the next
    return JsonlWriter(
        _out(context), lambda p: prodigy.task_records(p, problems, part, names, links, values)
    )


def open_spacy(context: WriterContext) -> RecordWriter:
    from annotator.core.formats.writers.spacy_docbin import DocBinWriter

    assert context.scratch is not None
    return DocBinWriter(
        _out(context), context.scratch, context.schema, context.problems, context.part
    )


def open_conll(context: WriterContext) -> RecordWriter:
    from annotator.core.formats.writers.conll import ConllWriter

    assert context.list_file is not None
    return ConllWriter(
        _out(context),
        scheme=context.scheme,
        nested=context.nested,
        layers=context.layers,
        problems=context.problems,
        part=context.part,
        units_out=context.list_file("conll_units"),
    )


def open_brat(context: WriterContext) -> RecordWriter:
    from annotator.core.formats.writers.brat import BratWriter

    assert context.folder is not None
    return BratWriter(context.folder, context.schema)


# -- what the manifest says about each layout --


def conll_layout(context: LayoutContext) -> dict[str, Any]:
    from annotator.core.formats.writers.conll import DOCSTART

    outermost = context.nested == "outermost"
    return {
        "columns": ["token", "tag"] if outermost else ["token", *context.layers],
        "separator": "one space",
        "document_start": DOCSTART,
        "sentence_break": "blank line (never inside a written span)",
        "not_held": ["relations", "attributes"],
        "units": "conll_units lists the document and annotator of each -DOCSTART- block",
        "held": "splits.*.held: spans written and left out per label, tags per column",
    }


def doccano_layout(_: LayoutContext) -> dict[str, Any]:
    return {"not_held": ["relations (use doccano-rel)"], "attributes": "parallel list"}


def doccano_rel_layout(_: LayoutContext) -> dict[str, Any]:
    return {"attributes": "key of each entity"}


def prodigy_layout(_: LayoutContext) -> dict[str, Any]:
    return {"token_end": "inclusive", "relation_head_child": "last token of each span"}


def spacy_layout(context: LayoutContext) -> dict[str, Any]:
    from annotator.core.formats.writers.spacy_docbin import SPAN_KEY

    return {
        "span_group": SPAN_KEY,
        "entity_labels": [lab.name for lab in context.schema.labels if not lab.overlap],
        "user_data": ["document_id", "title", "annotator", "spans", "relations"],
    }


def brat_layout(context: LayoutContext) -> dict[str, Any]:
    from annotator.core.formats.writers.brat import relation_attributes_note

    layout: dict[str, Any] = {"folders": "<split>/<annotator>/<document>.txt|.ann", "conf": True}
    layout.update(relation_attributes_note(context.schema))
    return layout


def brat_files(schema: Schema) -> dict[str, str]:
    """annotation.conf and visual.conf, so that brat shows the schema's labels and links."""
    from annotator.core.formats.writers.brat import conf_files

    return conf_files(schema)
