"""The options whose meaning depends on the format: each entry lists those it takes.

Options every export has (which annotators, statuses and labels; ``--force``) are not here:
they filter what is exported, whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMES = ("BIO", "BILOU")
NESTED_CHOICES = ("layers", "outermost")  # the default, which keeps every label, first
NESTED_DEFAULT = NESTED_CHOICES[0]


@dataclass(frozen=True)
class Option:
    """One option as the command line spells it, with what it means."""

    name: str  # the keyword (``ExportOptions`` field or import argument)
    flag: str  # as typed: ``--nested``
    help: str
    choices: tuple[str, ...] = ()
    default: str | None = None


SPLIT = Option(
    "split",
    "--split",
    "Split whole documents into parts, one file each, e.g. train=0.8,dev=0.1,test=0.1. "
    "OUTPUT is then a folder.",
)
SEED = Option("seed", "--seed", "Seed of the split's random order.")
STRATIFY = Option(
    "stratify",
    "--stratify",
    "Keep the split's proportions within each value of the documents' dominant label "
    "('label') or attribute value (ATTR or LABEL.ATTR, e.g. stance).",
)
REDEAL = Option(
    "redeal",
    "--redeal",
    "Deal every document to a split afresh. Without it, a document keeps the split an earlier "
    "export with the same split names gave it, in every format; only new documents are dealt "
    "(with the shares given now). The manifest records which.",
)
SCHEME = Option("scheme", "--scheme", "conll: tag scheme.", SCHEMES, "BIO")
NESTED = Option(
    "nested",
    "--nested",
    "conll: nested and overlapping spans. layers: one tag column per label, so every label is "
    "kept; outermost: one column where the outermost span wins and nested ones (e.g. WEAPON "
    "inside STATEMENT) are left out. The manifest counts what the file holds.",
    NESTED_CHOICES,
    NESTED_DEFAULT,
)
SPLITS = (SPLIT, SEED, STRATIFY, REDEAL)  # every export format can be split

ENCODING = Option("encoding", "--encoding", "Decode files with this encoding instead of UTF-8.")
ANNOTATOR = Option(
    "annotator", "--annotator", "Owner of pre-annotated spans that name no annotator."
)

EXPORT_OPTIONS = (*SPLITS, SCHEME, NESTED)  # what some export formats take and others refuse
IMPORT_OPTIONS = (ENCODING, ANNOTATOR)
