"""Prodigy task records (``ner_manual`` / ``rel.manual`` shape), one per document and annotator.

``tokens`` are the shared tokenizer's words plus the white space spaCy makes tokens of
(``tokenize.covering``), so they rebuild the text exactly and every span maps to them, as
Prodigy and ``Doc(words, spaces)`` need; a span's ``token_start``/``token_end`` are inclusive
token indices; a relation's ``head``/``child`` are the last token of each span, as Prodigy
writes them. Attributes ride along as ``attributes`` on each span and on each relation (a
link's own values). Each task carries Prodigy's
``_input_hash`` and ``_task_hash`` (``prodigy_hash``), so re-exports deduplicate in Prodigy.
"""

from __future__ import annotations

from typing import Any

import orjson

from annotator.core.formats.writers.aligned import TokenSpan, place
from annotator.core.formats.writers.documents import ExportSpan
from annotator.core.formats.writers.fixed import full_attributes
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.prodigy_hash import (
    SPAN_JSON,
    SpanValues,
    input_hash,
    set_hashes,
)
from annotator.core.formats.writers.tokenize import Covering, covering
from annotator.core.formats.writers.units import Prepared, Unit


def token_records(cover: Covering) -> list[dict[str, Any]]:
    text = cover.text
    return [
        {"text": text[start:end], "start": start, "end": end, "id": i, "ws": ws}
        for i, (start, end, ws) in enumerate(zip(cover.starts, cover.ends, cover.ws, strict=True))
    ]


def _span(ts: TokenSpan, cover: Covering, names: tuple[str, ...]) -> dict[str, Any]:
    """The span on the covering tokens; its offsets are theirs (white space at an edge, already
    reported by ``place``, is left out so that ``Doc.char_span`` finds it)."""
    sp = ts.span
    first, last = cover.index[ts.first], cover.index[ts.last]
    record: dict[str, Any] = {
        "start": cover.starts[first],
        "end": cover.ends[last],
        "token_start": first,
        "token_end": last,
        "label": sp.label,
    }
    # Every schema attribute on every span (null when unset): one column type per key.
    record["attributes"] = full_attributes(names, sp.attributes)
    return record


def task_record(
    prepared: Prepared,
    unit: Unit,
    cover: Covering,
    tokens: list[dict[str, Any]] | orjson.Fragment,
    problems: ProblemLog,
    part: str,
    names: tuple[str, ...] = (),
    input_hashed: int | None = None,
    link_names: tuple[str, ...] = (),
    values: SpanValues | None = None,
) -> dict[str, Any]:
    """One annotator's task. ``tokens`` may be given as JSON already (``orjson.Fragment``) and
    ``input_hashed`` as the text's input hash: both are the same for every task on one text.
    ``values``: the writer's ``SpanValues``, for the task hash."""
    placed = place(prepared, unit, problems, part)
    by_id = {ts.span.id: ts for ts in placed}
    # Each span's record is made once; a relation's head and child are the same records.
    records, hashed = _span_records(placed, cover, names, values)
    relations = []
    all_spans: dict[int, ExportSpan] = {}  # made at the first link left out, if any
    for rel in unit.relations:
        head, child = by_id.get(rel.source_id), by_id.get(rel.target_id)
        if head is None or child is None:
            all_spans = all_spans or {sp.id: sp for sp in unit.spans}
            missing = all_spans[rel.source_id if head is None else rel.target_id]
            problems.add_span(
                "relation_left_out",
                part,
                unit,
                missing,
                f"{rel.label} link left out with this span",
            )
            continue
        relations.append(
            {
                "head": cover.index[head.last],
                "child": cover.index[child.last],
                "head_span": records[rel.source_id],
                "child_span": records[rel.target_id],
                "label": rel.label,
                "attributes": full_attributes(link_names, rel.attributes),
            }
        )
    task = {
        "text": unit.doc.text,
        "tokens": tokens,
        "spans": list(records.values()),
        "relations": relations,
        "answer": "accept",
        "meta": {
            "document_id": unit.doc.key,
            "title": unit.doc.title,
            "annotator": unit.annotator,
        },
        "_annotator_id": unit.annotator,
    }
    return set_hashes(task, input_hashed, values, hashed)


def _span_records(
    placed: list[TokenSpan], cover: Covering, names: tuple[str, ...], values: SpanValues | None
) -> tuple[dict[int, dict[str, Any]], str | None]:
    """Each placed span's record (``_span``, the reference), by span id, and with ``values``
    the task hash's JSON of them (``values(task)``), made in the same pass: one attribute
    record and its JSON per distinct attributes dict, not per span."""
    index, starts, ends = cover.index, cover.starts, cover.ends
    records: dict[int, dict[str, Any]] = {}
    parts: list[str] = []
    seen: dict[int, tuple[dict[str, Any], str]] = {}  # by id: every dict outlives this call
    labels: dict[str, str] = {}  # each label's JSON: a unit has a few labels, many spans
    for sp, first, last in placed:
        first, last = index[first], index[last]
        label, attributes = sp.label, sp.attributes
        known = seen.get(id(attributes))
        if known is None:
            known = seen[id(attributes)] = (
                values.attribute_record(names, attributes)
                if values is not None
                else (full_attributes(names, attributes), "")
            )
        start, end = starts[first], ends[last]
        records[sp.id] = {
            "start": start,
            "end": end,
            "token_start": first,
            "token_end": last,
            "label": label,
            "attributes": known[0],
        }
        if values is not None and type(label) is str:
            label_json = labels.get(label)
            if label_json is None:
                label_json = labels[label] = values.label_json(label)
            parts.append(SPAN_JSON % (known[1], end, label_json, start, last, first))
    if values is None or len(parts) < len(records):
        return records, None  # no writer's SpanValues, or a label of another type: the reference
    return records, values.spans_json(parts)


def task_records(
    prepared: Prepared,
    problems: ProblemLog,
    part: str,
    names: tuple[str, ...] = (),
    link_names: tuple[str, ...] = (),
    values: SpanValues | None = None,
) -> list[dict[str, Any]]:
    """One task per (document, annotator); ``names``: the schema's attribute names, each on
    every span (null when unset), so that column loaders see one shape; ``link_names`` the
    same for each relation's own values (stance toward its target); ``values``: the writer's
    ``SpanValues`` (one per export), for the task hashes."""
    if not prepared.units:
        return []
    cover = covering(prepared.tokens)
    tokens = token_records(cover)
    if len(prepared.units) == 1:
        unit = prepared.units[0]
        return [
            task_record(
                prepared, unit, cover, tokens, problems, part, names, None, link_names, values
            )
        ]
    # Several annotators on one text: its tokens are serialised and its input hashed once.
    shared = orjson.Fragment(orjson.dumps(tokens))
    hashed = input_hash({"text": prepared.doc.text})
    return [
        task_record(
            prepared, unit, cover, shared, problems, part, names, hashed, link_names, values
        )
        for unit in prepared.units
    ]
