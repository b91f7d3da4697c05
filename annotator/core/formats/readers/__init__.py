"""Readers: input files into ``ParsedDocument``s, one module per format. No database here."""

from annotator.core.formats.readers.common import (
    MAX_FILE_BYTES,
    ParsedDocument,
    ParsedRelation,
    ParsedSpan,
    ReadProblem,
    decode,
    read_bytes,
    read_txt,
    sniff_jsonl_layout,
)
from annotator.core.formats.readers.external import Skipped, read_doccano, read_prodigy
from annotator.core.formats.readers.html import read_html
from annotator.core.formats.readers.jsonl import parse_native_record, read_jsonl

__all__ = [
    "MAX_FILE_BYTES",
    "ParsedDocument",
    "ParsedRelation",
    "ParsedSpan",
    "ReadProblem",
    "Skipped",
    "decode",
    "parse_native_record",
    "read_bytes",
    "read_doccano",
    "read_html",
    "read_jsonl",
    "read_prodigy",
    "read_txt",
    "sniff_jsonl_layout",
]
