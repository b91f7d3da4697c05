"""The label panel, built from the schema at run time: label buttons, then the selected span's
attributes and links. It sits beside the text and never scrolls away with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.domain.records import SpanRecord
from annotator.core.domain.schema import Attribute, AttributeType, Schema
from annotator.gui.editor import AnnotationEditor
from annotator.gui.models.annotation_list import NOT_IN_SCHEMA

if TYPE_CHECKING:
    from annotator.gui.document_session import DocumentSession


def _text_on(color: QColor) -> str:
    return "#111111" if color.lightness() > 140 else "#ffffff"


def _clear(layout: QLayout) -> None:
    """Take every item out of a layout; its widgets go once Qt is done with them."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LabelPanel(QWidget):
    def __init__(self, editor: AnnotationEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelPanel")
        self.editor = editor
        self.schema: Schema | None = None
        self.label_buttons: dict[str, QPushButton] = {}
        self.value_buttons: dict[tuple[str, str], QToolButton] = {}
        self.link_value_buttons: dict[tuple[str, str], QToolButton] = {}  # the selected link's
        self.link_buttons: dict[int, QToolButton] = {}  # relation id -> its row's button
        self.relation_buttons: dict[str, QPushButton] = {}
        self.text_boxes: dict[str, QLineEdit] = {}  # the selected span's text values
        self.check_boxes: dict[str, QCheckBox] = {}  # the selected span's yes/no values
        self._built: tuple[object, ...] | None = None  # the shape the widgets were built for
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self._labels_box = QGroupBox("Labels  (select text, then press the key)")
        self._labels_layout = QGridLayout(self._labels_box)
        outer.addWidget(self._labels_box)
        self._span_box = QGroupBox("Selected span")
        span_layout = QVBoxLayout(self._span_box)
        self._span_title = QLabel("Nothing selected. Click a span or press Tab.")
        self._span_title.setWordWrap(True)
        self._span_title.setTextFormat(Qt.TextFormat.PlainText)
        span_layout.addWidget(self._span_title)
        self._detail = QWidget()
        self._detail_layout = QVBoxLayout(self._detail)
        self._detail_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._detail)
        span_layout.addWidget(scroll, 1)
        outer.addWidget(self._span_box, 1)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setObjectName("linkHint")
        outer.addWidget(self._hint)
        # One rebuild per burst of changes (an edit both saves and selects), after the text
        # has been repainted: the panel is never on the key-press-to-highlight path.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        editor.selectionChanged.connect(self._refresh_timer.start)
        editor.edited.connect(self._refresh_timer.start)
        editor.linkModeChanged.connect(self._on_link_mode)
        editor.textValueWanted.connect(self.edit_text_value)
        # Each choice's buttons per row, as last built.
        self._columns: dict[str, tuple[Attribute, int]] = {}
        self.setMinimumWidth(275)  # two label buttons and two value buttons side by side
        self._value_style = ""

    def set_schema(self, schema: Schema) -> None:
        self.schema = schema
        self._built = None
        _clear(self._labels_layout)
        self.label_buttons.clear()
        for row, label in enumerate(schema.labels):
            color = QColor(label.color)
            key = f"  [{label.hotkey}]" if label.hotkey else ""
            button = QPushButton(f"{label.name}{key}")
            button.setObjectName(f"label_{label.name}")
            button.setToolTip(label.description)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(
                f"QPushButton {{ background: {color.name()}; color: {_text_on(color)};"
                " border-radius: 4px; padding: 6px 10px; font-weight: 600; text-align: left; }"
                f"QPushButton:hover {{ background: {color.lighter(115).name()}; }}"
            )
            button.clicked.connect(lambda _=False, name=label.name: self.editor.apply_label(name))
            self._labels_layout.addWidget(button, row // 2, row % 2)
            self.label_buttons[label.name] = button
        self.refresh()

    def refresh(self, *_: object) -> None:
        """Show the selected span: its values set on the widgets already there when they
        are the same ones (the same label, links and entity line), else the widgets built
        anew. Building them, style sheets and all, was a third of a key press."""
        span = self.editor.selected_span()
        session = self.editor.session
        shape = self._shape(span, session) if span is not None and session is not None else None
        if shape is not None and shape == self._built and span is not None:
            self._show_values(span)
            return
        self._rebuild()
        self._built = shape

    def _shape(self, span: SpanRecord, session: DocumentSession) -> tuple[object, ...]:
        """Everything that decides which widgets show ``span`` and the texts they were
        built with (its values aside: those are set in place)."""
        label = self.schema.label(span.label) if self.schema is not None else None
        choices = label.attributes if label is not None else ()
        links = []
        for r in session.relations.values():
            if r.source_id == span.id or r.target_id == span.id:
                other = session.spans.get(r.target_id if r.source_id == span.id else r.source_id)
                edges = (other.start, other.end, other.label) if other is not None else None
                links.append((r.id, r.label, r.source_id, repr(r.attributes), edges))
        entity = session.entities.get(span.id) if self.editor.names_entity(span) else None
        return (
            self.schema,
            span.label,
            self.editor.names_entity(span),
            (entity.name, entity.key) if entity is not None else None,
            tuple(links),
            self.editor.selected_link,
            tuple(self._value_columns(a) for a in choices if a.values),
        )

    def _show_values(self, span: SpanRecord) -> None:
        """The widgets built for an earlier span of the same shape, set to ``span``'s values."""
        assert self.editor.session is not None
        text = self.editor.session.document.text[span.start : span.end]
        self._span_title.setText(f"{_short(text, 160)}\n(characters {span.start}–{span.end})")
        values = span.attributes
        for (attr, value), button in self.value_buttons.items():
            current = values.get(attr)
            button.setChecked(
                current == value if not isinstance(current, list) else value in current
            )
        for attr, check in self.check_boxes.items():
            check.blockSignals(True)  # showing a value is not setting it
            check.setChecked(bool(values.get(attr)))
            check.blockSignals(False)
        for attr, edit in self.text_boxes.items():
            stored = str(values.get(attr) or "")
            edit.setText(stored)
            edit.setProperty("stored", stored)

    def _rebuild(self) -> None:
        """Build the selected span's widgets."""
        _clear(self._detail_layout)
        self._columns = {}
        self.value_buttons = {}
        self.link_value_buttons = {}
        self.link_buttons = {}
        self.relation_buttons = {}
        self.text_boxes = {}
        self.check_boxes = {}
        span = self.editor.selected_span()
        session = self.editor.session
        if span is None or session is None or self.schema is None:
            self._span_title.setText("Nothing selected. Click a span or press Tab.")
            self._span_box.setTitle("Selected span")
            return
        label = self.schema.label(span.label)
        color = QColor(label.color if label else "#cccccc")
        self._value_style = (
            "QToolButton { padding: 4px 8px; border: 1px solid #bbb; border-radius: 4px; }"
            f"QToolButton:checked {{ background: {color.name()}; color: {_text_on(color)};"
            f" border: 1px solid {color.darker(140).name()}; font-weight: 600; }}"
        )
        text = session.document.text[span.start : span.end]
        outside = "" if label else f" {NOT_IN_SCHEMA}"
        self._span_box.setTitle(f"Selected: {span.label}{outside}")
        self._span_title.setText(f"{_short(text, 160)}\n(characters {span.start}–{span.end})")
        if self.editor.names_entity(span):
            entity = session.entities.get(span.id)
            named = QLabel(
                f"Entity: {entity.name} ({entity.key})  [E to change]"
                if entity is not None
                else "Entity: not linked  [E to link]"
            )
            named.setObjectName("entity_name")
            named.setTextFormat(Qt.TextFormat.PlainText)
            self._detail_layout.addWidget(named)
        for attr in label.attributes if label else ():
            self._detail_layout.addWidget(
                self._attribute_widget(attr, span.attributes, self.editor.set_value)
            )
        for rel in self.schema.relations:
            if rel.source == span.label:
                self._detail_layout.addWidget(self._relation_widget(rel.name, span.id))
        sources = [r for r in session.relations.values() if r.target_id == span.id]
        for link in sources:
            src = session.spans.get(link.source_id)
            if src is not None:
                back = QLabel(
                    f"↖ {link.label} of {src.label}: "
                    f"“{_short(session.document.text[src.start : src.end], 50)}”"
                )
                back.setTextFormat(Qt.TextFormat.PlainText)
                back.setWordWrap(True)
                self._detail_layout.addWidget(back)
        self._detail_layout.addStretch(1)

    def _attribute_widget(
        self,
        attr: Attribute,
        values: dict,
        setter: Callable[[str, Any], None],
        on_link: bool = False,
    ) -> QWidget:
        """An attribute's widgets, for the selected span's values or (``on_link``) the
        selected link's: the same buttons, keys and toggling, through ``setter``."""
        need = " *" if attr.required else ""
        box = QGroupBox(f"{attr.name}{need}")
        box.setToolTip(attr.description)
        current = values.get(attr.name)
        prefix = "linkvalue" if on_link else "value"
        buttons = self.link_value_buttons if on_link else self.value_buttons
        if attr.type in (AttributeType.CHOICE, AttributeType.MULTI):
            grid = QGridLayout(box)
            group = QButtonGroup(box)
            group.setExclusive(False)
            columns = self._value_columns(attr)
            self._columns[f"{prefix}.{attr.name}"] = (attr, columns)
            for i, value in enumerate(attr.values):
                key = f"{value.hotkey}  " if value.hotkey else ""
                button = QToolButton()
                button.setText(f"{key}{value.name.replace('_', ' ')}")
                button.setObjectName(f"{prefix}_{attr.name}_{value.name}")
                button.setCheckable(True)
                chosen = (
                    current == value.name
                    if attr.type is AttributeType.CHOICE
                    else value.name in (current or [])
                )
                button.setChecked(chosen)
                button.setToolTip(value.description)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setStyleSheet(self._value_style)
                button.clicked.connect(lambda _=False, a=attr.name, v=value.name: setter(a, v))
                group.addButton(button)
                grid.addWidget(button, i // columns, i % columns)
                buttons[(attr.name, value.name)] = button
            return box
        layout = QHBoxLayout(box)
        if attr.type is AttributeType.BOOL:
            check = QCheckBox(attr.description or attr.name)
            check.setChecked(bool(current))
            check.setObjectName(f"{prefix}_{attr.name}")
            check.toggled.connect(lambda on, a=attr.name: setter(a, on))
            if not on_link:
                self.check_boxes[attr.name] = check
            layout.addWidget(check)
        else:
            edit = QLineEdit(str(current or ""))
            edit.setObjectName(f"{prefix}_{attr.name}")
            edit.setPlaceholderText(attr.description)
            edit.editingFinished.connect(lambda a=attr.name, e=edit: setter(a, e.text() or None))
            edit.returnPressed.connect(self.editor.view.setFocus)
            edit.setProperty("stored", str(current or ""))
            if not on_link:  # the link's boxes are rebuilt with it (its values are in the shape)
                self.text_boxes[attr.name] = edit
            edit.installEventFilter(self)  # Esc gives up (``eventFilter``)
            layout.addWidget(edit)
        return box

    def edit_text_value(self, attribute: str) -> None:
        """A text attribute's key: its box takes the keys; Enter stores, Esc gives up, and
        either gives the article its focus back."""
        self.refresh()  # a pending rebuild would delete the box being typed in
        edit = self.text_boxes.get(attribute)
        if edit is None:
            return
        edit.setFocus()
        edit.selectAll()

    def _value_columns(self, attr: Attribute) -> int:
        """Two buttons a row where the longest value fits twice, else one: at 1024 px the
        panel is narrow, and "1  ballistic missile" twice would need a sideways scrollbar."""
        metrics = self.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(f"{v.hotkey or ''}  {v.name.replace('_', ' ')}") + 34)
            for v in attr.values
        )
        return 2 if 2 * widest + 60 <= self.width() else 1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if any(self._value_columns(a) != n for a, n in self._columns.values()):
            self._refresh_timer.start()  # the values now fit two a row, or no longer do

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in a text value's box: the stored text back, the focus back to the article."""
        if (
            isinstance(watched, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            watched.setText(str(watched.property("stored")))  # leaving stores it: unchanged
            self.editor.view.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _relation_widget(self, relation: str, span_id: int) -> QWidget:
        assert self.schema is not None and self.editor.session is not None
        rel = self.schema.relation(relation)
        assert rel is not None
        session = self.editor.session
        box = QGroupBox(f"{rel.name.replace('_', ' ')} → {rel.target}")
        box.setToolTip(rel.description)
        layout = QVBoxLayout(box)
        for link in session.links_from(span_id, relation):
            target = session.spans.get(link.target_id)
            if target is None:
                continue
            row = QHBoxLayout()
            words = f"“{_short(session.document.text[target.start : target.end], 40)}”"
            chosen = [str(v) for v in link.attributes.values() if v not in (None, "", [])]
            if rel.attributes:  # a link with values: a button that chooses it for its keys
                text: QWidget = self._link_button(link.id, words, chosen)
            else:
                text = QLabel(words)
                text.setTextFormat(Qt.TextFormat.PlainText)
            row.addWidget(text, 1)
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip(
                f"Remove this link (keyboard: {rel.hotkey or 'the link key'}, Tab to it, Del)"
            )
            remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            remove.clicked.connect(lambda _=False, rid=link.id: self.editor.unlink(rid))
            row.addWidget(remove)
            layout.addLayout(row)
            if link.id == self.editor.selected_link:
                for attr in rel.attributes:
                    layout.addWidget(
                        self._attribute_widget(
                            attr, link.attributes, self.editor.set_link_value, on_link=True
                        )
                    )
        key = f"  [{rel.hotkey}]" if rel.hotkey else ""
        add = QPushButton(f"link {rel.target.lower()}…{key}")
        add.setObjectName(f"link_{rel.name}")
        add.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        add.clicked.connect(lambda _=False, r=rel.name: self.editor.begin_link(r))
        layout.addWidget(add)
        self.relation_buttons[rel.name] = add
        return box

    def _link_button(self, relation_id: int, words: str, chosen: list[str]) -> QToolButton:
        """A link's row: checked while it is the link the value keys set; a click chooses it
        (or, checked, goes back to the span's own values)."""
        button = QToolButton()
        shown = f"{words}  · {', '.join(chosen)}" if chosen else words
        button.setText(shown)
        button.setObjectName(f"linkrow_{relation_id}")
        button.setCheckable(True)
        selected = relation_id == self.editor.selected_link
        button.setChecked(selected)
        button.setToolTip("Choose this link: its values take the value keys (Esc: the span's)")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.clicked.connect(
            lambda _=False: self.editor.select_link(None if selected else relation_id)
        )
        self.link_buttons[relation_id] = button
        return button

    def _on_link_mode(self, relation: str | None) -> None:
        if relation is None:
            self._hint.setText("")
            return
        rel = self.schema.relation(relation) if self.schema else None
        target = rel.target if rel else "span"
        self._hint.setText(
            f"Linking ({relation}): click a {target}, or Tab + Enter, or select "
            "new text + Enter. Esc cancels."
        )
