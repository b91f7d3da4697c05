"""``config.cfg`` files that train on a spaCy export as it is: blank English, CPU, no download.

Each is spaCy's own full config of a blank ``en`` pipeline with the components added through
``nlp.add_pipe`` (so every default is spaCy's and the config validates), then pointed at the
export's files:

- ``config.cfg``: ``span_finder`` + ``spancat`` on ``doc.spans["sc"]`` of ``<split>.spacy``. A
  span categorizer scores candidate spans; the n-gram suggesters make every n-gram up to the
  longest span a candidate, and statements run to 30 or 40 tokens and more, so an article of 700
  tokens would give some 25,000 candidates and gigabytes of activations. spaCy's ``span_finder``
  learns where spans start and end and suggests only those pairs (up to the longest span in the
  data), and ``spancat`` labels them (``spacy.preset_spans_suggester.v1``): memory follows the
  spans, not the square of their length. It runs as an annotating component, so ``spancat``
  trains on its suggestions.
- ``config.<attribute>.cfg``: a ``textcat`` (exclusive classes for a ``choice`` attribute,
  ``textcat_multilabel`` for ``multi``) on ``<split>.<attribute>.spacy``, one ``Doc`` per
  statement with ``doc.cats`` from the statement's value. An article holds statements of
  different stances, so a category of the whole article would be ill-defined; a stance belongs
  to a statement.

Labels are given at ``[initialize]`` from the schema, so a label with no example in a small
training set is still in the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LANG = "en"
SPANS_CONFIG = "config.cfg"
# Models go outside the export folder: a later export replaces only a folder holding what an
# export wrote, and refuses one with a model in it.
OUTPUT = "../model"


def stance_config_name(attribute: str) -> str:
    return f"config.{attribute}.cfg"


def _blank() -> Any:
    import spacy

    return spacy.blank(LANG)


def _text(config: Any, header: Sequence[str]) -> str:
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in header) + config.to_str()


def spans_config(
    spans_key: str,
    labels: Sequence[str],
    longest: int | None,
    train: str | None,
    dev: str | None,
) -> str:
    """The span pipeline's config; ``longest``: the longest exported span, in tokens."""
    nlp = _blank()
    nlp.add_pipe(
        "span_finder",
        config={"spans_key": spans_key, "max_length": longest or None, "min_length": None},
    )
    suggester = {"@misc": "spacy.preset_spans_suggester.v1", "spans_key": spans_key}
    nlp.add_pipe("spancat", config={"spans_key": spans_key, "suggester": suggester})
    config = nlp.config.copy()
    config["paths"]["train"], config["paths"]["dev"] = train, dev
    config["training"]["annotating_components"] = ["span_finder"]
    config["initialize"]["components"]["spancat"] = {"labels": list(labels)}
    header = [
        "Written by annotator's spaCy export. Train, from this folder:",
        f"  python -m spacy train {SPANS_CONFIG} --output {OUTPUT}"
        + ("" if train and dev else " --paths.train TRAIN.spacy --paths.dev DEV.spacy"),
        f"span_finder suggests spans up to {longest or 'any number of'} tokens long (the "
        "longest in the export); spancat labels them.",
    ]
    return _text(config, header)


def stance_config(
    label: str,
    attribute: str,
    values: Sequence[str],
    exclusive: bool,
    train: str | None,
    dev: str | None,
) -> str:
    """The statement classifier's config: one category per value of ``label.attribute``."""
    nlp = _blank()
    factory = "textcat" if exclusive else "textcat_multilabel"
    nlp.add_pipe(factory)
    config = nlp.config.copy()
    config["paths"]["train"], config["paths"]["dev"] = train, dev
    config["initialize"]["components"][factory] = {"labels": list(values)}
    name = stance_config_name(attribute)
    header = [
        "Written by annotator's spaCy export. Train, from this folder:",
        f"  python -m spacy train {name} --output {OUTPUT}-{attribute}"
        + ("" if train and dev else f" --paths.train TRAIN.{attribute}.spacy --paths.dev ..."),
        f"One Doc per {label} span, doc.cats from its {attribute}"
        + (" (one value each)." if exclusive else " (any number of values)."),
    ]
    return _text(config, header)
