"""Inter-annotator agreement: chance-corrected coefficients, span matching, the report.

Pure Python on plain data (no database, no window), so every figure can be checked by hand.
"""

from annotator.core.domain.agreement.items import DocAnnotations, LinkItem, SpanItem
from annotator.core.domain.agreement.measures import (
    Measure,
    cohen_kappa,
    cohen_kappa_table,
    fleiss_kappa,
    fleiss_kappa_counted,
    krippendorff_alpha_counted,
    krippendorff_alpha_nominal,
    prf,
)
from annotator.core.domain.agreement.report import agreement_report
from annotator.core.domain.agreement.spans import MODES, Mode, SpanMatch, match_spans
from annotator.core.domain.agreement.table import render_table
from annotator.core.domain.agreement.unitizing import (
    Continuum,
    Grouped,
    Unit,
    UnitizingResult,
    alpha_u,
    alpha_u_each,
)

__all__ = [
    "MODES",
    "Continuum",
    "DocAnnotations",
    "Grouped",
    "LinkItem",
    "Measure",
    "Mode",
    "SpanItem",
    "SpanMatch",
    "Unit",
    "UnitizingResult",
    "agreement_report",
    "alpha_u",
    "alpha_u_each",
    "cohen_kappa",
    "cohen_kappa_table",
    "fleiss_kappa",
    "fleiss_kappa_counted",
    "krippendorff_alpha_counted",
    "krippendorff_alpha_nominal",
    "match_spans",
    "prf",
    "render_table",
]
