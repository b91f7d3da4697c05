"""The open document's annotations as a table: label, covered text, attributes, links."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.core.domain.records import RelationRecord, SpanRecord
from annotator.gui.document_session import DocumentSession
from annotator.gui.models.table_base import FlatTableModel, Index
from annotator.gui.tooltips import plain_tooltip

SpanIdRole = Qt.ItemDataRole.UserRole + 1


def _key(span: SpanRecord) -> tuple[int, int, int]:
    return (span.start, -span.end, span.id)


def _attrs(span: SpanRecord) -> str:
    parts = []
    for name, value in span.attributes.items():
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        parts.append(f"{name}={shown}")
    return "; ".join(parts)


NOT_IN_SCHEMA = "(not in schema)"  # a span kept from an earlier schema: undoable, not editable
IN_BOILERPLATE = "⚠ in boilerplate"  # a statement among the site's furniture (issue 13)


class AnnotationListModel(FlatTableModel):
    HEADERS = ("Label", "Text", "Attributes", "Links")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._session: DocumentSession | None = None
        self._spans: list[SpanRecord] = []
        self._keys: list[tuple[int, int, int]] = []

    def set_session(self, session: DocumentSession | None) -> None:
        if self._session is not None:
            self._session.spanAdded.disconnect(self._added)
            self._session.spanRemoved.disconnect(self._removed)
            self._session.spanChanged.disconnect(self._changed)
            self._session.relationAdded.disconnect(self._links_changed)
            self._session.relationRemoved.disconnect(self._links_changed)
            self._session.relationChanged.disconnect(self._links_changed)
            self._session.reloaded.disconnect(self._reload)
            self._session.boilerplateChanged.disconnect(self._flags_changed)
        self._session = session
        self._reload()
        if session is not None:
            session.reloaded.connect(self._reload)
            session.boilerplateChanged.connect(self._flags_changed)
            session.spanAdded.connect(self._added)
            session.spanRemoved.connect(self._removed)
            session.spanChanged.connect(self._changed)
            session.relationAdded.connect(self._links_changed)
            session.relationRemoved.connect(self._links_changed)
            session.relationChanged.connect(self._links_changed)

    def _reload(self) -> None:
        """Every row again, from the session (on opening, or after it re-read the database)."""
        self.beginResetModel()
        session = self._session
        self._spans = sorted(session.spans.values(), key=_key) if session else []
        self._keys = [_key(s) for s in self._spans]
        self.endResetModel()

    def span_id(self, row: int) -> int | None:
        return self._spans[row].id if 0 <= row < len(self._spans) else None

    def row_of(self, span_id: int) -> int | None:
        span = self._session.spans.get(span_id) if self._session else None
        if span is None:
            return None
        row = bisect_left(self._keys, _key(span))
        return row if row < len(self._spans) and self._spans[row].id == span_id else None

    # -- keeping in step with the session --

    def _added(self, span: SpanRecord) -> None:
        row = bisect_left(self._keys, _key(span))
        self.beginInsertRows(QModelIndex(), row, row)
        self._spans.insert(row, span)
        self._keys.insert(row, _key(span))
        self.endInsertRows()

    def _removed(self, span: SpanRecord) -> None:
        row = bisect_left(self._keys, _key(span))
        if row < len(self._spans) and self._spans[row].id == span.id:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._spans[row]
            del self._keys[row]
            self.endRemoveRows()

    def _changed(self, old: SpanRecord, new: SpanRecord) -> None:
        row = bisect_left(self._keys, _key(old))
        if _key(old) == _key(new) and row < len(self._spans):
            self._spans[row] = new
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
            return
        self._removed(old)
        self._added(new)

    def _flags_changed(self) -> None:
        if self._spans:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._spans) - 1, 2))

    def _links_changed(self, *_rel: RelationRecord) -> None:
        if self._spans:
            last = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(0, last), self.index(len(self._spans) - 1, last))

    # -- QAbstractTableModel --

    def row_total(self) -> int:
        return len(self._spans)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._session is None or not 0 <= index.row() < len(self._spans):
            return None
        span = self._spans[index.row()]
        if role == SpanIdRole:
            return span.id
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            label = self._session.schema.label(span.label)
            return QColor(label.color) if label else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        text = self._session.document.text
        if column == 0:
            return span.label
        if column == 1:
            covered = " ".join(text[span.start : span.end].split())
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(covered if len(covered) <= 400 else covered[:399] + "…")
            return covered if len(covered) <= 80 else covered[:79] + "…"
        if column == 2:
            attrs = _attrs(span)
            if not self._session.in_schema(span.label):
                attrs = " ".join(p for p in (NOT_IN_SCHEMA, attrs) if p)
            if self._session.in_boilerplate(span):
                attrs = " ".join(p for p in (IN_BOILERPLATE, attrs) if p)
            return plain_tooltip(attrs) if role == Qt.ItemDataRole.ToolTipRole and attrs else attrs
        links = [r for r in self._session.relations.values() if r.source_id == span.id]
        parts = []
        for rel in links:
            target = self._session.spans.get(rel.target_id)
            if target is not None:
                words = " ".join(text[target.start : target.end].split())
                values = ", ".join(str(v) for v in rel.attributes.values() if v not in (None, []))
                parts.append(f"{rel.label}: {words[:30]}" + (f" ({values})" if values else ""))
        shown = "; ".join(parts)
        return plain_tooltip(shown) if role == Qt.ItemDataRole.ToolTipRole and shown else shown
