"""The export formats: what each writes, for the CLI's --help and the Export dialog's list."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import Schema
from annotator.core.formats.writers import conll, spacy_docbin
from annotator.core.formats.writers.spacy_docbin import MISSING as SPACY_MISSING

# conll's choices for nested and overlapping spans, the default (which keeps every label) first.
NESTED_CHOICES = conll.NESTED
NESTED_DEFAULT = conll.DEFAULT_NESTED


@dataclass(frozen=True)
class FormatInfo:
    """What the Export dialog and ``--help`` say about a format."""

    name: str
    title: str
    description: str
    extension: str
    record: str  # what one record is
    folder: bool = False  # always writes a folder
    tokens: bool = False  # uses the shared tokenizer
    needs: str | None = None  # the optional extra it needs


FORMATS: Mapping[str, FormatInfo] = MappingProxyType(
    {
        f.name: f
        for f in (
            FormatInfo(
                "native",
                "Native JSONL",
                "Everything, losslessly: re-importable, and the format of backups.",
                ".jsonl",
                "document",
            ),
            FormatInfo(
                "statements",
                "Statements JSONL",
                "One record per statement with its context, speaker, stance, targets and "
                "weapons: for stance classifiers and who-said-what tables.",
                ".jsonl",
                "statement",
            ),
            FormatInfo(
                "doccano",
                "doccano JSONL (sequence labelling)",
                '{"text", "label": [[start, end, label]]}, as doccano imports and exports it.',
                ".jsonl",
                "document and annotator",
            ),
            FormatInfo(
                "doccano-rel",
                "doccano JSONL (relation extraction)",
                '{"text", "entities", "relations"}, doccano\'s layout with links.',
                ".jsonl",
                "document and annotator",
            ),
            FormatInfo(
                "prodigy",
                "Prodigy JSONL",
                "Prodigy tasks with tokens, spans and relations, answer accept.",
                ".jsonl",
                "document and annotator",
                tokens=True,
            ),
            FormatInfo(
                "spacy",
                "spaCy DocBin",
                "A .spacy file per split: entities, span groups for overlapping spans, "
                "attributes and links in user_data. For spacy train.",
                ".spacy",
                "document and annotator",
                tokens=True,
                needs="spacy",
            ),
            FormatInfo(
                "conll",
                "CoNLL (BIO/BILOU)",
                "Token-per-line tags with document and sentence breaks, for seqeval and "
                "Hugging Face token classification; one tag column per label by default, so "
                "nested labels are kept.",
                ".conll",
                "document and annotator",
                tokens=True,
            ),
            FormatInfo(
                "brat",
                "brat standoff",
                ".txt and .ann pairs with annotation.conf, to open in brat.",
                "",
                "document and annotator",
                folder=True,
            ),
        )
    }
)


def format_info(fmt: str) -> FormatInfo:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ExportError(
            f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})"
        ) from None


def unavailable_reason(fmt: str) -> str | None:
    """Why a format cannot be used here (a missing optional package), or None.

    Cheap (nothing is imported), so a dialog may ask for every format when it opens.
    """
    needs = format_info(fmt).needs
    if needs is not None:
        try:
            found = importlib.util.find_spec(needs) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return SPACY_MISSING
    return None


def layout_notes(fmt: str, schema: Schema, nested: str, layers: list[str]) -> dict[str, Any]:
    """What the manifest says about how a format lays out its records."""
    name = fmt
    if name == "conll":
        columns = ["token", "tag"] if nested == "outermost" else ["token", *layers]
        return {
            "columns": columns,
            "separator": "one space",
            "document_start": conll.DOCSTART,
            "sentence_break": "blank line (never inside a written span)",
            "not_held": ["relations", "attributes"],
            "units": "conll_units lists the document and annotator of each -DOCSTART- block",
            "held": "splits.*.held: spans written and left out per label, tags per column",
        }
    if name == "doccano":
        return {"not_held": ["relations (use doccano-rel)"], "attributes": "parallel list"}
    if name == "doccano-rel":
        return {"attributes": "key of each entity"}
    if name == "prodigy":
        return {"token_end": "inclusive", "relation_head_child": "last token of each span"}
    if name == "spacy":
        return {
            "span_group": spacy_docbin.SPAN_KEY,
            "entity_labels": [lab.name for lab in schema.labels if not lab.overlap],
            "user_data": ["document_id", "title", "annotator", "spans", "relations"],
        }
    if name == "brat":
        return {"folders": "<split>/<annotator>/<document>.txt|.ann", "conf": True}
    return {}
