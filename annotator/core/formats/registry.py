"""Every format, as one entry each: the readers (import) and the writers (export).

The command line takes its ``--format`` choices and help from here, the Export dialog its list,
descriptions and which options to show, the manifest its record and layout notes, and the
exporting and importing services their writer and reader. Importing this module imports no
reader or writer: each is imported when its entry is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from annotator.core.domain.errors import AnnotatorError, ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats import options
from annotator.core.formats import read_calls as read
from annotator.core.formats.entries import (
    LayoutContext,
    OptionRefused,
    ReaderEntry,
    WriterContext,
    WriterEntry,
)
from annotator.core.formats.options import NESTED_CHOICES, NESTED_DEFAULT, SCHEMES
from annotator.core.formats.writers import opening as write
from annotator.core.formats.writers.spacy_docbin import MISSING as SPACY_MISSING

__all__ = [
    "FORMATS",
    "NESTED_CHOICES",
    "NESTED_DEFAULT",
    "READERS",
    "SCHEMES",
    "WRITERS",
    "FormatInfo",
    "LayoutContext",
    "OptionRefused",
    "ReaderEntry",
    "WriterContext",
    "WriterEntry",
    "format_info",
    "reader",
    "unavailable_reason",
    "writer",
]


def _needs_statements(schema: Schema) -> str | None:
    if schema.statements is None:
        return (
            f"schema {schema.name} has no exports.statements section saying which label is "
            "the statement"
        )
    return None


_CONLL_OPTIONS = (*options.SPLITS, options.SCHEME, options.NESTED)

WRITERS: Mapping[str, WriterEntry] = MappingProxyType(
    {
        entry.name: entry
        for entry in (
            WriterEntry(
                "native",
                "Native JSONL",
                "Everything, losslessly: re-importable, and the format of backups.",
                "annotator export backup.jsonl --format native",
                options.SPLITS,
                ".jsonl",
                "document",
                write.open_native,
                item="raw",
                every_status=True,
                every_layer=True,
                archive=True,
                read_back="native",
            ),
            WriterEntry(
                "statements",
                "Statements JSONL",
                "One record per statement with its context, speaker, stance, targets and "
                "weapons: for stance classifiers and who-said-what tables. Needs a schema "
                "whose exports.statements section names the statement label.",
                "annotator export statements.jsonl --format statements --status any",
                options.SPLITS,
                ".jsonl",
                "statement",
                write.open_statements,
                item="document",
                requires=_needs_statements,
            ),
            WriterEntry(
                "doccano",
                "doccano JSONL (sequence labelling)",
                '{"text", "label": [[start, end, label]]}, as doccano imports and exports it.',
                "annotator export ner.jsonl --format doccano --status any",
                options.SPLITS,
                ".jsonl",
                "document and annotator",
                write.open_doccano,
                layout=write.doccano_layout,
                read_back="doccano",
            ),
            WriterEntry(
                "doccano-rel",
                "doccano JSONL (relation extraction)",
                '{"text", "entities", "relations"}, doccano\'s layout with links.',
                "annotator export links.jsonl --format doccano-rel --status any",
                options.SPLITS,
                ".jsonl",
                "document and annotator",
                write.open_doccano_rel,
                layout=write.doccano_rel_layout,
                read_back="doccano",
            ),
            WriterEntry(
                "prodigy",
                "Prodigy JSONL",
                "Prodigy tasks with tokens, spans and relations, answer accept.",
                "annotator export tasks.jsonl --format prodigy --status any",
                options.SPLITS,
                ".jsonl",
                "document and annotator",
                write.open_prodigy,
                tokens=True,
                layout=write.prodigy_layout,
                read_back="prodigy",
            ),
            WriterEntry(
                "spacy",
                "spaCy DocBin",
                "A .spacy file per split: entities, span groups for overlapping spans, "
                "attributes and links in user_data. For spacy train. Needs the spacy extra.",
                "annotator export corpus/ --format spacy --split train=0.8,dev=0.2 --status any",
                options.SPLITS,
                ".spacy",
                "document and annotator",
                write.open_spacy,
                tokens=True,
                needs="spacy",
                missing=SPACY_MISSING,
                # spaCy's own packages, not spaCy: the writer never imports it (a second)
                loads=("srsly.msgpack", "murmurhash.mrmr"),
                layout=write.spacy_layout,
            ),
            WriterEntry(
                "conll",
                "CoNLL (BIO/BILOU)",
                "Token-per-line tags with document and sentence breaks, for seqeval and "
                "Hugging Face token classification; one tag column per label by default, so "
                "nested labels are kept.",
                "annotator export ner/ --format conll --scheme BILOU "
                "--split train=0.8,dev=0.1,test=0.1 --stratify stance --status any",
                _CONLL_OPTIONS,
                ".conll",
                "document and annotator",
                write.open_conll,
                tokens=True,
                layout=write.conll_layout,
            ),
            WriterEntry(
                "brat",
                "brat standoff",
                ".txt and .ann pairs with annotation.conf, to open in brat.",
                "annotator export brat/ --format brat --status any",
                options.SPLITS,
                "",
                "document and annotator",
                write.open_brat,
                folder=True,
                layout=write.brat_layout,
                files=write.brat_files,
            ),
        )
    }
)

_READ_OPTIONS = (options.ENCODING,)
_ANNOTATED_OPTIONS = (options.ENCODING, options.ANNOTATOR)

READERS: Mapping[str, ReaderEntry] = MappingProxyType(
    {
        entry.name: entry
        for entry in (
            ReaderEntry(
                "txt",
                "Plain text",
                "One document per file; the first line is its title.",
                "annotator import articles/ --format txt",
                _READ_OPTIONS,
                (".txt", ".text"),
                read.read_txt,
            ),
            ReaderEntry(
                "html",
                "HTML page",
                "One document per page: the title and the article's text, markup dropped.",
                "annotator import page.html --format html",
                _READ_OPTIONS,
                (".html", ".htm"),
                read.read_html,
            ),
            ReaderEntry(
                "native",  # the name export gives it; "jsonl" is what it was called before
                "Native JSONL",
                "Our own JSONL (a native export or backup), with annotations and statuses.",
                "annotator import backup.jsonl --format native",
                _ANNOTATED_OPTIONS,
                (".jsonl", ".ndjson"),
                read.read_jsonl,
                annotations=True,
                aliases=("jsonl",),
            ),
            ReaderEntry(
                "doccano",
                "doccano JSONL",
                "doccano's sequence-labelling or relation layout, with its spans and links.",
                "annotator import ner.jsonl --format doccano --annotator alice",
                _ANNOTATED_OPTIONS,
                (),
                read.read_doccano,
                annotations=True,
            ),
            ReaderEntry(
                "prodigy",
                "Prodigy JSONL",
                "Prodigy tasks (ner_manual, rel.manual) with their spans and relations.",
                "annotator import tasks.jsonl --format prodigy",
                _ANNOTATED_OPTIONS,
                (),
                read.read_prodigy,
                annotations=True,
            ),
        )
    }
)

# What the window and older callers call the export list.
FormatInfo = WriterEntry
FORMATS = WRITERS


def writer(name: str) -> WriterEntry:
    """The export format ``name``, or an error listing the formats there are."""
    try:
        return WRITERS[name]
    except KeyError:
        raise ExportError(
            f"unknown export format {name!r} (formats: {', '.join(WRITERS)})"
        ) from None


def reader(name: str) -> ReaderEntry:
    """The import format ``name`` (or an alias of one), or an error listing those there are."""
    for entry in READERS.values():
        if name == entry.name or name in entry.aliases:
            return entry
    raise AnnotatorError(f"unknown import format {name!r} (formats: {', '.join(READERS)})")


def reader_for_suffix(suffix: str) -> ReaderEntry | None:
    """The reader of files ending in ``suffix`` (".txt"), if one reads them by name."""
    suffix = suffix.lower()
    for entry in READERS.values():
        if suffix in entry.suffixes:
            return entry
    return None


def format_info(fmt: str) -> WriterEntry:
    return writer(fmt)


def unavailable_reason(fmt: str) -> str | None:
    """Why a format cannot be used here (a missing optional package), or None."""
    return writer(fmt).unavailable_reason()
