"""Who said it: the speaker mention next to a reporting cue, and the person it names.

Annotators mark the mention nearest the statement ("he", "Yılmaz", "the ministry") and the
registry needs the person behind it, so a mention carries ``refers_to``: the fullest name seen
so far with that surname, or for a pronoun or "the minister" the last person named before it.
Plain token rules, no parser: a subject is read backwards from the cue to a clause boundary,
skipping adverbs ("also"), times ("on Saturday") and asides (", who asked not to be named,").
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    """A word list written as one string, for long lists of plain words."""
    return text.split()


DEFAULT_TITLES: tuple[str, ...] = (
    "Gen.",
    "General",
    "Lt. Gen.",
    "Maj. Gen.",
    "Brig. Gen.",
    "Adm.",
    "Admiral",
    "Vice Admiral",
    "Rear Adm.",
    "Rear Admiral",
    "Col.",
    "Colonel",
    "Lt.",
    "Maj.",
    "Capt.",
    "Dr.",
    "Prof.",
    "President",
    "Prime Minister",
    "Defence Minister",
    "Defense Minister",
    "Foreign Minister",
    "Interior Minister",
    "minister",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chief executive",
    "chief",
    "commander",
    "ambassador",
    "envoy",
    "analyst",
    "specialist",
    "expert",
    "lawmaker",
    "senator",
    "chair",
    "head",
    "director",
)
# Ranks and honorifics stay in the mention ("Gen. Mehmet Yılmaz"); offices do not ("Defence
# Minister Ingrid Søberg" -> "Ingrid Søberg"), as the demo annotators mark them.
_RANK_WORDS = frozenset(
    _words("gen. general adm. admiral vice rear col. colonel lt. maj. capt. dr. prof. brig.")
)
SUBJECT_REACH = 200  # characters before a cue where its subject may start
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_PERSON_PRONOUNS = frozenset({"he", "she", "i"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "one", "two", "three"})
_DETERMINERS |= {"some", "several", "many", "other", "another", "this", "that", "these"}
_PARTICLES = frozenset({"de", "da", "del", "della", "van", "von", "der", "den", "al", "bin"})
_PARTICLES |= {"dos", "du", "la", "le", "ter", "ben", "ibn", "y"}
_ADVERBS = frozenset(
    _words(
        "also later again then further earlier previously repeatedly reportedly first finally "
        "publicly privately separately today yesterday tonight once recently simply"
    )
)
_TIME_WORDS = frozenset(
    _words(
        "monday tuesday wednesday thursday friday saturday sunday morning afternoon evening night "
        "january february march april may june july august september october november december "
        "week month year weekend day"
    )
)
_TIME_PREPS = frozenset({"on", "in", "late", "last", "this", "early", "earlier", "next", "at"})
_STOPS = frozenset(',;:()–—|·"“”‘’«»')
_CLAUSE_WORDS = frozenset(
    _words(
        "and but that who which while as after when because if so or whom whose where though "
        "although before since until"
    )
)
_VERBS = frozenset(
    _words(
        "is was were are be been has have had will would can could should may might must "
        "did does do"
    )
)
_PREPOSITIONS = frozenset({"of", "at", "in", "from", "for", "with", "on"})
_FUNCTION = _PREPOSITIONS | _CLAUSE_WORDS | {"by", "to", "into", "over", "under", "about"}
_BODY_HEADS = frozenset(
    _words(
        "organisation organization ministry army navy government office council front group "
        "company institute centre center embassy command forces alliance party union agency "
        "service services corporation committee parliament court police guard"
    )
)
_QUANTITIES = frozenset({"one", "some", "none", "two", "three", "several", "many", "most", "all"})
_TOKEN = re.compile(r"[^\W_][\w’'\-]*\.?|[,;:()–—|·\"“”‘’«»]")


@dataclass(frozen=True)
class Mention:
    """A speaker mention: where it is and whom it names."""

    start: int
    end: int
    text: str
    kind: str  # "person", "pronoun", "title" ("the minister") or "body"


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def _capital(tok: _Tok) -> bool:
    return tok.text[:1].isupper()


def _possessive(tok: _Tok) -> bool:
    return tok.text.endswith(("’s", "'s", "’", "s'"))


def surname_of(name: str) -> str:
    words = [w for w in name.split() if w.lower() not in _RANK_WORDS]
    return words[-1].casefold() if words else ""


class People:
    """The persons named so far in one document, in text order, with their fullest names."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._names: list[str] = []
        self._bodies: list[tuple[int, str]] = []
        self._full: dict[str, str] = {}

    def add_person(self, at: int, name: str) -> None:
        name = strip_ranks(name)
        key = surname_of(name)
        if not key:
            return
        known = self._full.get(key, "")
        if len(name.split()) > len(known.split()):
            self._full[key] = name
        i = bisect_left(self._starts, at)  # the end, but for a name earlier in the paragraph
        self._starts.insert(i, at)
        self._names.insert(i, name)

    def add_body(self, at: int, text: str) -> None:
        insort(self._bodies, (at, text))

    def knows(self, word: str) -> bool:
        return word.casefold() in self._full

    def full_name(self, name: str) -> str:
        plain = strip_ranks(name)
        return self._full.get(surname_of(plain), plain)

    def last_person(self, before: int) -> str:
        i = bisect_left(self._starts, before)
        return self.full_name(self._names[i - 1]) if i else ""

    def last_body(self, before: int) -> str:
        i = bisect_left(self._bodies, (before, ""))
        return self._bodies[i - 1][1] if i else ""


def strip_ranks(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in _RANK_WORDS:
        words = words[1:]
    return " ".join(words)


class SpeakerFinder:
    """Reads speaker mentions around cues; ``titles`` are the words that can precede a name."""

    def __init__(self, titles: Sequence[str]) -> None:
        self._title_words = frozenset(w.lower() for t in titles for w in t.split())
        self._title_heads = frozenset(t.split()[-1].lower() for t in titles if t.split())
        alternatives = sorted({t for t in titles if t.strip()}, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, t.split())) for t in alternatives)
        name = r"[^\W\d_][\w’'\-]*\.?(?:\s+[^\W\d_][\w’'\-]*\.?){0,4}"
        self._titled = (
            re.compile(rf"(?<!\w)(?:{body})(?!\w),?\s+({name})", re.IGNORECASE) if body else None
        )

    # -- persons named in a paragraph --

    def record_titled_names(self, text: str, start: int, end: int, people: People) -> None:
        """Remember every "title Name Surname" of a paragraph, so pronouns can point at them."""
        if self._titled is None:
            return
        for match in self._titled.finditer(text, start, end):
            toks = _tokens(text, match.start(1), match.end(1))
            run = self._name_run(toks, 0)
            if run and len(run) - self._ranks(run) >= 2:
                people.add_person(run[0].start, " ".join(t.text for t in run))

    # -- mentions --

    def subject_before(self, text: str, lo: int, pos: int, people: People) -> Mention | None:
        """The subject of a cue at ``pos`` (its clause starts at or after ``lo``), or None."""
        toks = _tokens(text, max(lo, pos - SUBJECT_REACH), pos)
        toks = self._drop_adjuncts(toks)
        segments = self._segments(toks)
        if not segments:
            return None
        last = segments[-1]
        if not last[1] and last[0] in ("and", "but"):
            return None  # "... and said": the subject is the sentence's, the caller knows it
        asides = self._asides(segments)
        chosen: list[_Tok] | None = None
        for i in range(len(segments) - 1, -1, -1):
            stop, seg = segments[i]
            if asides[i]:
                continue  # ", who asked not to be named, ..."
            if not seg:
                if stop in (",", "(", ")"):
                    continue
                break
            first = seg[0].low
            if (
                stop == ","
                and i + 1 < len(segments)
                and not _capital(seg[0])
                and first not in _DETERMINERS
            ):
                continue  # an aside between commas: ", seen by CPA,"
            if (
                i > 0
                and segments[i - 1][1]
                and stop == ","
                and first in ("a", "an", "the")
                and self._person_in(segments[i - 1][1], people)
            ):
                continue  # "Łukasz Wróbel, a missile specialist ..., said": take the name
            chosen = seg
            break
        if not chosen:
            return None
        cut = max((k + 1 for k, t in enumerate(chosen) if not self._np_word(t)), default=0)
        chosen = chosen[cut:]
        return self._mention(text, chosen[-12:], people) if chosen else None

    def subject_at(self, text: str, lo: int, hi: int, people: People) -> Mention | None:
        """The subject at the start of a sentence (for "..., and said"), or None."""
        toks = _tokens(text, lo, hi)
        segs = self._segments(toks, leading=True)
        for i, (_, seg) in enumerate(segs[:3]):
            if not seg:
                continue
            if (
                i + 1 < len(segs)
                and self._person_in(segs[i + 1][1], people)
                and (seg[0].low in _DETERMINERS or not self._person_in(seg, people))
            ):
                continue  # "Its army chief of staff, Gen. Đorđe Kovačević, ..."
            cut = next((k for k, t in enumerate(seg) if k and not self._np_word(t)), len(seg))
            return self._mention(text, seg[:cut][:8], people)
        return None

    def object_after(self, text: str, pos: int, hi: int, people: People) -> Mention | None:
        """The speaker after a cue: "said Gen. Ali Demir", "according to the ministry"."""
        toks = _tokens(text, pos, min(hi, pos + 200))
        toks = self._skip_leading_adjuncts(toks)
        seg: list[_Tok] = []
        for tok in toks:
            if tok.text in _STOPS or tok.low in _CLAUSE_WORDS or tok.text.endswith("."):
                if tok.text.endswith(".") and tok.low in self._title_words | _RANK_WORDS:
                    seg.append(tok)
                    continue
                if tok.text.endswith(".") and len(tok.text) > 1 and tok.text[:-1].isalpha():
                    seg.append(_Tok(tok.start, tok.end - 1, tok.text[:-1]))
                break
            if not self._np_word(tok) and seg:
                break
            seg.append(tok)
            if len(seg) >= 8:
                break
        return self._mention(text, seg, people) if seg else None

    # -- pieces --

    def _np_word(self, tok: _Tok) -> bool:
        """Whether a token may sit in a speaker noun phrase (not a verb we can tell)."""
        low = tok.low
        return not (low in _CLAUSE_WORDS or low in _ADVERBS or low in _VERBS)

    def _asides(self, segments: list[tuple[str, list[_Tok]]]) -> list[bool]:
        """Which segments belong to a relative clause closed by a comma before the cue."""
        flags = [False] * len(segments)
        opened: int | None = None
        for i, (stop, _) in enumerate(segments):
            if stop in ("who", "which", "whose", "whom"):
                opened = i if opened is None else opened
            elif stop in (",", ")") and opened is not None:
                for k in range(opened, i):
                    flags[k] = True
                opened = None
        return flags

    def _drop_adjuncts(self, toks: list[_Tok]) -> list[_Tok]:
        """Drop trailing adverbs and times: "the ministry on Saturday" -> "the ministry"."""
        i = len(toks)
        while i:
            low = toks[i - 1].low.rstrip(".")
            if low in _ADVERBS:
                i -= 1
                continue
            if (low in _TIME_WORDS or low.isdigit()) and i >= 2:
                j = i - 1
                while j > 0 and (toks[j - 1].low in _TIME_WORDS or toks[j - 1].low.isdigit()):
                    j -= 1
                if j > 0 and toks[j - 1].low in _TIME_PREPS:
                    i = j - 1
                    continue
            break
        return toks[:i]

    def _skip_leading_adjuncts(self, toks: list[_Tok]) -> list[_Tok]:
        i = 0
        while i < len(toks):
            low = toks[i].low
            if low in _ADVERBS:
                i += 1
            elif low in _TIME_PREPS and i + 1 < len(toks) and toks[i + 1].low in _TIME_WORDS:
                i += 2
                while i < len(toks) and (toks[i].low in _TIME_WORDS or toks[i].low.isdigit()):
                    i += 1
            else:
                break
        return toks[i:]

    def _segments(self, toks: list[_Tok], leading: bool = False) -> list[tuple[str, list[_Tok]]]:
        """Tokens cut at punctuation and clause words: (the stop before, tokens after it)."""
        segs: list[tuple[str, list[_Tok]]] = [("", [])]
        for tok in toks:
            if tok.text in _STOPS or (tok.low in _CLAUSE_WORDS and not leading):
                segs.append((tok.low, []))
            else:
                segs[-1][1].append(tok)
        if not leading:
            segs = segs if segs[0][1] else segs[1:] or segs
        return segs

    def _ranks(self, run: list[_Tok]) -> int:
        n = 0
        while n < len(run) and run[n].low in _RANK_WORDS:
            n += 1
        return n

    def _name_run(self, toks: list[_Tok], at: int) -> list[_Tok]:
        """The capitalised name starting at ``toks[at]`` (ranks and particles included)."""
        run: list[_Tok] = []
        i = at
        while (
            i + 1 < len(toks)
            and toks[i].low in self._title_words
            and toks[i].low not in _RANK_WORDS
            and _capital(toks[i + 1])
        ):
            i += 1  # an office before a name is not part of it: "Foreign Minister X"
        while i < len(toks):
            tok = toks[i]
            if tok.low in _RANK_WORDS and (_capital(tok) or tok.low.endswith(".")):
                run.append(tok)
            elif (
                _capital(tok)
                and tok.low not in _DETERMINERS
                and tok.low not in _FUNCTION
                and tok.text not in _STOPS
            ):
                run.append(tok)
                if _possessive(tok):
                    break
            elif tok.low in _PARTICLES and run and i + 1 < len(toks) and _capital(toks[i + 1]):
                run.append(tok)
            else:
                break
            i += 1
        while run and run[-1].low in _PARTICLES:
            run.pop()
        offices = [k for k, t in enumerate(run[:-1]) if self._office(t)]
        return run[offices[-1] + 1 :] if offices else run

    def _office(self, tok: _Tok) -> bool:
        """An office word ("Minister", "President"), which precedes a name but is not in it."""
        return tok.low in self._title_words and tok.low not in _RANK_WORDS

    def _person_in(self, seg: list[_Tok], people: People) -> bool:
        run = self._last_run(seg)
        return bool(run) and run[-1] is seg[-1] and self._is_person(run, seg, people)

    def _last_run(self, seg: list[_Tok]) -> list[_Tok]:
        i = len(seg)
        while i and (
            (
                _capital(seg[i - 1])
                and seg[i - 1].low not in _DETERMINERS
                and seg[i - 1].low not in _FUNCTION
            )
            or seg[i - 1].low in _RANK_WORDS
            or (seg[i - 1].low in _PARTICLES and i < len(seg))
        ):
            i -= 1
        return self._name_run(seg, i) if i < len(seg) else []

    def _is_person(self, run: list[_Tok], seg: list[_Tok], people: People) -> bool:
        if not run or _possessive(run[-1]) or run[-1].low in _BODY_HEADS:
            return False
        names = len(run) - self._ranks(run)
        if names <= 0:
            return False
        before = seg[seg.index(run[0]) - 1].low if seg.index(run[0]) > 0 else ""
        if before in _FUNCTION or before == "the":
            return False  # "of the Halvard Institute": an organisation, not a person
        titled = self._ranks(run) > 0 or before in self._title_heads
        return names >= 2 or titled or people.knows(run[-1].text)

    def _mention(self, text: str, seg: list[_Tok], people: People) -> Mention | None:
        """A mention from a noun phrase: a pronoun, a person's name, or a body."""
        seg = [t for t in seg if t.text not in _STOPS]
        if not seg:
            return None
        if len(seg) == 1 and seg[0].low in PRONOUNS:
            tok = seg[0]
            return Mention(tok.start, tok.end, tok.text, "pronoun")
        # a prepositional tail ("of the Institute for ...") is not the speaker's head
        head = seg
        if seg[0].low not in _QUANTITIES:
            cut = next((k for k, t in enumerate(seg) if k and t.low in _PREPOSITIONS), None)
            head = seg[:cut] if cut else seg
        run = self._last_run(head)
        if run and run[-1] is head[-1] and self._is_person(run, head, people):
            name = " ".join(t.text for t in run)
            people.add_person(run[0].start, name)
            start, end = run[0].start, run[-1].end
            return Mention(start, end, text[start:end], "person")
        start, end = head[0].start, head[-1].end
        if head[0].low == "the" and len(head) <= 3 and head[-1].low in self._title_heads:
            return Mention(start, end, text[start:end], "title")  # "the defence minister"
        people.add_body(start, text[start:end])
        return Mention(start, end, text[start:end], "body")


def resolve(mention: Mention, people: People) -> str:
    """The full name a mention stands for, once the whole document has been read."""
    if mention.kind == "person":
        return people.full_name(mention.text)
    if mention.kind == "title":
        return people.last_person(mention.start)
    if mention.kind == "pronoun":
        low = mention.text.lower()
        if low in _PERSON_PRONOUNS:
            return people.last_person(mention.start)
        return people.last_body(mention.start)
    return ""
