"""The "quotes" engine: statements in quotation marks and reported speech, with their speakers.

Rules, no model: quotes are found by their marks, reported speech by its cues (said, told,
denied, according to, ...), speakers next to the cue. Each statement becomes a STATEMENT span
(its ``form`` when the schema has that attribute), the nearest speaker mention a SPEAKER span,
and a said_by link joins them, as the demo annotators mark them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.core.domain.schema.model import Schema
from annotator.core.domain.suggesting import attribution as clauses
from annotator.core.domain.suggesting.blocks import Block, blocks
from annotator.core.domain.suggesting.cues import (
    DEFAULT_CUE_VERBS,
    Cue,
    CueKind,
    CueMatcher,
    cue_lemmas,
)
from annotator.core.domain.suggesting.frames import (
    Cancelled,
    FrameRoles,
    SuggestedLink,
    SuggestedSpan,
    Suggestions,
    frame_roles,
)
from annotator.core.domain.suggesting.quotes import Quote, find_quotes, word_count
from annotator.core.domain.suggesting.speakers import (
    DEFAULT_TITLES,
    Mention,
    People,
    SpeakerFinder,
    resolve,
)
from annotator.core.domain.text import sentence_bounds

FORMS = ("direct", "indirect", "partial")
CHECK_EVERY = 2000  # characters between two looks at ``cancelled()``
MAX_CLAUSE = 800  # a reported clause longer than this is no clause (a text without full stops)
_SENTENCE_END = ".!?…"
_CLOSERS = '”’"»)'
# An -ing cue after these is a noun ("a blunt warning to"), not a participle (", warning that").
_NOUN_BEFORE = frozenset({"a", "an", "the", "this", "its", "their", "his", "her", "no", "any"})
_NOUN_AFTER = frozenset({"to", "of", "from", "for", "about", "was", "is", "were", "are"})


def _confidence(form: str, cued: bool, mention: Mention | None) -> float:
    """Higher for a cued direct quote with a named speaker, lower for reported speech and
    for speakers carried over (a pronoun, or a quote with no cue of its own)."""
    base = {"direct": 0.9, "partial": 0.65, "indirect": 0.55}[form]
    if not cued:
        base -= 0.25
    if mention is None:
        base -= 0.15
    elif mention.kind == "pronoun":
        base -= 0.1
    elif mention.kind == "body":
        base -= 0.05
    return round(max(0.05, base), 2)


@dataclass
class _Statement:
    start: int
    end: int
    form: str
    mention: Mention | None
    cued: bool
    evidence: str


@dataclass
class _BlockState:
    """What one paragraph's statements share: sentence bounds, quotes, speakers by sentence."""

    block: Block
    sentences: list[tuple[int, int]]
    quotes: list[Quote]
    cues: list[Cue]
    used: set[int] = field(default_factory=set)  # cue starts already given to a quote
    speakers: dict[int, Mention] = field(default_factory=dict)  # sentence start -> last one
    quote_starts: list[int] = field(default_factory=list)
    cue_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.quote_starts = [q.start for q in self.quotes]
        self.cue_starts = [c.start for c in self.cues]

    def cues_in(self, start: int, end: int) -> list[Cue]:
        """The cues starting in ``[start, end)``, by bisection (blocks may hold many)."""
        return self.cues[bisect_left(self.cue_starts, start) : bisect_left(self.cue_starts, end)]

    def quotes_in(self, start: int, end: int) -> list[Quote]:
        """The quotes opening in ``[start, end)``."""
        lo = bisect_left(self.quote_starts, start)
        return self.quotes[lo : bisect_left(self.quote_starts, end)]

    def sentence(self, pos: int) -> tuple[int, int]:
        """The (merged) sentence holding ``pos``, or the block when it has none."""
        if not self.sentences:
            return self.block.start, self.block.end
        i = bisect_right(self.sentences, (pos, 1 << 62)) - 1
        return self.sentences[max(0, i)]

    def inside_quote(self, pos: int) -> Quote | None:
        i = bisect_left(self.quote_starts, pos) - 1
        return self.quotes[i] if i >= 0 and self.quotes[i].end > pos else None


def _near(statements: list[_Statement], start: int, end: int) -> list[_Statement]:
    """The statements (sorted by start, not overlapping each other) that may overlap a range."""
    i = bisect_left(statements, start, key=lambda s: s.start)
    return statements[max(0, i - 1) : bisect_left(statements, end, key=lambda s: s.start)]


class QuoteEngine:
    """Direct, split, nested and partial quotes and reported speech, with speaker mentions."""

    name = "quotes"

    def __init__(
        self,
        roles: FrameRoles,
        cue_verbs: Sequence[str] = DEFAULT_CUE_VERBS,
        titles: Sequence[str] = DEFAULT_TITLES,
        *,
        form_attribute: str | None = None,
    ) -> None:
        self.roles = roles
        self.form_attribute = form_attribute
        self._cues = CueMatcher(cue_lemmas(cue_verbs))
        self._speakers = SpeakerFinder(tuple(titles))

    @classmethod
    def from_schema(
        cls,
        schema: Schema,
        cue_verbs: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
    ) -> QuoteEngine:
        """The engine for a schema's statement frame; ``form`` is filled only when the
        statement label has a ``form`` attribute offering direct, indirect and partial."""
        roles = frame_roles(schema)
        if roles is None:
            raise ValueError(
                f"schema {schema.name!r} declares no statements export (exports.statements), "
                "so the quotes engine does not know which label a statement is"
            )
        label = schema.label(roles.statement_label)
        attribute = label.attribute("form") if label is not None else None
        has_forms = attribute is not None and set(FORMS) <= set(attribute.value_names)
        return cls(
            roles,
            DEFAULT_CUE_VERBS if cue_verbs is None else cue_verbs,
            DEFAULT_TITLES if titles is None else titles,
            form_attribute="form" if has_forms else None,
        )

    def suggest(self, text: str, *, cancelled: Cancelled | None = None) -> Suggestions:
        """Statements, speakers and said_by links for one text (offsets into it as given)."""
        people = People()
        found: list[_Statement] = []
        since_check = 0
        for block in blocks(text):
            since_check += block.end - block.start
            if cancelled is not None and since_check >= CHECK_EVERY:
                since_check = 0
                if cancelled():
                    break
            if block.headline:
                continue
            found.extend(self._block(text, block, people, found[-1] if found else None))
        return self._records(found, people)

    # -- one paragraph --

    def _block(
        self, text: str, block: Block, people: People, previous: _Statement | None
    ) -> list[_Statement]:
        quotes = find_quotes(text, block.start, block.end)
        if not block.prose and not quotes:
            return []
        state = _BlockState(block, self._sentences(text, block, quotes), quotes, [])
        state.cues = [
            c
            for c in self._cues.find(text, block.start, block.end)
            if state.inside_quote(c.start) is None and self._verbal(text, c)
        ]
        state.cue_starts = [c.start for c in state.cues]
        self._speakers.record_titled_names(text, block.start, block.end, people)
        out = self._quotes(text, state, people, previous)
        if block.prose:
            out.extend(self._reported(text, state, people, out))
        out.sort(key=lambda s: (s.start, s.end))
        return out

    def _verbal(self, text: str, cue: Cue) -> bool:
        """A cue used as a verb: not "a blunt warning to", "a stated range"."""
        before = text[max(0, cue.start - 20) : cue.start].split()
        if before and before[-1].lower() in _NOUN_BEFORE:
            return False
        if cue.text.lower().endswith("ed") and text[cue.end : cue.end + 4] == " of ":
            return False  # "firms accused of ...": a passive, nobody speaks
        if not cue.text.lower().endswith("ing"):
            return True
        after = text[cue.end : cue.end + 20].split()
        return not (after and after[0].lower() in _NOUN_AFTER)

    def _sentences(self, text: str, block: Block, quotes: list[Quote]) -> list[tuple[int, int]]:
        """The block's sentences, joined where a quote runs across a sentence end."""
        raw = [
            (s + block.start, e + block.start)
            for s, e in sentence_bounds(text[block.start : block.end])
        ]
        merged: list[tuple[int, int]] = []
        qi = 0
        for s, e in raw:
            while qi < len(quotes) and quotes[qi].end <= s:
                qi += 1
            across_next = qi < len(quotes) and quotes[qi].start < s < quotes[qi].end
            across_last = (
                qi > 0 and merged and quotes[qi - 1].start < merged[-1][1] < quotes[qi - 1].end
            )
            if merged and (across_next or across_last):
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        return merged

    # -- quotes --

    def _quotes(
        self, text: str, state: _BlockState, people: People, previous: _Statement | None
    ) -> list[_Statement]:
        out: list[_Statement] = []
        last_direct: _Statement | None = None
        last_quote: Quote | None = None
        for i, q in enumerate(state.quotes):
            ss, se = state.sentence(q.start)
            words = word_count(text, q.start + 1, q.end - 1)
            next_start = state.quotes[i + 1].start if i + 1 < len(state.quotes) else se
            after = self._after_clause(text, state, q, min(se, next_start), people)
            before = self._before_clause(text, state, q, ss, people) if after is None else None
            continuation = (
                last_direct is not None
                and last_quote is not None
                and last_quote.end >= ss
                and text[last_quote.end : q.start].rstrip().endswith(",")
                and bool(state.cues_in(last_quote.end, q.start))
            )
            direct = continuation or before is not None or self._opens_sentence(text, state, q)
            cue_mention = after or before
            if not direct:
                last_quote = q
                continue  # partial: reported with the clause around it (see _reported)
            if not state.block.prose and (cue_mention is None or words < 3):
                last_quote = q
                continue  # a byline or caption holds a statement only as a cued quote
            if cue_mention is None and words < 3 and not continuation:
                last_quote = q
                continue  # a title or scare quote, not a statement
            if cue_mention is not None:
                cue, mention = cue_mention
                state.used.add(cue.start)
                evidence = f"quote with cue '{cue.text}'"
                cued = True
            elif continuation and last_direct is not None:
                mention, cued = last_direct.mention, True
                evidence = "quote continued after its reporting clause"
            else:
                carried = last_direct or (
                    previous if previous is not None and previous.form == "direct" else None
                )
                mention = carried.mention if carried is not None else None
                cued = False
                evidence = "quote with no cue; speaker of the quote before it"
            statement = _Statement(q.start, q.end, "direct", mention, cued, evidence)
            out.append(statement)
            if mention is not None:
                state.speakers[ss] = mention
            last_direct, last_quote = statement, q
        return out

    def _opens_sentence(self, text: str, state: _BlockState, q: Quote) -> bool:
        """Whether a quote stands where a sentence starts (not inside the journalist's)."""
        i = q.start
        while i > state.block.start and text[i - 1].isspace():
            i -= 1
        j = i
        while j > state.block.start and text[j - 1] in _CLOSERS:
            j -= 1
        if j == state.block.start:
            return True
        last = text[j - 1] if j < i else text[i - 1]
        return last in _SENTENCE_END or last in "–—:"

    def _after_clause(
        self, text: str, state: _BlockState, q: Quote, limit: int, people: People
    ) -> tuple[Cue, Mention | None] | None:
        """The reporting clause after a quote: “...,” he said / “...,” said Gen. X."""
        for cue in state.cues_in(q.end, limit + 1)[:1]:
            if cue.start >= limit or cue.start - q.end > 150 or cue.kind is CueKind.ADJUNCT:
                return None
            between = text[q.end : cue.start]
            if word_count(text, q.end, cue.start) > 12 or any(m in between for m in '“”"'):
                return None
            words = between.split()
            if words and words[0].lower() in ("and", "but", "or", "which", "that"):
                return None  # "“...” and said ...": a new clause, not this quote's
            if between.strip(" ,\u00a0"):
                mention = self._speakers.subject_before(text, q.end, cue.start, people)
            else:
                mention = self._speakers.object_after(text, cue.end, limit + 200, people)
            return cue, mention
        return None

    def _before_clause(
        self, text: str, state: _BlockState, q: Quote, ss: int, people: People
    ) -> tuple[Cue, Mention | None] | None:
        """The reporting clause before a quote: He said: “...” / X told reporters, “...”."""
        found = [c for c in state.cues_in(ss, q.start) if c.end <= q.start]
        if not found:
            return None
        cue = found[-1]
        between = text[cue.end : q.start].rstrip()
        if not between.endswith((":", ",")) or word_count(text, cue.end, q.start) > 6:
            return None
        if cue.kind in (CueKind.ADJUNCT, CueKind.NAMING):
            return None
        mention = self._speakers.subject_before(text, ss, cue.start, people)
        if mention is None:
            mention = self._speakers.object_after(text, cue.end, q.start, people)
        return cue, mention

    # -- reported speech --

    def _reported(
        self, text: str, state: _BlockState, people: People, direct: list[_Statement]
    ) -> list[_Statement]:
        out: list[_Statement] = []
        for k, cue in enumerate(state.cues):
            if cue.start in state.used or cue.kind is CueKind.ADJUNCT:
                continue
            ss, se = state.sentence(cue.start)
            ss, se = max(ss, cue.start - MAX_CLAUSE), min(se, cue.end + MAX_CLAUSE)
            nxt = self._next_cue(state, k, se)
            found = self._clause(text, state, cue, ss, se, nxt, people, direct)
            if found is None:
                continue
            start, end, mention = found
            state.used.update(c.start for c in state.cues_in(start, end))
            if end - start < 3 or word_count(text, start, end) < 3:
                continue
            if any(d.start < end and start < d.end for d in _near(direct, start, end)):
                continue
            form = "partial" if state.quotes_in(start, end) else "indirect"
            if mention is not None:
                state.speakers[ss] = mention
            evidence = f"reported speech after '{cue.text}'"
            out.append(_Statement(start, end, form, mention, True, evidence))
        return out

    def _clause(
        self,
        text: str,
        state: _BlockState,
        cue: Cue,
        ss: int,
        se: int,
        nxt: Cue | None,
        people: People,
        direct: list[_Statement],
    ) -> tuple[int, int, Mention | None] | None:
        """Where the statement a cue reports lies, and its speaker, or None."""
        boundary = None if nxt is None else self._boundary(text, cue.end, nxt)
        limit = se if boundary is None else boundary
        if cue.kind is CueKind.SOURCE:
            return self._according_to(text, state, cue, ss, se, people)
        mention = self._subject(text, state, cue, ss, people)
        pos = clauses.skip_adjuncts(text, cue.end, se)
        if cue.kind is CueKind.NAMING and text[pos : pos + 4] in (" on ", " for"):
            pos += 4  # "called on all sides to ...": an appeal, reported like speech
        elif cue.kind is CueKind.NAMING:
            limit = clauses.clause_cut(text, pos, limit)
            quoted = state.quotes_in(pos, limit)
            if quoted:
                start, _ = clauses.trim(text, pos, quoted[0].end)
                return start, quoted[0].end, mention
            if " as " in text[pos:limit]:
                return (*clauses.trim(text, pos, limit), mention)
            return None
        if cue.kind is CueKind.THAT:
            after_that = clauses.find_that(text, pos, limit)
            if after_that is None:
                return self._clause_before(text, state, cue, ss, pos, se, mention)
            pos = after_that
        else:
            after_that = clauses.find_that(text, pos, limit, within=6)
            pos = after_that if after_that is not None else pos
        rest = text[pos:limit].lstrip()
        if not rest or rest[0] in ",.;:!?" or (pos >= limit):
            return self._clause_before(text, state, cue, ss, pos, se, mention)
        first = limit - len(rest)
        if any(d.start == first for d in _near(direct, first, first + 1)):
            return None  # a quote the quote rules already report
        end = clauses.clause_cut(text, pos, limit)
        inside = state.inside_quote(end)
        if inside is not None:
            end = inside.end
        for q in state.quotes_in(pos + 1, end):
            if self._opens_sentence(text, state, q):
                end = q.start
                break
        start, end = clauses.trim(text, pos, end)
        return start, end, mention

    def _next_cue(self, state: _BlockState, k: int, se: int) -> Cue | None:
        """The next cue of the sentence after ``state.cues[k]`` that may start a clause."""
        for i in range(k + 1, len(state.cues)):
            c = state.cues[i]
            if c.start >= se:
                return None
            if c.kind is not CueKind.ADJUNCT and c.start not in state.used:
                return c
        return None

    def _boundary(self, text: str, pos: int, nxt: Cue) -> int | None:
        """Where a clause ends when the next cue starts a clause of its own ("... and said",
        ", warning that"), or None when that cue sits inside this clause ("said X had denied")."""
        window = text[pos : nxt.start]
        cut = max(window.rfind(","), window.rfind(" and "), window.rfind(" but "))
        if cut < 0:
            return None
        between = window[cut:].lstrip(",").split()
        if between and between[0] in ("and", "but"):
            between = between[1:]
        if len(between) > 2 or any(w[:1].isupper() for w in between):
            return None
        if any(w.lower() in ("which", "who", "that") for w in between):
            return None  # ", which explained ...": inside this clause
        return pos + cut

    def _subject(
        self, text: str, state: _BlockState, cue: Cue, ss: int, people: People
    ) -> Mention | None:
        """The speaker of a reporting cue: its subject, else the sentence's last speaker."""
        participle = cue.text.lower().endswith("ing")
        if not participle:
            mention = self._speakers.subject_before(text, ss, cue.start, people)
            if mention is not None:
                return mention
        if ss in state.speakers:
            return state.speakers[ss]
        return self._speakers.subject_at(
            text, clauses.after_dateline(text, ss, cue.start), cue.start, people
        )

    def _clause_before(
        self,
        text: str,
        state: _BlockState,
        cue: Cue,
        ss: int,
        pos: int,
        se: int,
        mention: Mention | None,
    ) -> tuple[int, int, Mention | None] | None:
        """ "CLAUSE, the ministry said on Friday.": the statement before its speaker."""
        rest = text[pos:se].lstrip()
        if rest and rest[0] not in ",.;":
            return None
        if mention is None or mention.kind == "pronoun":
            return None
        comma = text.rfind(",", ss, mention.start)
        if comma < 0 or word_count(text, comma + 1, mention.start) > 4:
            return None  # "CLAUSE, Defense Minister Ali Demir said": only a title between
        start = clauses.after_dateline(text, ss, comma)
        if start < comma and text[start] in '“"‘':
            return None
        start, end = clauses.trim(text, start, comma)
        if word_count(text, start, end) < 4:
            return None
        return start, end, mention

    def _according_to(
        self, text: str, state: _BlockState, cue: Cue, ss: int, se: int, people: People
    ) -> tuple[int, int, Mention | None] | None:
        """ "CLAUSE, according to X." or "According to X, CLAUSE."."""
        mention = self._speakers.object_after(text, cue.end, se, people)
        start = clauses.after_dateline(text, ss, cue.start)
        if word_count(text, start, cue.start) >= 4:
            return (*clauses.trim(text, start, cue.start), mention)
        if mention is None:
            return None
        comma = text.find(",", mention.end, se)
        if comma < 0:
            return None
        return (*clauses.trim(text, comma + 1, se), mention)

    # -- records --

    def _records(self, found: list[_Statement], people: People) -> Suggestions:
        roles = self.roles
        spans: list[SuggestedSpan] = []
        links: list[SuggestedLink] = []
        speaker_keys: dict[tuple[int, int], str] = {}
        seen: set[tuple[int, int]] = set()
        for statement in found:
            if (statement.start, statement.end) in seen:
                continue
            seen.add((statement.start, statement.end))
            confidence = _confidence(statement.form, statement.cued, statement.mention)
            key = f"q{len(seen)}"
            attributes = {self.form_attribute: statement.form} if self.form_attribute else {}
            spans.append(
                SuggestedSpan(
                    key=key,
                    start=statement.start,
                    end=statement.end,
                    label=roles.statement_label,
                    confidence=confidence,
                    engine=self.name,
                    attributes=attributes,
                    evidence=f"{statement.form}: {statement.evidence}",
                )
            )
            mention = statement.mention
            if mention is None or roles.speaker_label is None or roles.speaker_relation is None:
                continue
            where = (mention.start, mention.end)
            speaker_key = speaker_keys.get(where)
            if speaker_key is None:
                speaker_key = speaker_keys[where] = f"k{len(speaker_keys) + 1}"
                spans.append(
                    SuggestedSpan(
                        key=speaker_key,
                        start=mention.start,
                        end=mention.end,
                        label=roles.speaker_label,
                        confidence=confidence,
                        engine=self.name,
                        evidence=f"{mention.kind} next to the cue",
                        refers_to=resolve(mention, people),
                    )
                )
            links.append(
                SuggestedLink(key, speaker_key, roles.speaker_relation, confidence, self.name)
            )
        return Suggestions(tuple(spans), tuple(links))
