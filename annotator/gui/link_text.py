"""A span's links in words, for its hover text: what it links to, and what links to it.

Plain text, built from document text: the view escapes it (tooltips.py) before showing it.
"""

from __future__ import annotations

from annotator.core.domain.records import SpanRecord
from annotator.gui.document_session import DocumentSession

QUOTE_CHARS = 40  # a linked span's text is quoted up to this many characters


def quoted(text: str, span: SpanRecord) -> str:
    """The span's text on one line, cut short, in quotation marks."""
    words = " ".join(text[span.start : span.end].split())
    if len(words) > QUOTE_CHARS:
        words = words[: QUOTE_CHARS - 1].rstrip() + "…"
    return f"“{words}”"


def describe_links(session: DocumentSession, span: SpanRecord) -> list[str]:
    """E.g. ``STATEMENT → said_by → SPEAKER “Yılmaz”; aimed_at → TARGET “Estmar”``, and for
    the other end ``SPEAKER ← said_by ← STATEMENT “…”``: one line each way that has links."""
    text, spans = session.document.text, session.spans
    outgoing: list[str] = []
    incoming: list[str] = []
    for rel in sorted(session.relations.values(), key=lambda r: r.id):
        if rel.source_id == span.id and (other := spans.get(rel.target_id)) is not None:
            outgoing.append(f"{rel.label} → {other.label} {quoted(text, other)}")
        elif rel.target_id == span.id and (other := spans.get(rel.source_id)) is not None:
            incoming.append(f"{rel.label} ← {other.label} {quoted(text, other)}")
    lines = []
    if outgoing:
        lines.append(f"{span.label} → " + "; ".join(outgoing))
    if incoming:
        lines.append(f"{span.label} ← " + "; ".join(incoming))
    return lines
