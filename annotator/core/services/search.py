"""Corpus search: hits across every document and annotation, found as they are read.

SQL narrows what is read (a LIKE on the texts when it is safe, labels, layers, statuses, a LIKE
on the attributes' JSON); the exact match is made in Python on what comes back
(``domain/searching.py``), so SQLite and PostgreSQL give the same hits. Documents are read by
ranges of ids, each in its own short read transaction: a caller that stops early (a page of
results, a cancelled search) reads little more than it showed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    LargeBinary,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import InstrumentedAttribute, aliased

from annotator.core.domain import jsonio
from annotator.core.domain.errors import ValidationError
from annotator.core.domain.layers import PERSON
from annotator.core.domain.progress import Progress
from annotator.core.domain.regex_needles import like_folds_as_re, required_text
from annotator.core.domain.regex_prefilter import loose_re2
from annotator.core.domain.rules import STATUSES
from annotator.core.domain.searching import (
    CONTEXT,
    Hit,
    SearchQuery,
    TextMatcher,
    has_value,
    snippet,
)
from annotator.core.services.documents import _escape_like
from annotator.core.storage.db import MAY_MATCH_SQL, Database
from annotator.core.storage.fulltext import (
    has_text_index,
    postgres_text_condition,
    sqlite_match_query,
    sqlite_text_match,
)
from annotator.core.storage.models import Annotator, Document, DocumentStatus, Relation, Span

FIRST_BATCH = 64  # ids the first query reads: the first page of hits comes at once
MAX_BATCH = 8192  # the most ids a query reads, fewer when the texts are long:
BATCH_CHARACTERS = 16_000_000  # about this much text a query, by the average so far
MOSTLY = 0.5  # the text index is left out once it passes more than this share of a range
_YES_NO = frozenset({"true", "false", "yes", "no", "1", "0"})  # a yes/no is stored as true/false

TextNarrow = Callable[[int, int], ColumnElement[bool]]  # the condition for ids low..high


def search_corpus(
    db: Database, query: SearchQuery, progress: Progress | None = None
) -> Iterator[Hit]:
    """Every hit of ``query``, in document order (then by offset), read as it is consumed.

    A bad regular expression or an unknown layer is refused here, before any hit is read.
    ``progress(documents passed, documents in all)`` is called before each batch (counted by
    id, so deleted documents' gaps count too); returning False stops the search there.
    """
    query.check()
    matcher = TextMatcher(query) if query.text else None
    with db.read() as s:
        conn = s.connection()
        layers = _layers(conn, query.layers)
        # The ends of the id range only: read from the primary key, never from the texts.
        first, last = conn.execute(select(func.min(Document.id), func.max(Document.id))).one()
    if first is None:
        return iter(())
    return _hits(_Reader(db), query, matcher, layers, (first, last), progress)


class _Reader:
    """Reads documents for the search and counts the characters read, by which the batches
    are sized."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.characters = 0

    def documents(
        self, which: ColumnElement[bool], narrow: ColumnElement[bool] | None
    ) -> list[Any]:
        found = _documents(self.db, which, narrow)
        self.characters += sum(len(row[3]) for row in found)
        return found


def _hits(
    reader: _Reader,
    query: SearchQuery,
    matcher: TextMatcher | None,
    layers: dict[int, str],
    bounds: tuple[int, int],
    progress: Progress | None,
) -> Iterator[Hit]:
    """The hits, a range of ids at a time. The first range is small (the first page of hits
    comes at once); each next one doubles, up to MAX_BATCH ids, or fewer when the texts read
    so far average so long that the range would read more than BATCH_CHARACTERS."""
    first, last = bounds
    total = last - first + 1
    text_narrow = _text_narrow(reader.db, query)
    status = None
    if not query.annotations and query.statuses:
        status = (
            or_(*(_in_status(Document.id, lid, query.statuses) for lid in layers))
            if layers
            else false()
        )
    quick = _quick_scan(reader.db, query)
    low, width = first, FIRST_BATCH
    while low <= last:
        if progress is not None and progress(low - first, total) is False:
            return
        high = min(last, low + width - 1)
        text = text_narrow(low, high) if text_narrow else None
        parts = [p for p in (text, status, quick) if p is not None]
        narrow = and_(*parts) if parts else None
        if query.annotations:
            yield from _span_hits(reader, query, matcher, layers, (low, high), narrow)
        else:
            assert matcher is not None  # check() refused a query with neither
            found = reader.documents(Document.id.between(low, high), narrow)
            if text is not None and len(found) > MOSTLY * (high - low + 1):
                # Words in most texts: asking the index for the rest costs more than reading
                # them (PostgreSQL also checks each text it passes again).
                text_narrow = None
            yield from _text_hits(matcher, found)
        low = high + 1
        per_id = reader.characters / (low - first)
        width = max(1, min(width * 2, MAX_BATCH, int(BATCH_CHARACTERS / max(per_id, 1.0))))
    if progress is not None:
        progress(total, total)


def _layers(conn: Any, names: Sequence[str]) -> dict[int, str]:
    """The layers searched, id -> name: those named, else every person's."""
    rows = conn.execute(select(Annotator.id, Annotator.name, Annotator.kind)).all()
    if not names:
        return {r.id: r.name for r in rows if r.kind == PERSON}
    known = {r.name: r.id for r in rows}
    missing = [n for n in names if n not in known]
    if missing:
        raise ValidationError(f"no annotator or layer called {', '.join(missing)} in this database")
    return {known[n]: n for n in names}


def _index_narrow(db: Database, query: SearchQuery) -> TextNarrow | None:
    """The text index's condition for the strings every match must contain, if there are."""
    needles = required_text(query.text if query.regex else re.escape(query.text), query.ignore_case)
    if db.is_sqlite:
        match = sqlite_match_query(needles)
        return None if match is None else lambda low, high: sqlite_text_match(match, low, high)
    condition = postgres_text_condition(needles)
    return None if condition is None else lambda low, high: condition


def _text_narrow(db: Database, query: SearchQuery) -> TextNarrow | None:
    """A condition every document holding the text passes, for a range of ids, when one can
    be made.

    Never for accents (an "e" must find "é"). With the text index (``storage/fulltext.py``),
    the strings every match must contain (``domain/regex_needles.py``: a regular expression's,
    or the plain text itself, each letter in every form ``re`` takes for it when case is
    ignored) are looked up in it: on SQLite by FTS5 alone, on PostgreSQL by pg_trgm. Without
    it, plain text is a ``LIKE`` of its longest run of characters that ``LIKE`` folds as ``re``
    does (ASCII letters other than i, k and s, whose forms ``ı``, the Kelvin sign and ``ſ`` it
    does not fold; anything without case), and a regular expression reads every text.
    """
    if not query.text or query.ignore_accents:
        return None
    if _indexed(db):
        try:
            indexed = _index_narrow(db, query)
        except RecursionError:  # a pattern nested past what a walk of it can take: read all
            indexed = None
        if indexed is not None:
            return indexed
    if query.regex:
        return None
    plain = _holds_text(Document.text, query.text, query, db)
    return None if plain is None else lambda low, high: plain


def _holds_text(
    column: ColumnElement[str] | InstrumentedAttribute[str],
    text: str,
    query: SearchQuery,
    db: Database,
) -> ColumnElement[bool] | None:
    """A ``LIKE`` every value holding plain ``text`` passes, as ``query`` matches it (case,
    accents), when one can be made: of its longest run of characters that ``LIKE`` folds as
    ``re`` does (ASCII letters other than i, k and s, whose forms ``ı``, the Kelvin sign and
    ``ſ`` it does not fold; anything without case). Never for accents (an "e" must find "é")."""
    if query.ignore_accents:
        return None
    fragment = text
    if query.ignore_case:
        runs = "".join(ch if like_folds_as_re(ch) else "\n" for ch in text).split("\n")
        fragment = max(runs, key=len)
        if not fragment.strip():
            return None
    pattern = f"%{_escape_like(fragment)}%"
    if query.ignore_case and not db.is_sqlite:
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _quick_scan(db: Database, query: SearchQuery) -> ColumnElement[bool] | None:
    """On SQLite with RE2, a regular expression's quick scan (``domain/regex_prefilter.py``)
    run by SQLite on each text's bytes: a text it rules out is never decoded nor read here.
    Not for annotations (their texts are pieces) nor accents (the text is folded first)."""
    if not db.is_sqlite or not query.regex or query.annotations or query.ignore_accents:
        return None
    loose = loose_re2(query.text, re.IGNORECASE if query.ignore_case else 0)
    if loose is None:
        return None
    return getattr(func, MAY_MATCH_SQL)(loose, cast(Document.text, LargeBinary)) == 1


def _indexed(db: Database) -> bool:
    with db.read() as s:
        return has_text_index(s.connection(), is_sqlite=db.is_sqlite)


def _span_filter(query: SearchQuery, layer_ids: list[int]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Span.annotator_id.in_(layer_ids)]
    if query.labels:
        conditions.append(Span.label.in_(query.labels))
    for name, value in query.attributes:
        conditions.extend(_json_holds(cast(Span.attributes, Text), name, value))
    if query.statuses:
        conditions.append(_in_status(Span.document_id, Span.annotator_id, query.statuses))
    return conditions


# Both ends of a link, from the searched span's side: (a link from it, its end, the far end).
_DIRECTIONS = (
    (True, Relation.source_id, Relation.target_id),
    (False, Relation.target_id, Relation.source_id),
)


def _link_asked(
    db: Database,
    query: SearchQuery,
    other: Any,
    outgoing: bool,
    name: str = "",
    text: str = "",
    value: tuple[str, str] | None = None,
) -> ColumnElement[bool]:
    """What a link (from the span when ``outgoing``, else into it) with ``other`` at its far
    end meets for one filter: its far span labelled ``name``, or, from the span, itself named
    ``name``, with a far text that may hold ``text``; or its stored values may hold ``value``
    (a LIKE on their JSON). Only narrows: ``_LinkCheck.holds`` makes the exact test."""
    if value is not None:
        return and_(true(), *_json_holds(cast(Relation.attributes, Text), *value))
    named = or_(other.label == name, Relation.label == name) if outgoing else other.label == name
    holds = _holds_text(_far_text(other), text, query, db)
    return named if holds is None else and_(named, holds)


def _linked(
    db: Database,
    query: SearchQuery,
    id_range: tuple[int, int],
    name: str = "",
    text: str = "",
    value: tuple[str, str] | None = None,
) -> ColumnElement[bool]:
    """Whether the span, in a document of ``id_range``, has a link ``_link_asked`` finds for
    one filter. The ids are found once for the range, from the links (a test per span was a
    scan of every span)."""
    ends = []
    for outgoing, near, far in _DIRECTIONS:
        other = aliased(Span)
        asked = _link_asked(db, query, other, outgoing, name, text, value)
        ends.append(
            select(near)
            .join(other, other.id == far)
            .join(Document, Document.id == Relation.document_id)
            .where(Relation.document_id.between(*id_range), asked)
        )
    return Span.id.in_(union(*ends))


def _far_text(other: Any) -> ColumnElement[str]:
    """The text of a span at a link's far end, cut out of its document's text."""
    return func.substr(Document.text, other.start + 1, other.end - other.start)


# A span's link: its name ("" when it points at the span), the far span's label and text, and
# the link's own values.
_Link = tuple[str, str, str, dict[str, Any]]


class _LinkCheck:
    """The exact test of a query's link filters, on the links of one range of documents."""

    def __init__(self, query: SearchQuery) -> None:
        self.query = query
        self.texts = [(name, query.link_matcher(text)) for name, text in query.links]

    def __bool__(self) -> bool:
        return bool(self.texts or self.query.link_values)

    def read(self, db: Database, id_range: tuple[int, int]) -> dict[int, list[_Link]]:
        """For each span of the documents in ``id_range``: each of its links, either way, that
        a filter may ask about, as (link name or "" for a link into it, far span's label, its
        text, the link's values)."""
        query = self.query
        found: dict[int, list[_Link]] = {}
        for outgoing, near, far in _DIRECTIONS:
            other = aliased(Span)
            asked = [
                *(_link_asked(db, query, other, outgoing, n, t) for n, t in query.links),
                *(_link_asked(db, query, other, outgoing, value=v) for v in query.link_values),
            ]
            rows = _read(
                db,
                select(
                    near,
                    Relation.label,
                    other.label,
                    _far_text(other),
                    cast(Relation.attributes, Text),
                )
                .join(other, other.id == far)
                .join(Document, Document.id == Relation.document_id)
                .where(Relation.document_id.between(*id_range), or_(*asked)),
            )
            for span_id, link, label, text, stored in rows:
                values = jsonio.loads(stored) if stored else {}
                found.setdefault(span_id, []).append(
                    (link if outgoing else "", label, text, values)
                )
        return found

    def holds(self, links: list[_Link]) -> bool:
        """Every text filter finds its text in a span linked with that label (either way) or
        by a link of that name from this span, and every value is held by one of the links."""
        return all(
            any(name in (link, label) and matcher.found_in(text) for link, label, text, _ in links)
            for name, matcher in self.texts
        ) and all(
            any(has_value(values, n, v) for _, _, _, values in links)
            for n, v in self.query.link_values
        )


def _json_holds(stored: ColumnElement[str], name: str, value: str) -> list[ColumnElement[bool]]:
    """LIKEs on values' JSON as stored, as text: they only narrow (the exact test is
    ``has_value``), so a part JSON would escape is left out."""
    parts = [f'"{name}"'] if value.lower() in _YES_NO else [f'"{name}"', value]
    return [
        stored.like(f"%{_escape_like(part)}%", escape="\\") for part in parts if _unescaped(part)
    ]


def _unescaped(part: str) -> bool:
    """Whether JSON writes ``part`` as it is (no escape for a quote, backslash or control)."""
    inner = part[1:-1] if part.startswith('"') else part
    return inner.isascii() and inner.isprintable() and '"' not in inner and "\\" not in inner


def _in_status(document: Any, annotator: Any, statuses: Sequence[str]) -> ColumnElement[bool]:
    """Whether a layer has the document in one of ``statuses`` ("new" is no status row)."""
    rows = select(DocumentStatus.document_id).where(
        DocumentStatus.document_id == document, DocumentStatus.annotator_id == annotator
    )
    if "new" in statuses:
        others = [s for s in STATUSES if s not in statuses]
        return ~exists(rows.where(DocumentStatus.status.in_(others))) if others else true()
    return exists(rows.where(DocumentStatus.status.in_(list(statuses))))


def _documents(
    db: Database, which: ColumnElement[bool], narrow: ColumnElement[bool] | None
) -> list[Any]:
    """(id, key, title, text) of the documents ``which`` picks that pass ``narrow``."""
    query = (
        select(Document.id, Document.key, Document.title, Document.text)
        .where(which)
        .order_by(Document.id)
    )
    if narrow is not None:
        query = query.where(narrow)
    return _read(db, query)


def _read(db: Database, query: Executable) -> list[Any]:
    with db.read() as s:
        if not db.is_sqlite:
            # Planned for this range and pattern: the generic plan of a statement the driver
            # prepared knows neither, and scans the range instead of using the trigram index.
            s.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
        return list(s.connection().execute(query).all())


def _text_hits(matcher: TextMatcher, documents: list[Any]) -> Iterator[Hit]:
    for doc_id, key, title, text in documents:
        for start, end in matcher.find(text):
            yield Hit(doc_id, key, title, start, end, *snippet(text, start, end))


def _span_hits(
    reader: _Reader,
    query: SearchQuery,
    matcher: TextMatcher | None,
    layers: dict[int, str],
    id_range: tuple[int, int],
    narrow: ColumnElement[bool] | None,
) -> Iterator[Hit]:
    """The spans of the documents in ``id_range`` that pass the query, with the text's match
    inside the span when text was asked for.

    One query reads each span with its document's key and title and only the text a hit shows
    (the span and CONTEXT characters on each side), never whole texts: with 20,000 hits the
    texts were most of the time.
    """
    lo = case((Span.start > CONTEXT, Span.start - CONTEXT), else_=0)
    spans_query = (
        select(
            Span.document_id,
            Span.id,
            Span.annotator_id,
            Span.start,
            Span.end,
            Span.label,
            cast(Span.attributes, Text),
            Document.key,
            Document.title,
            func.length(Document.text),
            lo,
            func.substr(Document.text, lo + 1, Span.end + CONTEXT - lo),
        )
        .join(Document, Document.id == Span.document_id)
        .where(
            Span.document_id.between(*id_range),
            *_span_filter(query, list(layers)),
            *(_linked(reader.db, query, id_range, name, text) for name, text in query.links),
            *(_linked(reader.db, query, id_range, value=held) for held in query.link_values),
        )
        .order_by(Span.document_id, Span.start, Span.end, Span.id)
    )
    if narrow is not None:
        spans_query = spans_query.where(narrow)
    rows = _read(reader.db, spans_query)
    reader.characters += sum(len(row[11]) for row in rows)
    link_check = _LinkCheck(query)
    linked = link_check.read(reader.db, id_range) if link_check and rows else {}
    for row in rows:
        (doc_id, span_id, annotator_id, start, end, label, stored) = row[:7]
        key, title, length, lo_, piece = row[7:]
        attributes = jsonio.loads(stored) if stored else {}
        if not all(has_value(attributes, n, v) for n, v in query.attributes):
            continue
        if matcher is not None and not matcher.found_in(piece[start - lo_ : end - lo_]):
            continue
        if link_check and not link_check.holds(linked.get(span_id, [])):
            continue
        yield Hit(
            doc_id,
            key,
            title,
            start,
            end,
            *snippet(piece, start, end, offset=lo_, length=length),
            span_id=span_id,
            label=label,
            annotator=layers[annotator_id],
            attributes=attributes,
        )
