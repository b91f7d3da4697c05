"""What makes a split spaCy export ready to train: statement DocBins and ``config.cfg`` files.

A spaCy export with a split (``--split train=...,dev=...``) writes, besides ``<split>.spacy``:

- ``<split>.<attribute>.spacy``: one ``Doc`` per statement, its category in ``doc.cats``
  (``spacy_stance.py``), when the schema says which label is the statement
  (``exports.statements``) and that label has a required choice attribute (``stance``);
- ``config.cfg``: span_finder + spancat for the span groups, and ``config.<attribute>.cfg``: a
  textcat for the statements (``spacy_config.py``), each pointing at ``train`` and ``dev``.

They are written into the export's staging folder like its data, so they are published with it
all or nothing, counted in the folder's ``contents`` and listed under the manifest's ``files``
(by their names, which hold a dot, so never a split's name). An export without a split has no
training and development files to point a config at, and writes none of this.
"""

from __future__ import annotations

from pathlib import Path
from shlex import quote
from typing import Any

from annotator.core.domain.schema import Schema
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.spacy_docbin import SPAN_KEY, DocBinWriter
from annotator.core.services.exporting.output import HashingFile, Staging
from annotator.core.services.exporting.sinks import file_info

TRAIN, DEV = "train", "dev"


class SpacyTraining:
    """The training files of one split spaCy export, and what the manifest says of them."""

    def __init__(
        self, staging: Staging, schema: Schema, labels: list[str], parts: tuple[str, ...]
    ) -> None:
        from annotator.core.formats.writers.spacy_stance import stance_spec

        self._staging = staging
        self._labels = labels
        self._parts = parts
        self.spec = stance_spec(schema)
        self._writers: dict[str, DocBinWriter] = {}
        self._stance_files: dict[str, HashingFile] = {}

    def _stance_name(self, part: str) -> str:
        assert self.spec is not None
        return f"{part}.{self.spec.attribute}.spacy"

    def writer(
        self, part: str, out: HashingFile, schema: Schema, problems: ProblemLog
    ) -> DocBinWriter:
        """The split's article writer, with its statement writer attached."""
        from annotator.core.formats.writers.spacy_stance import StanceWriter

        scratch = self._staging.path / f".spacy-{part}"
        writer = DocBinWriter(out, scratch, schema, problems, part)
        if self.spec is not None:
            stance_out = self._staging.file(self._stance_name(part))
            self._stance_files[part] = stance_out
            stance_scratch = self._staging.path / f".spacy-{part}-{self.spec.attribute}"
            writer.stance = StanceWriter(stance_out, stance_scratch, self.spec, writer.attrs)
        self._writers[part] = writer
        return writer

    def _paths(self, name: Any) -> tuple[str | None, str | None]:
        """The config's default train and dev paths: files of splits named so, else none."""
        train = name(TRAIN) if TRAIN in self._parts else None
        dev = name(DEV) if DEV in self._parts else None
        return train, dev

    def finish(self) -> dict[str, dict[str, Any]]:
        """After the writers closed: write the configs; the manifest entries of every file."""
        from annotator.core.formats.writers import spacy_config

        files: dict[str, dict[str, Any]] = {}
        for part, out in self._stance_files.items():
            name = self._stance_name(part)
            files[name] = {"path": name, **file_info(out)}
        longest = max((w.longest for w in self._writers.values()), default=0)
        train, dev = self._paths(lambda part: f"{part}.spacy")
        text = spacy_config.spans_config(SPAN_KEY, self._labels, longest, train, dev)
        files[spacy_config.SPANS_CONFIG] = self._write(spacy_config.SPANS_CONFIG, text)
        spec = self.spec
        if spec is not None:
            train, dev = self._paths(self._stance_name)
            text = spacy_config.stance_config(
                spec.label, spec.attribute, spec.values, spec.exclusive, train, dev
            )
            name = spacy_config.stance_config_name(spec.attribute)
            files[name] = self._write(name, text)
        return files

    def _write(self, name: str, text: str) -> dict[str, Any]:
        out = self._staging.file(name)
        out.write(text.encode("utf-8"))
        return {"path": name, **file_info(out)}

    def manifest_section(self) -> dict[str, Any]:
        """The manifest's ``training`` key: which files train what."""
        from annotator.core.formats.writers import spacy_config

        section: dict[str, Any] = {
            "spans": {
                "config": spacy_config.SPANS_CONFIG,
                "components": ["span_finder", "spancat"],
                "spans_key": SPAN_KEY,
                "labels": self._labels,
                "longest_span_tokens": max((w.longest for w in self._writers.values()), default=0),
            }
        }
        spec = self.spec
        if spec is not None:
            stance = {p: w.stance for p, w in self._writers.items() if w.stance is not None}
            section[spec.attribute] = {
                "config": spacy_config.stance_config_name(spec.attribute),
                "component": "textcat" if spec.exclusive else "textcat_multilabel",
                "files": {part: self._stance_name(part) for part in self._stance_files},
                "record": f"one Doc per {spec.label} span, doc.cats from its {spec.attribute}",
                "labels": list(spec.values),
                "documents": {part: w.count for part, w in stance.items()},
                "left_out_without_value": sum(w.without_value for w in stance.values()),
            }
        return section

    def commands(self, folder: Path) -> tuple[str, ...]:
        """How to train, with the paths of the published export."""
        from annotator.core.formats.writers import spacy_config

        configs = [(spacy_config.SPANS_CONFIG, "{}.spacy", "model")]
        if self.spec is not None:
            attribute = self.spec.attribute
            name = spacy_config.stance_config_name(attribute)
            configs.append((name, "{}." + attribute + ".spacy", f"model-{attribute}"))
        both = TRAIN in self._parts and DEV in self._parts
        lines = []
        for config, pattern, model in configs:
            train, dev = (
                quote(str(folder / pattern.format(p))) if both else pattern.format(p.upper())
                for p in (TRAIN, DEV)
            )
            output = quote(str(folder.with_name(f"{folder.name}-{model}")))
            lines.append(
                f"train: python -m spacy train {quote(str(folder / config))} "
                f"--paths.train {train} --paths.dev {dev} --output {output}"
            )
        return tuple(lines)
