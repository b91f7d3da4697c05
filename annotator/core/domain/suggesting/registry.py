"""Engines by name: what ``annotator suggest --engine NAME`` and the window can run.

A factory takes the schema (and options) and returns a ready engine. Engines are
imported only when asked for; one this installation cannot run (the model engine without
spaCy or a trained model) says so plainly and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.core.domain.errors import AnnotatorError, ValidationError
from annotator.core.domain.schema import Schema
from annotator.core.domain.suggesting.frames import Engine, frame_roles
from annotator.core.domain.suggesting.patterns import PatternEngine

Factory = Callable[..., Engine]  # (schema, **options) -> Engine


class EngineUnavailable(AnnotatorError):
    """An engine this installation does not have (its module is missing or broken)."""


def _patterns(schema: Schema, **options: Any) -> Engine:
    return PatternEngine.from_schema(schema)


def _quotes(schema: Schema, **options: Any) -> Engine:
    from annotator.core.domain.suggesting.quote_engine import QuoteEngine

    if frame_roles(schema) is None:
        raise EngineUnavailable(
            f"engine 'quotes' needs a schema that declares its statement frame "
            f"(exports.statements); {schema.name!r} does not"
        )
    settings = schema.suggestions
    return QuoteEngine.from_schema(
        schema,
        cue_verbs=options.get("cue_verbs") or settings.cue_verbs or None,
        titles=options.get("titles") or settings.titles or None,
    )


FACTORIES: dict[str, Factory] = {"patterns": _patterns, "quotes": _quotes}
DEFAULT_ENGINES = ("patterns", "quotes")


def engine_names() -> tuple[str, ...]:
    return tuple(FACTORIES)


def make_engine(name: str, schema: Schema, **options: Any) -> Engine:
    """The engine called ``name`` for ``schema``; refuses a name no factory has."""
    factory = FACTORIES.get(name)
    if factory is None:
        raise ValidationError(f"no engine {name!r} (engines: {', '.join(FACTORIES)})")
    return factory(schema, **options)


def available_engines(schema: Schema, names: tuple[str, ...] = DEFAULT_ENGINES) -> list[Engine]:
    """Those of ``names`` this installation can run (the default set when none are asked)."""
    found = []
    for name in names:
        try:
            found.append(make_engine(name, schema))
        except EngineUnavailable:
            continue
    return found
