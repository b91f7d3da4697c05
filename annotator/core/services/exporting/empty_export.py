"""Why an export selected nothing: it writes no empty dataset, and says what to change."""

from __future__ import annotations

from annotator.core.domain.wording import counted
from annotator.core.services.exporting.source import ExportFilter


def why_nothing(flt: ExportFilter, no_units: int, selected: int, fmt: str) -> str:
    """One line for the refusal: what was selected, and the option that would select more.

    ``selected``: documents the filters chose; ``fmt``: the format's name, when they hold
    nothing it writes (a statements export of documents without a statement)."""
    who = " or ".join(flt.annotators) if flt.annotators else "anyone"
    if no_units:
        what = f"{counted(no_units, 'document')} selected, but none has spans or is marked done"
    elif selected:
        what = f"{counted(selected, 'document')} selected, but none holds what {fmt} writes"
    elif flt.statuses:
        marked = " or ".join(flt.statuses)
        what = f"no document is marked {marked} by {who}"
    else:
        what = "no document matches the filters"
    hint = "mark documents done or give --status any" if flt.statuses else "check the filters"
    if selected and not no_units:
        hint = "choose another format or check the filters"
    if flt.labels:
        hint += f" (labels: {', '.join(flt.labels)})"
    return f"nothing to export: {what}; {hint}. No file was written."
