"""Prodigy task records (``ner_manual`` / ``rel.manual`` shape), one per document and annotator.

``tokens`` come from the shared tokenizer; a span's ``token_start``/``token_end`` are inclusive
token indices; a relation's ``head``/``child`` are the last token of each span, as Prodigy
writes them. Attributes ride along as ``attributes`` on each span.
"""

from __future__ import annotations

from typing import Any

from annotator.core.formats.writers.aligned import TokenSpan, place
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared, Unit


def token_records(prepared: Prepared) -> list[dict[str, Any]]:
    tokens = prepared.tokens
    return [
        {
            "text": tokens.text_of(i),
            "start": tokens.starts[i],
            "end": tokens.ends[i],
            "id": i,
            "ws": tokens.followed_by_space(i),
        }
        for i in range(len(tokens))
    ]


def _span(ts: TokenSpan) -> dict[str, Any]:
    sp = ts.span
    record: dict[str, Any] = {
        "start": sp.start,
        "end": sp.end,
        "token_start": ts.first,
        "token_end": ts.last,
        "label": sp.label,
    }
    if sp.attributes:
        record["attributes"] = sp.attributes
    return record


def task_record(
    prepared: Prepared,
    unit: Unit,
    tokens: list[dict[str, Any]],
    problems: ProblemLog,
    part: str,
) -> dict[str, Any]:
    placed = place(prepared, unit, problems, part)
    by_id = {ts.span.id: ts for ts in placed}
    relations = []
    all_spans = {sp.id: sp for sp in unit.spans}
    for rel in unit.relations:
        head, child = by_id.get(rel.source_id), by_id.get(rel.target_id)
        if head is None or child is None:
            missing = all_spans[rel.source_id if head is None else rel.target_id]
            problems.add(
                "relation_left_out",
                part,
                document=unit.doc.key,
                annotator=unit.annotator,
                text=unit.doc.text,
                start=missing.start,
                end=missing.end,
                label=missing.label,
                detail=f"{rel.label} link left out with this span",
            )
            continue
        relations.append(
            {
                "head": head.last,
                "child": child.last,
                "head_span": _span(head),
                "child_span": _span(child),
                "label": rel.label,
            }
        )
    return {
        "text": unit.doc.text,
        "tokens": tokens,
        "spans": [_span(ts) for ts in placed],
        "relations": relations,
        "answer": "accept",
        "meta": {
            "document_id": unit.doc.key,
            "title": unit.doc.title,
            "annotator": unit.annotator,
        },
        "_annotator_id": unit.annotator,
    }


def task_records(prepared: Prepared, problems: ProblemLog, part: str) -> list[dict[str, Any]]:
    if not prepared.units:
        return []
    tokens = token_records(prepared)
    return [task_record(prepared, unit, tokens, problems, part) for unit in prepared.units]
