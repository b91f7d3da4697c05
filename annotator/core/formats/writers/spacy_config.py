"""``config.cfg`` files that train on a spaCy export as it is: blank English, CPU, no download.

Each is spaCy's own full config of a blank ``en`` pipeline with the components added through
``nlp.add_pipe`` (so every default is spaCy's and the config validates), then pointed at the
export's files. That text is kept as a template (``spacy_configs/``) rather than generated at
export time, which would import spaCy; the tests hold the two equal:

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

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

LANG = "en"
SPANS_CONFIG = "config.cfg"
# Models go outside the export folder: a later export replaces only a folder holding what an
# export wrote, and refuses one with a model in it.
OUTPUT = "../model"

# spaCy's own configs, as ``spacy.blank(LANG)`` + ``add_pipe`` + ``config.to_str()`` write them,
# with ``<<name>>`` where a value of ours goes: ``spacy.blank`` alone costs a quarter of a second
# and importing spaCy most of one. tests/core/spacy_config_reference.py writes them from the
# installed spaCy, and the tests compare what is rendered here with what spaCy generates.
TEMPLATES = Path(__file__).with_name("spacy_configs")
SPANS_TEMPLATE = "spans.cfg"
_PLACEHOLDER = re.compile(r"<<(\w+)>>")
_VARIABLE = re.compile(r"\$\{[\w\.:]+\}")  # confection's VARIABLE_RE


def stance_config_name(attribute: str) -> str:
    return f"config.{attribute}.cfg"


def stance_template(exclusive: bool) -> str:
    """The template of the statement classifier: one per textcat factory."""
    return "textcat.cfg" if exclusive else "textcat_multilabel.cfg"


def config_value(value: Any) -> str:
    """A value as ``Config.to_str`` writes it (confection's ``try_dump_json``): JSON, with
    ``$`` doubled for configparser except in a ``${section.key}`` reference, and a string that
    holds such a reference written as it is."""
    if isinstance(value, str) and _VARIABLE.search(value):
        return value
    return re.sub(r"\$(?!\{)", "$$", json.dumps(value))


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` (a file in ``TEMPLATES``) with each ``<<name>>`` replaced by ``values``, in
    one pass (a label that reads like a placeholder stays as it is). The file ends with a line
    break, which spaCy's text has not."""
    text = (TEMPLATES / template).read_text(encoding="utf-8").removesuffix("\n")
    used: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        used.add(match[1])
        return values[match[1]]

    text = _PLACEHOLDER.sub(fill, text)
    if used != set(values):
        raise ValueError(f"{template} has no place for {sorted(set(values) - used)}")
    return text


def _text(body: str, header: Sequence[str]) -> str:
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in header) + body


def spans_config(
    spans_key: str,
    labels: Sequence[str],
    longest: int | None,
    train: str | None,
    dev: str | None,
) -> str:
    """The span pipeline's config; ``longest``: the longest exported span, in tokens.

    ``spans_key`` goes inside the template's quotes as it is, so it must need no escaping: an
    identifier, as the export's is.
    """
    if not spans_key.isidentifier():
        raise ValueError(f"not an identifier: {spans_key!r}")
    body = render(
        SPANS_TEMPLATE,
        {
            "spans_key": spans_key,
            "max_length": config_value(longest or None),
            "train": config_value(train),
            "dev": config_value(dev),
            "labels": config_value(list(labels)),
        },
    )
    header = [
        "Written by annotator's spaCy export. Train, from this folder:",
        f"  python -m spacy train {SPANS_CONFIG} --output {OUTPUT}"
        + ("" if train and dev else " --paths.train TRAIN.spacy --paths.dev DEV.spacy"),
        f"span_finder suggests spans up to {longest or 'any number of'} tokens long (the "
        "longest in the export); spancat labels them.",
    ]
    return _text(body, header)


def stance_config(
    label: str,
    attribute: str,
    values: Sequence[str],
    exclusive: bool,
    train: str | None,
    dev: str | None,
) -> str:
    """The statement classifier's config: one category per value of ``label.attribute``."""
    body = render(
        stance_template(exclusive),
        {
            "train": config_value(train),
            "dev": config_value(dev),
            "labels": config_value(list(values)),
        },
    )
    name = stance_config_name(attribute)
    header = [
        "Written by annotator's spaCy export. Train, from this folder:",
        f"  python -m spacy train {name} --output {OUTPUT}-{attribute}"
        + ("" if train and dev else f" --paths.train TRAIN.{attribute}.spacy --paths.dev ..."),
        f"One Doc per {label} span, doc.cats from its {attribute}"
        + (" (one value each)." if exclusive else " (any number of values)."),
    ]
    return _text(body, header)
