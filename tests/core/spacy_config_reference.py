"""spaCy's own generation of the export's configs, which ``spacy_config`` is held to.

``spacy_config`` renders templates so that the export need not import spaCy. This module makes
the same configs the way the export used to (``spacy.blank`` + ``nlp.add_pipe`` +
``config.to_str()``), for the tests to compare, and writes the templates from the installed
spaCy: after a spaCy upgrade whose defaults differ, the tests fail; then run

    python -m tests.core.spacy_config_reference

and review the templates' diff.
"""

from __future__ import annotations

from collections.abc import Sequence

import spacy

from annotator.core.formats.writers import spacy_config

# Values no real config holds, replaced by the templates' placeholders.
_KEY = "spanskeysentinel"
_LONGEST = 987654321
_SENTINELS = {"train": '"@@train@@"', "dev": '"@@dev@@"', "labels": '["@@labels@@"]'}


def spans_body(
    spans_key: str, labels: Sequence[str], longest: int | None, train: str | None, dev: str | None
) -> str:
    """``config.cfg`` without its header, as spaCy writes it."""
    nlp = spacy.blank(spacy_config.LANG)
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
    return str(config.to_str())


def stance_body(values: Sequence[str], exclusive: bool, train: str | None, dev: str | None) -> str:
    """``config.<attribute>.cfg`` without its header, as spaCy writes it."""
    nlp = spacy.blank(spacy_config.LANG)
    factory = "textcat" if exclusive else "textcat_multilabel"
    nlp.add_pipe(factory)
    config = nlp.config.copy()
    config["paths"]["train"], config["paths"]["dev"] = train, dev
    config["initialize"]["components"][factory] = {"labels": list(values)}
    return str(config.to_str())


def _placeholders(text: str, sentinels: dict[str, str]) -> str:
    for name, sentinel in sentinels.items():
        assert text.count(sentinel) == 1, (name, text.count(sentinel))
        text = text.replace(sentinel, f"<<{name}>>")
    return text + "\n"


def templates() -> dict[str, str]:
    """Each template's text, from the installed spaCy."""
    train, dev = "@@train@@", "@@dev@@"
    spans = spans_body(_KEY, ["@@labels@@"], _LONGEST, train, dev)
    spans = spans.replace(_KEY, "<<spans_key>>")
    found = {
        spacy_config.SPANS_TEMPLATE: _placeholders(
            spans, {**_SENTINELS, "max_length": str(_LONGEST)}
        )
    }
    for exclusive in (True, False):
        body = stance_body(["@@labels@@"], exclusive, train, dev)
        found[spacy_config.stance_template(exclusive)] = _placeholders(body, _SENTINELS)
    return found


def main() -> None:
    spacy_config.TEMPLATES.mkdir(exist_ok=True)
    for name, text in templates().items():
        (spacy_config.TEMPLATES / name).write_text(text, encoding="utf-8")
        print(spacy_config.TEMPLATES / name)


if __name__ == "__main__":
    main()
