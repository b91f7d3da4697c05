"""Layers of annotation: each person's own work, the adjudicated gold, and machine suggestions.

A layer is an annotator row with a kind. Gold and suggestions are one row each, named after their
kind, so every service, export and view that takes an annotator can read them too. The names
are reserved: no person may be called "gold" or "suggestions" (in any case), so that a native
export of the gold layer re-imports into the gold layer and nowhere else.
"""

from __future__ import annotations

from typing import Final, Literal

from annotator.core.domain.errors import ValidationError

Kind = Literal["person", "gold", "suggestions"]

PERSON: Final = "person"
GOLD: Final = "gold"
SUGGESTIONS: Final = "suggestions"
KINDS: Final[tuple[str, ...]] = (PERSON, GOLD, SUGGESTIONS)
SPECIAL_LAYERS: Final[tuple[str, ...]] = (GOLD, SUGGESTIONS)


def kind_of(name: str) -> str:
    """The kind a layer of this (already cleaned) name has."""
    return name if name in SPECIAL_LAYERS else PERSON


def is_reserved(name: str) -> bool:
    """Whether a person may not take this name (a layer's name, whatever its case)."""
    return name.casefold() in SPECIAL_LAYERS


def check_layer_name(name: str) -> str:
    """A cleaned annotator name any writer may store: a person's, or a layer's spelt as such."""
    if is_reserved(name) and name not in SPECIAL_LAYERS:
        raise ValidationError(
            f"annotator {name!r} is reserved: the {name.casefold()} layer is called "
            f"{name.casefold()!r}"
        )
    return name


def check_person_name(name: str) -> str:
    """A cleaned annotator name a person may use; refuses the layers' names."""
    if is_reserved(name):
        raise ValidationError(
            f"{name!r} is the name of the {name.casefold()} layer, not of a person; "
            "choose another annotator name"
        )
    return name
