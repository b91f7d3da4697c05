"""What the Export dialog will write, in the command line's own terms (issue 13, defect 10).

The dialog and ``annotator export`` share ``plan_output`` and ``export_dataset``, so one path
gives one layout. What differed was the path: the dialog proposed ``annotator-export`` with no
suffix, which is a folder, where a user of the command line writes ``out.jsonl``, a file. The
dialog now proposes the path the command line would be given, and shows that very command.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.core.domain.layers import SPECIAL_LAYERS
from annotator.core.formats.options import NESTED, SCHEME
from annotator.core.services.exporting.dataset import WRITERS, default_filter
from annotator.core.services.exporting.source import ExportFilter

if TYPE_CHECKING:
    from annotator.core.services.exporting.targets import Layout

STEM = "annotator-export"


def proposed_output(folder: Path, fmt: str, split: bool) -> Path:
    """The path to offer: a file with the format's extension when the export is one file
    (as ``annotator export out.jsonl`` writes), a folder when it is a split or a folder format."""
    info = WRITERS[fmt]
    return folder / (STEM if info.folder or split else STEM + info.extension)


def layout_line(layout: Layout) -> str:
    """What the export will be on disk, in one line."""
    if layout.folder:
        return f"writes a folder, {layout.target.name}/, with its files and manifest.json"
    return f"writes one file, {layout.target.name}, and {layout.manifest.name} beside it"


@dataclass(frozen=True)
class Choices:
    """The dialog's fields, as the command line's options."""

    fmt: str
    output: str
    filter: ExportFilter
    split: str | None = None
    seed: int = 13
    stratify: str | None = None
    scheme: str | None = SCHEME.default
    nested: str | None = NESTED.default
    allow_outside_schema: bool = False


def command_line(choices: Choices) -> str:
    """The ``annotator export`` command that writes the same files."""
    args = ["annotator", "export", choices.output, "--format", choices.fmt]
    default = default_filter(choices.fmt)
    flt = choices.filter
    for name in flt.annotators:
        args += ["--layer", name]
    if flt.statuses != default.statuses:
        args += ["--status", *(flt.statuses or ("any",))]
    if choices.split is not None:
        args += ["--split", choices.split, "--seed", str(choices.seed)]
        if choices.stratify:
            args += ["--stratify", choices.stratify]
    if choices.scheme and choices.scheme != SCHEME.default:
        args += ["--scheme", choices.scheme]
    if choices.nested and choices.nested != NESTED.default:
        args += ["--nested", choices.nested]
    if choices.allow_outside_schema:
        args.append("--allow-outside-schema")
    return shlex.join(args)


def layer_filter(
    fmt: str, chosen: tuple[str, ...], every: tuple[str, ...], statuses: tuple[str, ...]
) -> ExportFilter:
    """The layers ticked, as the command line reads them: the format's default set is the
    command's default (no --layer), anything else names each layer."""
    default = default_filter(fmt)
    if set(chosen) == set(default_layers(fmt, every)):
        return ExportFilter(statuses=statuses, all_layers=default.all_layers)
    return ExportFilter(annotators=chosen, statuses=statuses)


def default_layers(fmt: str, every: tuple[str, ...]) -> tuple[str, ...]:
    """What ``annotator export`` takes without --layer: every layer for a backup format,
    people's work otherwise."""
    if default_filter(fmt).all_layers:
        return every
    return tuple(name for name in every if name not in SPECIAL_LAYERS)
