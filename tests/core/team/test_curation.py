"""Curation rows and accepting a version into gold, as the curation view uses them."""

from __future__ import annotations

import pytest

from annotator.core.domain.curating import AGREED, DISAGREED, IN_GOLD, SINGLE
from annotator.core.domain.errors import ValidationError
from annotator.core.services.workspace import Workspace
from tests.core.team.test_adjudication import IRAN, SPEAKER_2, STATEMENT, three_annotators


def test_rows_say_what_to_decide_and_accepting_brings_the_links(workspace: Workspace) -> None:
    doc = three_annotators(workspace)
    workspace.annotators.person("dave")  # never opened the document: not compared
    curation = workspace.curation()
    work = curation.work("k1")
    states = {r.key: r.state for r in curation.rows(work)}
    assert states == {
        (0, 6, "SPEAKER"): AGREED,
        (*SPEAKER_2, "SPEAKER"): AGREED,
        (*STATEMENT, "STATEMENT"): DISAGREED,
        (*IRAN, "SPEAKER"): SINGLE,
    }
    workspace.adjudicate(min_agree=3)
    work = curation.work("k1")
    rows = curation.rows(work)
    assert [r.state for r in rows] == [IN_GOLD, IN_GOLD, DISAGREED, SINGLE]
    statement = rows[2]
    carol = next(v for v in statement.versions if v.annotator == "carol")
    accepted = curation.accept(work, carol)
    assert accepted.span.attributes == {"stance": "supports"}
    (link,) = accepted.relations  # carol's said_by, to the speaker gold already holds
    assert link.label == "said_by" and link.source_id == accepted.span.id
    assert [r.state for r in curation.rows(curation.work("k1"))][2] == IN_GOLD
    with pytest.raises(ValidationError, match="already holds"):
        curation.accept(work, carol)
    # Undo of an accept is deleting the span: its link goes with it, the rest stays.
    workspace.gold().delete_span(accepted.span.id)
    assert workspace.gold().relations(doc) == []
    assert len(workspace.gold().spans(doc)) == 2
