"""Train/dev/test splits that cannot leak: whole documents, chosen deterministically.

Every document goes to exactly one split, so no text (and none of its statements) is seen in
training and again in evaluation. The choice depends only on the seed, the document keys and,
when stratified, each document's dominant label or attribute value; not on row ids, import
order or the database backend.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.core.domain.errors import ExportError
from annotator.core.domain.schema import AttributeType, Schema

NONE = "(none)"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
WHOLE = "all"  # the one part of an unsplit export


def datasets_name(name: str) -> str:
    """A split's name as Hugging Face ``datasets`` accepts it: word characters, and ``all``
    (reserved there) as ``train``, the name the Hub gives a dataset's one part."""
    return "train" if name == WHOLE else re.sub(r"\W", "_", name)


@dataclass(frozen=True)
class SplitSpec:
    """Named parts with their shares of the documents, e.g. train 0.8, dev 0.1, test 0.1."""

    parts: tuple[tuple[str, float], ...]
    seed: int = 13
    stratify: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.parts)

    @classmethod
    def parse(cls, text: str, seed: int = 13, stratify: str | None = None) -> SplitSpec:
        """Read ``train=0.8,dev=0.1,test=0.1`` (or percentages: ``train=80,dev=10,test=10``)."""
        parts: list[tuple[str, float]] = []
        for item in text.split(","):
            name, sep, value = item.strip().partition("=")
            name = name.strip()
            if not sep or not _NAME.match(name):
                raise ExportError(
                    f"split {item.strip()!r}: write NAME=SHARE, e.g. train=0.8,dev=0.1,test=0.1"
                )
            try:
                share = float(value)
            except ValueError:
                raise ExportError(f"split {name}: {value.strip()!r} is not a number") from None
            if not share > 0:
                raise ExportError(f"split {name}: its share must be more than 0")
            parts.append((name, share))
        total = sum(share for _, share in parts)
        if abs(total - 100) < 1e-6 and total > 1.5:
            parts = [(name, share / 100) for name, share in parts]
            total = 1.0
        return cls(tuple(parts), seed, stratify).checked()

    def checked(self) -> SplitSpec:
        """Raise unless the parts have unique simple names and shares adding up to 1."""
        names = self.names
        if not names:
            raise ExportError("a split needs at least one part")
        if any(not share > 0 for _, share in self.parts):
            raise ExportError("every split share must be more than 0")
        total = sum(share for _, share in self.parts)
        if abs(total - 1) > 1e-6:
            raise ExportError(f"split shares add up to {total:g}; they must add up to 1 (or 100)")
        dupes = sorted(n for n, c in Counter(names).items() if c > 1)
        if dupes:
            raise ExportError(f"split part {dupes[0]!r} is named twice")
        if any(not _NAME.match(n) for n in names):
            raise ExportError("split names hold only letters, digits, _ and -")
        same: dict[str, list[str]] = {}
        for name in names:
            same.setdefault(datasets_name(name), []).append(name)
        clash = next((both for both in same.values() if len(both) > 1), None)
        if clash:  # the dataset card would list one split twice, and datasets refuse it
            raise ExportError(
                f"split parts {clash[0]!r} and {clash[1]!r} are one split to Hugging Face "
                f"datasets ({datasets_name(clash[0])!r}); name them apart"
            )
        return self


@dataclass(frozen=True)
class Stratifier:
    """What a document is stratified by: its spans' labels, or one attribute's values."""

    by: str
    label: str | None = None  # restrict the attribute to this label
    attribute: str | None = None  # None: the span label itself

    @classmethod
    def resolve(cls, by: str, schema: Schema) -> Stratifier:
        """``label``, ``ATTRIBUTE`` or ``LABEL.ATTRIBUTE``, checked against the schema."""
        if by == "label":
            return cls(by)
        label_name, dot, attr_name = by.rpartition(".")
        labels = schema.labels
        if dot:
            found = schema.label(label_name)
            if found is None:
                raise ExportError(f"--stratify {by}: the schema has no label {label_name!r}")
            labels = (found,)
        attrs = [(lab.name, a) for lab in labels for a in lab.attributes if a.name == attr_name]
        if not attrs:
            known = sorted(
                {a.name for lab in schema.labels for a in lab.attributes if _stratifiable(a.type)}
            )
            raise ExportError(
                f"--stratify {by}: no such attribute; use 'label' or one of: {', '.join(known)}"
            )
        if not all(_stratifiable(a.type) for _, a in attrs):
            raise ExportError(
                f"--stratify {by}: a free-text attribute cannot be stratified; use a choice, "
                "multiple-choice or yes/no attribute"
            )
        return cls(by, label_name or None, attr_name)

    def values(self, label: str, attributes: dict[str, Any]) -> list[str]:
        if self.attribute is None:
            return [label]
        if self.label is not None and label != self.label:
            return []
        value = attributes.get(self.attribute)
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, bool):
            return ["true" if value else "false"]
        return [str(value)]


def stratify_choices(schema: Schema) -> list[str]:
    """Every ``--stratify`` value this schema accepts, as ``Stratifier.resolve`` judges it:
    ``label``, each attribute by name, then each as ``LABEL.ATTRIBUTE``; free text never.

    What a dialog offers, so that it offers nothing the export would then refuse.
    """
    pairs = [(lab.name, a.name) for lab in schema.labels for a in lab.attributes]
    candidates = ["label", *(attr for _, attr in pairs), *(f"{lab}.{attr}" for lab, attr in pairs)]
    return [by for by in dict.fromkeys(candidates) if _accepted(by, schema)]


def _accepted(by: str, schema: Schema) -> bool:
    try:
        Stratifier.resolve(by, schema)
    except ExportError:
        return False
    return True


def _stratifiable(kind: AttributeType) -> bool:
    return kind is not AttributeType.TEXT


def dominant(counts: Counter[str]) -> str:
    """The most frequent value; ties go to the first by name, so the choice is stable."""
    if not counts:
        return NONE
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _order(seed: int, key: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{key}".encode("utf-8", "surrogatepass")).digest()


def assign(
    documents: Iterable[tuple[int, str, str]],
    spec: SplitSpec,
    already: Mapping[str, int] | None = None,
) -> dict[int, str]:
    """Map (document id, key, stratum) to a part, in the proportions asked for.

    Within each stratum the documents are put in an order drawn from the seed, then dealt out
    to whichever part is furthest below its share, counting across strata, so each stratum and
    the whole are split in proportion (to within one document per part). ``already`` counts
    the documents each part holds from earlier deals: new documents then fill the parts that
    fell furthest behind, so that the whole stays as close to the shares as it can.
    """
    ordered = sorted(documents, key=lambda d: (d[2], _order(spec.seed, d[1])))
    shares = [share for _, share in spec.parts]
    names = spec.names
    given = [(already or {}).get(name, 0) for name in names]
    result: dict[int, str] = {}
    for n, (doc_id, _key, _stratum) in enumerate(ordered, start=sum(given) + 1):
        best = max(range(len(shares)), key=lambda i: (shares[i] * n - given[i], -i))
        given[best] += 1
        result[doc_id] = names[best]
    return result
