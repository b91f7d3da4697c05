"""The pattern engine finds what a team lead's phrases and regexes describe: whole words in any
case and common inflections, implied values, leftmost-longest where matches overlap."""

from __future__ import annotations

import time

from annotator.core.domain.schema import Pattern
from annotator.core.domain.suggesting.patterns import PatternEngine
from annotator.core.services.bundled import default_schema


def found(engine: PatternEngine, text: str) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (text[s.start : s.end], s.label, dict(s.attributes)) for s in engine.suggest(text).spans
    ]


def weapons(*patterns: Pattern) -> PatternEngine:
    return PatternEngine({"WEAPON": patterns})


DRONE = Pattern(phrase="drone", attributes=(("weapon_type", "drone"),))


def test_phrases_match_any_case_plurals_and_possessives() -> None:
    engine = weapons(
        DRONE,
        Pattern(phrase="torpedo", attributes=(("weapon_type", "naval"),)),
        Pattern(phrase="air-defence battery", attributes=(("weapon_type", "air_defence"),)),
    )
    text = (
        "DRONES, a Drone's range, the drones' base; torpedoes; "
        "air defence batteries and an air-defence battery."
    )
    assert [t for t, _, _ in found(engine, text)] == [
        "DRONES",
        "Drone's",
        "drones'",
        "torpedoes",
        "air defence batteries",
        "air-defence battery",
    ]


def test_phrases_match_whole_words_only() -> None:
    engine = weapons(DRONE, Pattern(phrase="ICBM"))
    assert found(engine, "Drones droned on; a dronefly; ICBMs, not ICBMx or xICBM.") == [
        ("Drones", "WEAPON", {"weapon_type": "drone"}),
        ("ICBMs", "WEAPON", {}),
    ]


def test_regexes_match_as_written_on_word_boundaries() -> None:
    engine = weapons(Pattern(regex=r"S-\d{3}", attributes=(("weapon_type", "air_defence"),)))
    text = "The S-400 and S-300 systems, not MS-4000 or S-4000 or s-400."
    assert [t for t, _, _ in found(engine, text)] == ["S-400", "S-300"]
    flagged = weapons(Pattern(regex=r"(?i)patriots?"))
    assert [t for t, _, _ in found(flagged, "PATRIOT and Patriots")] == ["PATRIOT", "Patriots"]


def test_the_longest_match_wins_and_carries_its_values() -> None:
    engine = weapons(
        Pattern(phrase="missile", attributes=(("weapon_type", "other"),)),
        Pattern(phrase="cruise missile", attributes=(("weapon_type", "cruise_missile"),)),
        Pattern(phrase="anti-ship cruise missile", attributes=(("weapon_type", "naval"),)),
    )
    assert found(engine, "anti-ship cruise missiles and a missile") == [
        ("anti-ship cruise missiles", "WEAPON", {"weapon_type": "naval"}),
        ("missile", "WEAPON", {"weapon_type": "other"}),
    ]


def test_multi_values_become_lists_and_evidence_names_the_pattern() -> None:
    engine = PatternEngine({"WEAPON": (Pattern(phrase="drone", attributes=(("tags", ("a",)),)),)})
    (span,) = engine.suggest("a drone").spans
    assert span.attributes == {"tags": ["a"]}
    assert (span.engine, span.evidence, span.confidence) == ("patterns", "pattern drone", 0.6)


def test_the_default_schema_finds_each_weapon_type() -> None:
    engine = PatternEngine.from_schema(default_schema())
    text = (
        "Iran fired ballistic missiles and Kalibr cruise missiles; S-400 batteries, "
        "Shahed drones, HIMARS launchers, two frigates and nuclear warheads. NATO said."
    )
    kinds = {(t, a.get("weapon_type")) for t, _, a in found(engine, text)}
    assert kinds == {
        ("ballistic missiles", "ballistic_missile"),
        ("Kalibr", "cruise_missile"),
        ("cruise missiles", "cruise_missile"),
        ("S-400", "air_defence"),
        ("Shahed", "drone"),
        ("drones", "drone"),
        ("HIMARS", "rocket_artillery"),
        ("frigates", "naval"),
        ("nuclear warheads", "nuclear"),
        ("NATO", None),
    }


def test_a_long_article_takes_little_time_and_can_be_cancelled() -> None:
    engine = PatternEngine.from_schema(default_schema())
    text = "The general said ballistic missiles and drones would be ready. " * 20_000  # 1.3 MB
    started = time.perf_counter()
    spans = engine.suggest(text).spans
    assert len(spans) == 40_000
    assert time.perf_counter() - started < 5
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    cut = engine.suggest(text, cancelled=cancelled).spans
    assert 0 < len(cut) < 1000
