"""One rule book, every writer: the editor's service and the importer give the same answer.

Each rule is tried through each writer on the same input. Before the rule book, the importer kept
"alice " apart from "alice", accepted a link given twice until the database refused it with a
traceback, and the two overlap checks were separate code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from annotator.core.domain import rules
from annotator.core.domain.errors import ImportRejected, ValidationError
from annotator.core.domain.text import is_boundary
from annotator.core.formats.readers import ParsedDocument, ParsedRelation, ParsedSpan
from annotator.core.services.importing import ImportBatch
from annotator.core.services.workspace import Workspace

TEXT = "“We will respond,” the general said. Cafe\u0301 drones."
ACCENT = TEXT.index("\u0301")  # a combining mark: no span may start or end before it

# (start, end, label, attributes) of spans, then (source index, target index, relation) links.
Spans = list[tuple[int, int, str, dict[str, Any]]]
Links = list[tuple[int, int, str]]


def via_editor(ws: Workspace, annotator: str, spans: Spans, links: Links) -> None:
    doc = ws.documents.add(TEXT, key="doc")
    service = ws.annotations(annotator)
    made = [service.create_span(doc.id, s, e, label, attrs) for s, e, label, attrs in spans]
    for src, dst, label in links:
        service.link(made[src].id, made[dst].id, label)


def via_importer(ws: Workspace, annotator: str, spans: Spans, links: Links) -> None:
    schema = ws.active_schema()
    parsed = ParsedDocument(
        text=TEXT,
        key="doc",
        spans=[
            ParsedSpan(s, e, label, dict(attrs), annotator=annotator, ref=f"T{i}")
            for i, (s, e, label, attrs) in enumerate(spans)
        ],
        relations=[ParsedRelation(label, f"T{src}", f"T{dst}") for src, dst, label in links],
        origin="in.jsonl",
        line=1,
    )
    try:
        ImportBatch(ws.db, schema, ws.schemas.register(schema)).run([parsed])
    except ImportRejected as exc:  # all or nothing: the message names the record's problem
        raise ValidationError(str(exc)) from None


WRITERS: dict[str, Callable[[Workspace, str, Spans, Links], None]] = {
    "editor": via_editor,
    "importer": via_importer,
}


@pytest.fixture(params=sorted(WRITERS))
def write(request: pytest.FixtureRequest) -> Callable[[Workspace, str, Spans, Links], None]:
    return WRITERS[request.param]


def _spans_of(ws: Workspace) -> list[tuple[str, int, int, str]]:
    doc = ws.documents.by_key("doc")
    assert doc is not None
    out = []
    for record in ws.annotators.all():
        out += [
            (record.name, s.start, s.end, s.label) for s in ws.annotations(record).spans(doc.id)
        ]
    return sorted(out)


SPEAKER = (19, 34, "SPEAKER", {})  # "the general said" region
STATEMENT = (0, 18, "STATEMENT", {"stance": "threatens"})


def test_names_are_stored_without_surrounding_space(workspace: Workspace, write) -> None:
    workspace.annotators.get_or_create("alice")
    write(workspace, " alice ", [SPEAKER], [])
    assert [a.name for a in workspace.annotators.all()] == ["alice"]
    assert _spans_of(workspace) == [("alice", 19, 34, "SPEAKER")]


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "x" * 201, "Y\ud800lmaz"])
def test_bad_names_are_refused(workspace: Workspace, write, name: str) -> None:
    with pytest.raises(ValidationError, match="annotator"):
        write(workspace, name, [SPEAKER], [])
    assert workspace.annotators.all() == []


@pytest.mark.parametrize(
    "start,end", [(5, 5), (10, 4), (-1, 3), (0, len(TEXT) + 1), (ACCENT, ACCENT + 2)]
)
def test_span_edges(workspace: Workspace, write, start: int, end: int) -> None:
    with pytest.raises(ValidationError):
        write(workspace, "alice", [(start, end, "SPEAKER", {})], [])
    assert workspace.documents.by_key("doc") is None or _spans_of(workspace) == []


def test_an_edge_beside_a_combining_mark_is_refused_by_both_rule_forms() -> None:
    assert [i for i in range(len(TEXT) + 1) if not is_boundary(TEXT, i)] == [ACCENT]
    assert not rules.span_fits(TEXT, ACCENT - 4, ACCENT)
    with pytest.raises(ValidationError, match="combined character"):
        rules.check_offsets(TEXT, ACCENT - 4, ACCENT)
    assert rules.span_fits(TEXT, ACCENT - 4, ACCENT + 1)
    rules.check_offsets(TEXT, ACCENT - 4, ACCENT + 1)


def test_duplicate_spans_are_refused(workspace: Workspace, write) -> None:
    with pytest.raises(ValidationError, match=r"already exists|duplicate"):
        write(workspace, "alice", [SPEAKER, SPEAKER], [])


def test_overlap_is_refused_where_the_label_forbids_it(workspace: Workspace, write) -> None:
    schema = workspace.active_schema()
    speaker = schema.label("SPEAKER")
    assert speaker is not None and not speaker.overlap
    with pytest.raises(ValidationError, match="may not overlap"):
        write(workspace, "alice", [SPEAKER, (23, 40, "SPEAKER", {})], [])


def test_overlap_is_kept_where_the_label_allows_it(workspace: Workspace, write) -> None:
    allowing = [lab for lab in workspace.active_schema().labels if lab.overlap]
    assert allowing, "the default schema has a label that may overlap"
    label = allowing[0].name
    write(workspace, "alice", [(0, 18, label, {}), (10, 30, label, {})], [])
    assert len(_spans_of(workspace)) == 2


@pytest.mark.parametrize(
    "other",
    [(33, 40, "SPEAKER", {}), (10, 20, "SPEAKER", {}), (20, 33, "SPEAKER", {})],
    ids=["one character at its end", "one character at its start", "inside it"],
)
def test_a_one_character_overlap_is_an_overlap(workspace: Workspace, write, other) -> None:
    """SPEAKER 19-34 and a second SPEAKER sharing a single character with it."""
    with pytest.raises(ValidationError, match="may not overlap"):
        write(workspace, "alice", [SPEAKER, other], [])
    assert workspace.documents.by_key("doc") is None or _spans_of(workspace) == [
        ("alice", 19, 34, "SPEAKER")
    ]


def test_spans_that_only_touch_do_not_overlap(workspace: Workspace, write) -> None:
    before, after = (10, 19, "SPEAKER", {}), (34, 40, "SPEAKER", {})
    write(workspace, "alice", [SPEAKER, before, after], [])
    assert _spans_of(workspace) == [
        ("alice", 10, 19, "SPEAKER"),
        ("alice", 19, 34, "SPEAKER"),
        ("alice", 34, 40, "SPEAKER"),
    ]


def test_a_link_given_twice_is_refused(workspace: Workspace, write) -> None:
    with pytest.raises(ValidationError, match="already linked"):
        write(workspace, "alice", [STATEMENT, SPEAKER], [(0, 1, "said_by"), (0, 1, "said_by")])


def test_the_link_limit_holds(workspace: Workspace, write) -> None:
    said_by = workspace.active_schema().relation("said_by")
    assert said_by is not None and said_by.max == 1
    other = (40, 44, "SPEAKER", {})
    with pytest.raises(ValidationError, match="allows 1 link"):
        write(
            workspace, "alice", [STATEMENT, SPEAKER, other], [(0, 1, "said_by"), (0, 2, "said_by")]
        )


def test_a_link_between_wrong_labels_is_refused(workspace: Workspace, write) -> None:
    with pytest.raises(ValidationError, match="said_by links"):
        write(workspace, "alice", [SPEAKER, STATEMENT], [(0, 1, "said_by")])


def test_attribute_values_are_checked(workspace: Workspace, write) -> None:
    with pytest.raises(ValidationError, match="not an allowed value"):
        write(workspace, "alice", [(0, 18, "STATEMENT", {"stance": "angry"})], [])


def test_statuses(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="status 'finished'"):
        rules.check_status("finished")
    doc = workspace.documents.add(TEXT, key="doc")
    with pytest.raises(ValidationError, match="status 'finished'"):
        workspace.annotations("alice").set_status(doc.id, "finished")
    parsed = ParsedDocument(text=TEXT + " 2", key="doc2", status={"alice": "finished"})
    schema = workspace.active_schema()
    with pytest.raises(ImportRejected, match="status 'finished'"):
        ImportBatch(workspace.db, schema, workspace.schemas.register(schema)).run([parsed])
    assert workspace.documents.by_key("doc2") is None


# -- edges of the rules, found by mutation testing (tests/mutation/RESULTS.md) --


def test_overlap_ignores_spans_that_only_touch_or_lie_apart() -> None:
    """The rule itself, given neighbours a caller did not filter: 10-20 against 20-30 (touching
    its end), 0-10 (touching its start) and 40-50 (apart) is no overlap."""
    rules.check_overlap("SPEAKER", False, 10, 20, [("#1", 20, 30), ("#2", 0, 10), ("#3", 40, 50)])
    with pytest.raises(ValidationError, match=r"overlaps #1 \(19-30\)"):
        rules.check_overlap("SPEAKER", False, 10, 20, [("#1", 19, 30)])


def test_a_duplicate_is_refused_even_where_overlap_is_allowed(workspace: Workspace, write) -> None:
    """STATEMENT may overlap; the same STATEMENT twice is still a mistake, wherever the two
    copies stand in the file (here with a shorter one from the same start between them)."""
    statement = workspace.active_schema().label("STATEMENT")
    assert statement is not None and statement.overlap
    spans = [(0, 18, "STATEMENT", {}), (0, 10, "STATEMENT", {}), (0, 18, "STATEMENT", {})]
    with pytest.raises(ValidationError, match=r"already exists|duplicate"):
        write(workspace, "alice", spans, [])


def test_a_span_may_end_at_the_end_of_the_text(workspace: Workspace, write) -> None:
    last = TEXT.rindex(" ") + 1  # "drones."
    write(workspace, "alice", [(last, len(TEXT), "SPEAKER", {})], [])
    assert _spans_of(workspace) == [("alice", last, len(TEXT), "SPEAKER")]


@pytest.mark.parametrize("start,end", [(True, 5), (0, True), ("0", 5), (0, "5"), (0, 5.0)])
def test_offsets_must_be_whole_numbers(start: Any, end: Any) -> None:
    with pytest.raises(ValidationError, match="offsets must be whole numbers"):
        rules.check_offsets(TEXT, start, end)


def test_annotator_names_at_the_limits(workspace: Workspace, write) -> None:
    """200 characters is allowed (201 is not: above), as are names beyond ASCII."""
    longest = "x" * rules.NAME_LIMIT
    write(workspace, longest, [SPEAKER], [])
    assert _spans_of(workspace) == [(longest, 19, 34, "SPEAKER")]
    assert rules.annotator_name(" Yılmaz ") == "Yılmaz"


MULTI_SCHEMA = """\
name: multi
version: "1"
labels:
  - name: WEAPON
    color: "#aa0000"
    attributes:
      - name: note
        type: text
      - name: kinds
        type: multi
        values: [drone, missile, rocket]
        default: [missile, drone]
      - name: origin
        type: choice
        required: true
        values: [domestic, imported]
"""


def test_a_multi_valued_attribute_takes_a_list_and_its_default_is_stored_as_one() -> None:
    from annotator.core.domain.schema import parse_schema

    schema = parse_schema(MULTI_SCHEMA, "multi.yaml")
    for wrong in ("drone", 5):
        with pytest.raises(ValidationError, match=f"expects a list of values, got {wrong!r}"):
            rules.check_attribute(schema, "WEAPON", "kinds", wrong)
    assert rules.check_attribute(schema, "WEAPON", "kinds", ("rocket", "drone")) == [
        "drone",
        "rocket",
    ]
    # A new span gets the defaults of every attribute not given (None is not given), in schema
    # order like a choice made in the window, so the two compare equal.
    made = rules.check_attributes(
        schema, "WEAPON", {"note": None, "origin": "imported"}, apply_defaults=True
    )
    assert made == {"origin": "imported", "kinds": ["drone", "missile"]}
    assert made["kinds"] == rules.check_attribute(schema, "WEAPON", "kinds", ["missile", "drone"])
    # A required attribute given as empty text is still missing.
    assert rules.missing_required(schema, "WEAPON", {"origin": ""}) == ["origin"]
    assert rules.missing_required(schema, "WEAPON", {"origin": "domestic"}) == []
