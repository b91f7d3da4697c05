"""The quotes engine on short invented sentences: exact spans, speakers, links and names."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.domain.schema.parser import load_schema, parse_schema
from annotator.core.domain.suggesting.frames import FrameRoles, Suggestions
from annotator.core.domain.suggesting.quote_engine import QuoteEngine

REPO = Path(__file__).resolve().parents[3]
SCHEMA = load_schema(REPO / "label_schemas" / "defence_statements.yaml")


@pytest.fixture(scope="module")
def engine() -> QuoteEngine:
    return QuoteEngine.from_schema(SCHEMA)


def frames(result: Suggestions, text: str) -> list[tuple[str, str | None, str | None, str]]:
    """(statement text, form, speaker text, the speaker's refers_to) in text order."""
    spans = {s.key: s for s in result.spans}
    speaker_of = {link.source: spans[link.target] for link in result.links}
    out = []
    for span in sorted(result.spans, key=lambda s: s.start):
        if span.label != "STATEMENT":
            continue
        speaker = speaker_of.get(span.key)
        out.append(
            (
                text[span.start : span.end],
                span.attributes.get("form"),
                text[speaker.start : speaker.end] if speaker else None,
                speaker.refers_to if speaker else "",
            )
        )
    return out


def test_direct_quote_with_cue_after(engine: QuoteEngine) -> None:
    text = "“We will double our missile forces,” Defence Minister Ali Demir said on Friday."
    result = engine.suggest(text)
    assert frames(result, text) == [
        ("“We will double our missile forces,”", "direct", "Ali Demir", "Ali Demir")
    ]
    statement = next(s for s in result.spans if s.label == "STATEMENT")
    assert (statement.start, statement.end) == (0, text.index("Defence") - 1)
    speaker = next(s for s in result.spans if s.label == "SPEAKER")
    assert (speaker.start, speaker.end) == (text.index("Ali"), text.index(" said"))
    assert [(link.source, link.target, link.label) for link in result.links] == [
        (statement.key, speaker.key, "said_by")
    ]
    assert all(s.engine == "quotes" for s in result.spans)


def test_cue_before_the_speaker_and_rank_kept(engine: QuoteEngine) -> None:
    text = '"No shield can stop it," said Gen. Mara Oskarsdottir, the army chief.'
    assert frames(engine.suggest(text), text) == [
        ('"No shield can stop it,"', "direct", "Gen. Mara Oskarsdottir", "Mara Oskarsdottir")
    ]


def test_split_quote_is_two_statements_sharing_one_speaker(engine: QuoteEngine) -> None:
    text = "Gen. Ivo Radek spoke first.\n“We will respond,” he said, “with force.”"
    result = engine.suggest(text)
    assert frames(result, text) == [
        ("“We will respond,”", "direct", "he", "Ivo Radek"),
        ("“with force.”", "direct", "he", "Ivo Radek"),
    ]
    speakers = [s for s in result.spans if s.label == "SPEAKER"]
    assert len(speakers) == 1
    assert {link.target for link in result.links} == {speakers[0].key}


def test_nested_quote_is_not_a_statement_of_its_own(engine: QuoteEngine) -> None:
    text = "“Our orders say ‘bring it down’ and we will,” the colonel said."
    found = frames(engine.suggest(text), text)
    assert [f[0] for f in found] == ["“Our orders say ‘bring it down’ and we will,”"]


def test_single_typographic_quotes_as_outer_marks(engine: QuoteEngine) -> None:
    text = "‘We will not be intimidated by anyone,’ Ana Petrova told reporters."
    assert frames(engine.suggest(text), text) == [
        ("‘We will not be intimidated by anyone,’", "direct", "Ana Petrova", "Ana Petrova")
    ]


def test_apostrophes_are_not_quote_marks(engine: QuoteEngine) -> None:
    text = "Korvath’s army won’t stop, the officers’ union said in Vardas’ main square."
    found = frames(engine.suggest(text), text)
    assert all("’" not in f[0][:1] for f in found)
    assert not any(f[1] == "direct" for f in found)


def test_partial_quote_after_a_naming_cue(engine: QuoteEngine) -> None:
    text = "Ferreira called the reports “a disinformation campaign” on Monday."
    assert frames(engine.suggest(text), text) == [
        ("the reports “a disinformation campaign”", "partial", "Ferreira", "")
    ]  # a lone surname never named in full before: a speaker, but nobody to resolve to


def test_reported_speech_to_the_end_of_the_sentence(engine: QuoteEngine) -> None:
    text = "The general said that the country would export drones to any ally. Then he left."
    assert frames(engine.suggest(text), text) == [
        ("the country would export drones to any ally", "indirect", "The general", "")
    ]


def test_denial_with_that(engine: QuoteEngine) -> None:
    text = "The ministry denied that any rockets had been shipped across the border."
    assert frames(engine.suggest(text), text) == [
        ("any rockets had been shipped across the border", "indirect", "The ministry", "")
    ]


def test_told_needs_that_and_skips_its_object(engine: QuoteEngine) -> None:
    text = "Maria Ostrova told reporters in Lanvik that the border would stay closed."
    assert frames(engine.suggest(text), text) == [
        ("the border would stay closed", "indirect", "Maria Ostrova", "Maria Ostrova")
    ]


def test_according_to_after_the_clause(engine: QuoteEngine) -> None:
    text = "The missiles were shipped through a free port, according to two diplomats."
    assert frames(engine.suggest(text), text) == [
        ("The missiles were shipped through a free port", "indirect", "two diplomats", "")
    ]


def test_according_to_before_the_clause(engine: QuoteEngine) -> None:
    text = "According to the defence ministry, the drills will last ten days."
    assert frames(engine.suggest(text), text) == [
        ("the drills will last ten days", "indirect", "the defence ministry", "")
    ]


def test_clause_before_its_speaker(engine: QuoteEngine) -> None:
    text = "Estmar has begun moving its batteries to the border, the defence ministry said."
    assert frames(engine.suggest(text), text) == [
        (
            "Estmar has begun moving its batteries to the border",
            "indirect",
            "the defence ministry",
            "",
        )
    ]


def test_appositive_and_aside_give_the_name(engine: QuoteEngine) -> None:
    text = (
        "Lena Marsh, a missile analyst, said the plant was idle.\n"
        "A senior official, who asked not to be named, said the talks had failed."
    )
    assert frames(engine.suggest(text), text) == [
        ("the plant was idle", "indirect", "Lena Marsh", "Lena Marsh"),
        ("the talks had failed", "indirect", "A senior official", ""),
    ]


def test_pronoun_and_surname_carry_to_the_last_named_speaker(engine: QuoteEngine) -> None:
    text = (
        "Foreign Minister Søren Ødegård spoke in Rennick.\n"
        "“We are ready,” he said.\n"
        "Ødegård also said the batteries were purely defensive.\n"
        "“The minister is wrong,” Łukasz Wróbel said. “It is a bluff,” he added."
    )
    assert frames(engine.suggest(text), text) == [
        ("“We are ready,”", "direct", "he", "Søren Ødegård"),
        ("the batteries were purely defensive", "indirect", "Ødegård", "Søren Ødegård"),
        ("“The minister is wrong,”", "direct", "Łukasz Wróbel", "Łukasz Wróbel"),
        ("“It is a bluff,”", "direct", "he", "Łukasz Wróbel"),
    ]


def test_quote_with_no_cue_takes_the_speaker_of_the_quote_before(engine: QuoteEngine) -> None:
    text = "“We are ready,” Ana Ruiz told parliament. “Nobody can stop us now.”"
    result = engine.suggest(text)
    found = frames(result, text)
    assert found == [
        ("“We are ready,”", "direct", "Ana Ruiz", "Ana Ruiz"),
        ("“Nobody can stop us now.”", "direct", "Ana Ruiz", "Ana Ruiz"),
    ]
    first, second = (s for s in result.spans if s.label == "STATEMENT")
    assert first.confidence > second.confidence  # the second has no cue of its own


def test_confidence_ranks_direct_over_pronoun_over_indirect(engine: QuoteEngine) -> None:
    text = (
        "“We are ready,” Ana Ruiz said.\n"
        "“We are waiting,” she said.\n"
        "Ana Ruiz said the army was ready."
    )
    conf = [s.confidence for s in engine.suggest(text).spans if s.label == "STATEMENT"]
    assert conf[0] > conf[1] > conf[2]


def test_scare_quotes_and_titles_are_not_statements(engine: QuoteEngine) -> None:
    text = (
        "The so-called “defensive drills” alarmed the region.\n"
        "In his memoir “The Long Border”, the general recalls 2009.\n"
        "The ‘Northern Gate’ exercise ended on Monday after ten days."
    )
    assert frames(engine.suggest(text), text) == []


def test_one_word_quote_with_a_cue_is_a_partial_statement(engine: QuoteEngine) -> None:
    text = "The ministry called the panel’s findings “baseless”."
    assert frames(engine.suggest(text), text) == [
        ("the panel’s findings “baseless”", "partial", "The ministry", "")
    ]


def test_straight_quotes(engine: QuoteEngine) -> None:
    text = 'Col. Mira Hess said: "The test was a full success." Then she left.'
    assert frames(engine.suggest(text), text) == [
        ('"The test was a full success."', "direct", "Col. Mira Hess", "Mira Hess")
    ]


def test_headline_byline_and_captions_hold_no_statement(engine: QuoteEngine) -> None:
    text = (
        "Korvath warns Estmar of ‘crushing response’ to new batteries\n"
        "By Lena Hartmann | Meridian Wire\n"
        "Photo: Minister Ali Demir says “we are ready for anything”. (Meridian Wire)\n"
        "Read more: “A new era” for Estmar’s air defence\n"
        "Photo: Minister Ali Demir says “we are ready for anything”. (Meridian Wire)\n"
    )
    assert frames(engine.suggest(text), text) == []


def test_a_caption_holds_a_cued_quote(engine: QuoteEngine) -> None:
    text = (
        "Estmar moves batteries east\n"
        "Photo: “We are ready for anything,” Ali Demir said at the base. (Meridian Wire)\n"
    )
    assert frames(engine.suggest(text), text) == [
        ("“We are ready for anything,”", "direct", "Ali Demir", "Ali Demir")
    ]


def test_offsets_index_the_text_as_given(engine: QuoteEngine) -> None:
    """Carriage returns, non-breaking spaces, combining accents: offsets are str indices."""
    text = (
        "Ligne\u00a01\r\nRe\u0301mi Laval said the plan\u00a0was ready.\r\n"
        "“We will respond,” Ana Ruiz said."
    )
    result = engine.suggest(text)
    found = [(text[s.start : s.end], s.start) for s in result.spans if s.label == "STATEMENT"]
    assert found == [
        ("the plan\u00a0was ready", text.index("the plan")),
        ("“We will respond,”", text.index("“")),
    ]


def test_form_only_when_the_schema_has_it() -> None:
    yaml_text = (REPO / "label_schemas" / "defence_statements.yaml").read_text()
    without = yaml_text.replace("      - name: form\n", "      - name: manner\n")
    engine = QuoteEngine.from_schema(parse_schema(without))
    text = "“We will respond,” Ana Ruiz said."
    result = engine.suggest(text)
    assert engine.form_attribute is None
    assert [dict(s.attributes) for s in result.spans if s.label == "STATEMENT"] == [{}]
    assert len(result.links) == 1


def test_schema_without_statements_export_is_refused() -> None:
    yaml_text = (REPO / "label_schemas" / "defence_statements.yaml").read_text()
    cut = yaml_text[: yaml_text.index("exports:")] + yaml_text[yaml_text.index("guidelines:") :]
    with pytest.raises(ValueError, match="statements export"):
        QuoteEngine.from_schema(parse_schema(cut))


def test_cue_verbs_and_titles_are_plain_lists() -> None:
    roles = FrameRoles("STATEMENT", "said_by", "SPEAKER", {})
    engine = QuoteEngine(roles, cue_verbs=["proclaim"], titles=["Marshal"])
    text = "Marshal Ivo Tann proclaimed that the war was over. Ivo Tann said it was not."
    assert frames(engine.suggest(text), text) == [
        ("the war was over", None, "Ivo Tann", "Ivo Tann")
    ]


def test_speaker_without_a_speaker_relation() -> None:
    roles = FrameRoles("CLAIM", None, None, {})
    engine = QuoteEngine(roles)
    result = engine.suggest("“We will respond,” Ana Ruiz said.")
    assert [s.label for s in result.spans] == ["CLAIM"]
    assert result.links == ()


def test_cancelled_returns_what_it_has(engine: QuoteEngine) -> None:
    paragraph = "“We are ready for anything,” Ana Ruiz said on Monday.\n"
    text = paragraph * 2000
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    result = engine.suggest(text, cancelled=cancelled)
    statements = [s for s in result.spans if s.label == "STATEMENT"]
    assert 0 < len(statements) < 2000
    assert calls == 4
