"""Reporting cues: the verbs and phrases that mark a statement and point at its speaker.

A schema lists cues as plain lemmas ("say", "deny", "according to"); this module inflects them
(said, says, saying, denied, ...) and finds them in a text with one precompiled pattern, so a
team lead can add a cue without knowing regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_CUE_VERBS: tuple[str, ...] = (
    "say",
    "tell",
    "add",
    "warn",
    "threaten",
    "deny",
    "stress",
    "announce",
    "insist",
    "claim",
    "state",
    "declare",
    "confirm",
    "note",
    "argue",
    "explain",
    "admit",
    "acknowledge",
    "predict",
    "vow",
    "pledge",
    "promise",
    "urge",
    "reject",
    "dismiss",
    "call",
    "describe",
    "condemn",
    "accuse",
    "brand",
    "write",
    "reiterate",
    "assert",
    "according to",
    "in a statement",
    "in a written statement",
)

# Verbs whose forms a suffix rule gets wrong.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "written", "writes", "writing"),
    "speak": ("spoke", "spoken", "speaks", "speaking"),
    "think": ("thought", "thinks", "thinking"),
    "hold": ("held", "holds", "holding"),
}
_DOUBLED = frozenset({"admit", "commit", "regret", "refer", "submit", "omit", "rebut"})
# Lemmas that are also common nouns ("state television", "the claims", "Halvard states"): only
# their past and -ing forms are cues.
_NOUN_LIKE = frozenset({"state", "note", "claim", "call", "promise", "pledge", "brand", "vow"})
_NOUN_LIKE |= {"stress", "urge", "report", "comment", "answer", "respond"}

# Verbs after which the reported clause follows only "that" (told reporters that ...).
_THAT_ONLY = frozenset({"tell", "assure", "inform", "remind", "write", "add"})
# Verbs that name what is said, usually with a quoted phrase or "as": called the reports "lies".
_NAMING = frozenset({"call", "describe", "dismiss", "condemn", "brand", "reject"})


class CueKind(StrEnum):
    SAY = "say"  # the reported clause follows the verb (said the drones were ...)
    THAT = "that"  # the reported clause follows "that" after an object (told reporters that)
    NAMING = "naming"  # an object then a quoted phrase or "as ..." (called it "a provocation")
    SOURCE = "source"  # the speaker follows the phrase (according to the ministry)
    ADJUNCT = "adjunct"  # marks a statement's setting, not its words (in a statement)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    text: str
    lemma: str
    kind: CueKind


def inflect(lemma: str) -> tuple[str, ...]:
    """The lemma with its third person, past and -ing forms (a phrase is kept as it is)."""
    lemma = lemma.strip().lower()
    if not lemma or " " in lemma:
        return (lemma,) if lemma else ()
    if lemma in _IRREGULAR:
        return (lemma, *_IRREGULAR[lemma])
    forms = _regular(lemma)
    if lemma in _NOUN_LIKE:
        return tuple(f for f in forms if f.endswith(("ed", "ing")))
    return forms


def _regular(lemma: str) -> tuple[str, ...]:
    """Base, -s, -ed and -ing forms by the spelling rules of regular verbs."""
    if lemma in _DOUBLED:
        last = lemma[-1]
        return (lemma, lemma + "s", lemma + last + "ed", lemma + last + "ing")
    if lemma.endswith("e"):
        return (lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing")
    if len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return (lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing")
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return (lemma, lemma + "es", lemma + "ed", lemma + "ing")
    return (lemma, lemma + "s", lemma + "ed", lemma + "ing")


def kind_of(lemma: str) -> CueKind:
    """How a cue relates to its statement and speaker, from its lemma."""
    lemma = lemma.strip().lower()
    if " " in lemma:
        words = lemma.split()
        if words[0] == "according" or words[-1] in ("to", "by"):
            return CueKind.SOURCE
        return CueKind.ADJUNCT
    if lemma in _THAT_ONLY:
        return CueKind.THAT
    if lemma in _NAMING:
        return CueKind.NAMING
    return CueKind.SAY


class CueMatcher:
    """Every cue of a list, found with one pattern compiled once (whole words, any case)."""

    def __init__(self, lemmas: Iterable[str]) -> None:
        forms: dict[str, tuple[str, CueKind]] = {}
        for lemma in lemmas:
            kind = kind_of(lemma)
            for form in inflect(lemma):
                forms.setdefault(form, (lemma.strip().lower(), kind))
        self._forms = forms
        body = _trie_pattern(forms)
        self._pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE) if forms else None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """The cues in ``text[start:end]``, in order."""
        if self._pattern is None:
            return []
        stop = len(text) if end is None else end
        found = []
        for match in self._pattern.finditer(text, start, stop):
            key = " ".join(match.group().lower().split())
            lemma, kind = self._forms[key]
            found.append(Cue(match.start(), match.end(), match.group(), lemma, kind))
        return found


def _trie_pattern(forms: Iterable[str]) -> str:
    """One pattern for many words, as a tree of shared prefixes: the regex engine then rejects
    a position at its first letter instead of trying every word (a flat alternation of a
    hundred words cost 2 s per MB of text). A space in a phrase matches any run of white
    space (non-breaking spaces included); longer words are tried before their prefixes."""
    trie: dict[str, dict] = {}
    for form in forms:
        node = trie
        for ch in " ".join(form.split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + pattern(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def cue_lemmas(cue_verbs: Sequence[str] | None) -> tuple[str, ...]:
    """The cues to use: the given list, or the defaults when none is given."""
    return DEFAULT_CUE_VERBS if cue_verbs is None else tuple(c for c in cue_verbs if c.strip())
