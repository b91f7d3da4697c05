"""Reported speech: the statements cues report outside quotation marks.

"X said (that) CLAUSE", "CLAUSE, the ministry said", "according to X", "called the reports
“lies”", "In a statement, the ministry welcomed ...": each becomes an indirect (or partial,
when it holds a quote) statement with the cue's subject as its speaker.
"""

from __future__ import annotations

from annotator.core.domain.suggesting import clauses
from annotator.core.domain.suggesting.cues import Cue, CueKind
from annotator.core.domain.suggesting.paragraph import Paragraph, Statement, near
from annotator.core.domain.suggesting.quotes import word_count
from annotator.core.domain.suggesting.speakers import Mention, People, SpeakerFinder

MAX_CLAUSE = 800  # a reported clause longer than this is no clause (a text without full stops)
_AUXILIARIES = frozenset(
    {"is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could", "may"}
)


class ReportedSpeech:
    """Finds the clauses a paragraph's cues report, with their speakers."""

    def __init__(self, speakers: SpeakerFinder) -> None:
        self._speakers = speakers

    def find(
        self, text: str, state: Paragraph, people: People, direct: list[Statement]
    ) -> list[Statement]:
        """The reported statements of a paragraph; ``direct`` are its quotes already found
        (a clause never overlaps one, and a cue a quote used reports nothing more)."""
        out: list[Statement] = []
        for k, cue in enumerate(state.cues):
            if cue.start in state.used:
                continue
            ss, se = state.sentence(cue.start)
            ss, se = max(ss, cue.start - MAX_CLAUSE), min(se, cue.end + MAX_CLAUSE)
            if cue.kind is CueKind.ADJUNCT:
                found = self._in_a_statement(text, state, cue, ss, se, people)
            else:
                nxt = self._next_cue(state, k, se)
                found = self._clause(text, state, cue, ss, se, nxt, people, direct)
            if found is None:
                continue
            start, end, mention = found
            parts = [(start, end)]
            tail = state.tails.pop(end, None)
            if tail is not None:
                parts.append(tail)
            for start, end in parts:
                state.used.update(c.start for c in state.cues_in(start, end))
                if end - start < 3 or word_count(text, start, end) < 3:
                    continue
                if any(d.start < end and start < d.end for d in near(direct, start, end)):
                    continue
                form = "partial" if state.quotes_in(start, end) else "indirect"
                if mention is not None:
                    state.speakers[ss] = mention
                evidence = f"reported speech after '{cue.text}'"
                out.append(Statement(start, end, form, mention, True, evidence))
        return out

    def _clause(
        self,
        text: str,
        state: Paragraph,
        cue: Cue,
        ss: int,
        se: int,
        nxt: Cue | None,
        people: People,
        direct: list[Statement],
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
        if any(d.start == first for d in near(direct, first, first + 1)):
            return None  # a quote the quote rules already report
        if rest.split(maxsplit=1)[0].lower() in _AUXILIARIES:
            return None  # "the missile, which officials say has a range ...": an aside
        end = clauses.clause_cut(text, pos, limit)
        inside = state.inside_quote(end)
        if inside is not None:
            end = inside.end
        for q in state.quotes_in(pos + 1, end):
            if state.opens_sentence(text, q):
                end = q.start
                break
        start, end = clauses.trim(text, pos, end)
        second = clauses.contrast_after(text, end, limit)
        if second is not None and state.inside_quote(second) is None:
            state.tails[end] = clauses.trim(text, second, limit)
        return start, end, mention

    def _in_a_statement(
        self, text: str, state: Paragraph, cue: Cue, ss: int, se: int, people: People
    ) -> tuple[int, int, Mention | None] | None:
        """ "In a statement, the ministry welcomed the decision.": what follows the verb, when
        the sentence opens with the phrase and has no reporting verb of its own."""
        if clauses.after_dateline(text, ss, cue.start) != cue.start:
            return None
        if any(c.kind is not CueKind.ADJUNCT for c in state.cues_in(ss, se)):
            return None
        comma = clauses.skip_adjuncts(text, cue.end, se)
        if text[comma : comma + 1] != ",":
            return None
        found = self._speakers.subject_and_verb(text, comma + 1, se, people)
        if found is None:
            return None
        mention, verb_end = found
        return (*clauses.trim(text, verb_end, se), mention)

    def _next_cue(self, state: Paragraph, k: int, se: int) -> Cue | None:
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
        self, text: str, state: Paragraph, cue: Cue, ss: int, people: People
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
        state: Paragraph,
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
        self, text: str, state: Paragraph, cue: Cue, ss: int, se: int, people: People
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
