"""The agreement report as plain text, for a terminal: what a team lead reads first.

Per-document figures stay in the JSON; a thousand rows would bury the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MODE_NAMES = {
    "exact": "exact boundaries (same start, end and label)",
    "overlap": "overlapping spans (same label, any overlap, one-to-one)",
}


def render_table(report: Mapping[str, Any]) -> str:
    """The report's pairs and overall figures as aligned text tables."""
    mode = report["mode"]
    lines = [
        f"Span matching: {MODE_NAMES.get(mode, mode)}",
        f"Annotators: {', '.join(report['annotators']) or '(none)'}; "
        f"documents compared: {report['documents']}",
    ]
    for pair in report["pairs"]:
        first, second = pair["annotators"]
        lines += [
            "",
            f"{first} vs {second} ({_documents(pair['documents'])}, {first} as reference)",
        ]
        lines += _table(
            ["label", "P", "R", "F1", "alpha_u", "tp", "fp", "fn"],
            [
                [
                    _label(k),
                    *_cells(e, ["precision", "recall", "f1", "alpha_u", "tp", "fp", "fn"]),
                ]
                for k, e in pair["spans"].items()
            ],
        )
        lines += _section(pair["attributes"], ["attribute", "kappa", "n"], ["cohen_kappa", "n"])
        lines += _section(
            pair["relations"],
            ["relation", "P", "R", "F1", "kappa", "n"],
            ["precision", "recall", "f1", "cohen_kappa", "n"],
        )
        lines += _section(
            pair.get("link_attributes", {}), ["link attribute", "kappa", "n"], ["cohen_kappa", "n"]
        )
    overall = report["overall"]
    lines += [
        "",
        f"All annotators (alpha_u over the {_documents(overall['documents_all_annotators'])} "
        "every annotator has)",
    ]
    lines += _section(
        overall["spans"],
        ["label", "F1 mean", "pairs", "alpha_u", "units"],
        ["f1_mean", "pairs", "alpha_u", "units"],
    )
    lines += _section(
        overall["attributes"],
        ["attribute", "Fleiss kappa", "items", "Krippendorff alpha", "items"],
        ["fleiss_kappa", "fleiss_n", "krippendorff_alpha", "n"],
    )
    lines += _section(
        overall["relations"],
        ["relation", "F1 mean", "kappa mean"],
        ["f1_mean", "cohen_kappa_mean"],
    )
    lines += _section(
        overall.get("link_attributes", {}),
        ["link attribute", "kappa mean", "pairs"],
        ["cohen_kappa_mean", "pairs"],
    )
    return "\n".join(lines) + "\n"


def _documents(n: int) -> str:
    return "1 document" if n == 1 else f"{n} documents"


def _label(key: str) -> str:
    return "all (micro)" if key == "*" else key


def _section(entries: Mapping[str, Any], header: list[str], keys: list[str]) -> list[str]:
    if not entries:
        return []
    return ["", *_table(header, [[_label(k), *_cells(e, keys)] for k, e in entries.items()])]


def _cells(entry: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    return [_cell(entry, key) for key in keys]


def _cell(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if value is None:
        return f"undefined ({_reason(entry, key)})"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _reason(entry: Mapping[str, Any], key: str) -> str:
    """The reason recorded for ``key`` ("key: reason" in "undefined"), else the whole note."""
    note = str(entry.get("undefined", "no value"))
    for part in note.split("; "):
        if part.startswith(f"{key}: "):
            return part[len(key) + 2 :]
    return note


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        return "  " + "  ".join(cells).rstrip()

    return [line(header), *(line(row) for row in rows)]
