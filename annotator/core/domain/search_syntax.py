"""One search line for text and annotations: ``label:STATEMENT stance:denies speaker:Hatami``.

The window's search box and ``annotator search QUERY`` read the same line. A term ``key:value``
is a filter when the key is ``label``, ``annotator`` (or ``layer``), ``status``, one of the
schema's values (``stance:denies``; a link's own value, such as ``stance_toward:threatens``,
asks for a link holding it), or one of its labels or links (``speaker:Hatami``: linked to a
SPEAKER whose text holds "Hatami"; ``said_by:Hatami`` the same through the link's name).
Keys are matched without regard to case; a value in quotes may hold spaces
(``speaker:"Mehmet Yılmaz"``). Everything else is the text searched for, a phrase; a term in
quotes is always text, so ``"stance:denies"`` finds those words in the articles. A ``key:`` the
schema does not know (``12:30``, a URL, a misspelt value name) stays text, and a note says so
where it looks like a misspelt filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from annotator.core.domain.rules import STATUSES
from annotator.core.domain.schema import AttributeType, Schema
from annotator.core.domain.searching import SearchQuery

# key:"a quoted value" | key:value | "a quoted phrase" | a word (typographic quotes as well)
_TERM = re.compile(
    r"""(?P<key>[^\s:"“”]+):(?P<value>"[^"]*"?|“[^”]*”?|\S+)"""
    r"""|(?P<quoted>"[^"]*"?|“[^”]*”?)"""
    r"""|\S+"""
)
_QUOTES = '"“”'
LABEL_KEYS = frozenset({"label"})
LAYER_KEYS = frozenset({"annotator", "layer"})
STATUS_KEYS = frozenset({"status"})


@dataclass(frozen=True)
class ParsedSearch:
    """The query a search line asks for, and what the reader should know about how it was
    read (a key taken as text, a value the schema does not offer)."""

    query: SearchQuery
    notes: tuple[str, ...] = ()


def _unquoted(value: str) -> str:
    if value[:1] in _QUOTES:
        value = value[1:]
        if value[-1:] in _QUOTES:
            value = value[:-1]
    return value


class _Vocabulary:
    """The schema's names a key may be, found without regard to case."""

    def __init__(self, schema: Schema | None) -> None:
        self.labels: dict[str, str] = {}
        self.attributes: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self.link_attributes: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self.links: dict[str, str] = {}
        if schema is None:
            return
        for label in schema.labels:
            self.labels[label.name.casefold()] = label.name
            for attr in label.attributes:
                _add(self.attributes, attr.name, attr.type, tuple(v.name for v in attr.values))
        for relation in schema.relations:
            self.links[relation.name.casefold()] = relation.name
            for attr in relation.attributes:
                values = tuple(v.name for v in attr.values)
                _add(self.link_attributes, attr.name, attr.type, values)
        for key, name in self.labels.items():
            self.links.setdefault(key, name)


def _add(
    into: dict[str, tuple[str, tuple[str, ...] | None]],
    name: str,
    kind: AttributeType,
    values: tuple[str, ...],
) -> None:
    """An attribute's name and the values it offers (None: any value), merged across the
    labels that share the name."""
    offered = values if kind in (AttributeType.CHOICE, AttributeType.MULTI) else None
    known = into.get(name.casefold())
    if known is not None and known[1] is not None and offered is not None:
        offered = tuple(dict.fromkeys(known[1] + offered))
    into[name.casefold()] = (name, offered)


def parse_search(
    line: str,
    schema: Schema | None = None,
    *,
    regex: bool = False,
    ignore_case: bool = True,
    ignore_accents: bool = False,
) -> ParsedSearch:
    """The ``SearchQuery`` a search line asks for; with ``regex`` its text is an expression,
    kept exactly as typed (only the filter terms are taken out of it)."""
    words = _Vocabulary(schema)
    labels: list[str] = []
    layers: list[str] = []
    statuses: list[str] = []
    attributes: list[tuple[str, str]] = []
    link_values: list[tuple[str, str]] = []
    links: list[tuple[str, str]] = []
    notes: list[str] = []
    text_terms: list[str] = []
    kept: list[str] = []  # the line without its filters, as typed (for an expression)
    position = 0
    for term in _TERM.finditer(line):
        key, value = term.group("key"), term.group("value")
        taken = False
        if key is not None and value is not None and _unquoted(value).strip():
            found = key.casefold()
            wanted = _unquoted(value).strip()
            taken = True
            if found in LABEL_KEYS:
                labels.append(_label(wanted, words, schema, notes))
            elif found in LAYER_KEYS:
                layers.append(wanted)
            elif found in STATUS_KEYS:
                statuses.append(_status(wanted))
            elif found in words.attributes:
                attributes.append(_value(wanted, words.attributes[found], notes))
            elif found in words.link_attributes:
                link_values.append(_value(wanted, words.link_attributes[found], notes))
            elif found in words.links:
                links.append((words.links[found], wanted))
            else:
                taken = False
                if schema is not None and key.isidentifier() and not value.startswith("//"):
                    notes.append(
                        f"{key!r} is not a label, value or link of schema {schema.name}: "
                        f"{term.group(0)!r} is searched as text"
                    )
        if taken:
            kept.append(line[position : term.start()])
            position = term.end()
            # the white space after a filter goes with it, so the expression's own stays
            while position < len(line) and line[position].isspace():
                position += 1
            continue
        quoted = term.group("quoted")
        text_terms.append(_unquoted(quoted) if quoted is not None else term.group(0))
    kept.append(line[position:])
    text = "".join(kept).strip() if regex else " ".join(t for t in text_terms if t)
    query = SearchQuery(
        text=text,
        regex=regex,
        ignore_case=ignore_case,
        ignore_accents=ignore_accents,
        labels=tuple(dict.fromkeys(labels)),
        attributes=tuple(dict.fromkeys(attributes)),
        layers=tuple(dict.fromkeys(layers)),
        statuses=tuple(dict.fromkeys(statuses)),
        links=tuple(dict.fromkeys(links)),
        link_values=tuple(dict.fromkeys(link_values)),
    )
    return ParsedSearch(query, tuple(notes))


def combined(
    query: SearchQuery,
    *,
    labels: tuple[str, ...] = (),
    attributes: tuple[tuple[str, str], ...] = (),
    layers: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
) -> SearchQuery:
    """``query`` with more filters of each kind (the window's lists, the command's options)
    added to those its line gave, none twice."""
    return replace(
        query,
        labels=tuple(dict.fromkeys((*query.labels, *labels))),
        attributes=tuple(dict.fromkeys((*query.attributes, *attributes))),
        layers=tuple(dict.fromkeys((*query.layers, *layers))),
        statuses=tuple(dict.fromkeys((*query.statuses, *statuses))),
    )


def _label(wanted: str, words: _Vocabulary, schema: Schema | None, notes: list[str]) -> str:
    name = words.labels.get(wanted.casefold())
    if name is not None:
        return name
    if schema is not None:
        notes.append(
            f"label {wanted!r} is not in schema {schema.name} "
            f"({', '.join(words.labels.values())}): only annotations stored with it are found"
        )
    return wanted


def _status(wanted: str) -> str:
    found = re.sub(r"[\s-]+", "_", wanted.strip().casefold())
    return found if found in STATUSES else wanted  # an unknown one is refused by check()


def _value(
    wanted: str, attribute: tuple[str, tuple[str, ...] | None], notes: list[str]
) -> tuple[str, str]:
    name, offered = attribute
    if offered is None:
        return name, wanted
    for value in offered:
        if value.casefold() == wanted.casefold():
            return name, value
    notes.append(f"{wanted!r} is not a value of {name} ({', '.join(offered)})")
    return name, wanted


def filter_terms(schema: Schema | None, annotators: tuple[str, ...] = ()) -> list[str]:
    """Every filter a search line can hold, as it is typed: each label, each value the schema
    offers (a link's own values too), each link's far end by label and by name (``speaker:``,
    ``said_by:``, text to follow), each annotator and each status. For completion and help."""
    terms: list[str] = []
    words = _Vocabulary(schema)
    terms += [f"label:{name}" for name in words.labels.values()]
    for table in (words.attributes, words.link_attributes):
        for name, offered in table.values():
            terms += [f"{name}:{value}" for value in offered] if offered else [f"{name}:"]
    terms += [f"{key}:" for key in words.links]
    terms += [f"annotator:{name}" for name in annotators]
    terms += [f"status:{status}" for status in STATUSES]
    return list(dict.fromkeys(terms))
