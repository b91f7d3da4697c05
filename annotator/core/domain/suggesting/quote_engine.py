"""The "quotes" engine: statements in quotation marks and reported speech, with their speakers.

Rules, no model: quotes are found by their marks, reported speech by its cues (said, told,
denied, according to, ...), speakers next to the cue. Each statement becomes a STATEMENT span
(its ``form`` when the schema has that attribute), the nearest speaker mention a SPEAKER span,
and a said_by link joins them, as the demo annotators mark them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from annotator.core.domain.schema.model import Schema
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
    Engine,
    FrameRoles,
    SuggestedLink,
    SuggestedSpan,
    Suggestions,
    frame_roles,
)
from annotator.core.domain.suggesting.paragraph import Paragraph, Statement
from annotator.core.domain.suggesting.quotes import Quote, find_quotes, word_count
from annotator.core.domain.suggesting.reported import ReportedSpeech
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
        self._reported = ReportedSpeech(self._speakers)

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
        found: list[Statement] = []
        since_check = 0
        for block in blocks(text):
            since_check += block.end - block.start
            if cancelled is not None and since_check >= CHECK_EVERY:
                since_check = 0
                if cancelled():
                    break
            if block.headline:
                continue
            statements = self._block(text, block, people, found[-1] if found else None)
            if found and found[-1].open_ended:
                self._continued(text, block, found, statements)
            found.extend(statements)
        if found and found[-1].open_ended:
            found.pop()  # nothing continued it
        return self._records(found, people)

    def _continued(
        self, text: str, block: Block, found: list[Statement], statements: list[Statement]
    ) -> None:
        """A quote left open at a paragraph's end counts when this paragraph opens with a
        quote mark (it goes on), and takes the speaker that continuation names."""
        opened = found[-1]
        first = statements[0] if statements else None
        starts_quoted = text[block.start : block.start + 1] in ("“", '"')
        if not starts_quoted or first is None or first.start != block.start:
            found.pop()
            return
        if opened.mention is None or not opened.cued:
            opened.mention, opened.cued = first.mention, first.cued
        opened.open_ended = False

    # -- one paragraph --

    def _block(
        self, text: str, block: Block, people: People, previous: Statement | None
    ) -> list[Statement]:
        quotes = find_quotes(text, block.start, block.end)
        if not block.prose and not quotes:
            return []
        state = Paragraph(block, self._sentences(text, block, quotes), quotes, [])
        state.cues = [
            c
            for c in self._cues.find(text, block.start, block.end)
            if state.inside_quote(c.start) is None and self._verbal(text, c)
        ]
        state.cue_starts = [c.start for c in state.cues]
        self._speakers.record_titled_names(text, block.start, block.end, people)
        out = self._quotes(text, state, people, previous)
        if block.prose:
            out.extend(self._reported.find(text, state, people, out))
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
        self, text: str, state: Paragraph, people: People, previous: Statement | None
    ) -> list[Statement]:
        out: list[Statement] = []
        last_direct: Statement | None = None
        last_quote: Quote | None = None
        for i, q in enumerate(state.quotes):
            ss, se = state.sentence(q.start)
            words = word_count(text, *q.inner)
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
            direct = continuation or before is not None or state.opens_sentence(text, q)
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
                if mention is None and q.closed:
                    last_quote = q
                    continue  # nobody says it: a pull quote, a reader's comment
                cued = False
                evidence = "quote with no cue; speaker of the quote before it"
            if not q.closed:
                if words < 3:
                    continue
                evidence = "quote continued in the next paragraph"
            statement = Statement(q.start, q.end, "direct", mention, cued, evidence, not q.closed)
            out.append(statement)
            if mention is not None:
                state.speakers[ss] = mention
            last_direct, last_quote = statement, q
        return out

    def _after_clause(
        self, text: str, state: Paragraph, q: Quote, limit: int, people: People
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
        self, text: str, state: Paragraph, q: Quote, ss: int, people: People
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
    def _records(self, found: list[Statement], people: People) -> Suggestions:
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


if TYPE_CHECKING:  # mypy checks here that the engine keeps to the protocol all engines share
    _AN_ENGINE: Engine = QuoteEngine(FrameRoles("STATEMENT", None, None, {}))
