"""What an import did, for the user: nothing it read goes unmentioned."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.core.domain.errors import AnnotatorError, Problem
from annotator.core.domain.wording import counted


class ImportCancelled(AnnotatorError):
    """The user cancelled; nothing was imported."""


@dataclass
class ImportReport:
    imported_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # documents already there, nothing added
    rejected: list[Problem] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # annotators' work added to existing texts
    not_merged: list[str] = field(default_factory=list)  # ... kept out: they had work there
    notes: list[str] = field(default_factory=list)  # what else was left out, and why
    spans: int = 0
    relations: int = 0

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.rejected]

    def summary(self) -> str:
        text = (
            f"imported {counted(len(self.imported_ids), 'document')} with "
            f"{counted(self.spans, 'span')} and {counted(self.relations, 'link')}; "
            f"skipped {counted(len(self.skipped), 'duplicate')}; rejected {len(self.rejected)}"
        )
        if self.merged or self.not_merged:
            text += (
                f"; merged {counted(len(self.merged), 'annotator part')} into existing "
                f"documents, not merged {len(self.not_merged)}"
            )
        return text


def duplicate_text(where: str, key: str, *, in_this_import: bool = False) -> str:
    """Why a document was not added: its text is document ``key``'s, named so the user can
    find it (the files differ, the text once normalised does not)."""
    if in_this_import:
        why = f"the same text as document {key!r}, earlier in this import"
    else:
        why = f"the same text is already in the database, as document {key!r}"
    return f"{where}: {why}" if where else why
