"""Linking spans from the keyboard: a relation's key starts it; a click, or Tab to a candidate
and Enter, completes it (``AnnotationEditor`` mixes this in)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.domain.rules import missing_required
from annotator.core.domain.schema import RelationType
from annotator.gui import commands

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import SignalInstance

    from annotator.core.domain.records import SpanRecord
    from annotator.gui.document_session import DocumentSession


class LinkingMixin:
    """The link mode of the editor; the editor supplies the attributes declared here."""

    session: DocumentSession | None
    selected: int | None
    selected_link: int | None
    link_relation: RelationType | None
    link_source: int | None
    link_candidate: int | None
    if TYPE_CHECKING:
        message: SignalInstance
        prompt: SignalInstance
        linkModeChanged: SignalInstance

        def select(self, span_id: int | None, *, scroll: bool = False) -> None: ...
        def select_link(self, relation_id: int | None) -> None: ...
        def selected_span(self) -> SpanRecord | None: ...
        def _emphasise(self) -> None: ...
        def _scroll_to(self, span_id: int) -> None: ...
        def _run(
            self, command: commands.Command, then: Callable[[], None] | None = None
        ) -> bool: ...

    def begin_link(self, relation: str) -> None:
        """Start linking from the selected span (or the statement it belongs to)."""
        if self.session is None:
            return
        rel = self.session.schema.relation(relation)
        if rel is None:
            return
        source = self._link_source_for(rel)
        if source is None:
            self.message.emit(f"select a {rel.source} span to link from")
            return
        self.link_relation, self.link_source = rel, source
        self.link_candidate = None
        if self.selected != source or self.selected_link is not None:
            self.select(source)
        self.prompt.emit(
            f"{rel.name}: click a {rel.target}, Tab to one and press Enter, or "
            f"select new text and press Enter (Esc cancels)"
        )
        self.linkModeChanged.emit(rel.name)

    def _link_source_for(self, rel: RelationType) -> int | None:
        span = self.selected_span()
        if span is None or self.session is None:
            return None
        if span.label == rel.source:
            return span.id
        # A target span just linked: go back to the statement it belongs to.
        sources = [
            i for i in self.session.sources_of(span.id) if self.session.spans[i].label == rel.source
        ]
        return sources[0] if sources else None

    def go_to_missing(self, span_id: int, what: str) -> None:
        """Select what Mark done found missing: the span, or for a link's value
        ("aimed_at.stance_toward") the first such link from it, ready for its value keys."""
        self.select(span_id, scroll=True)
        if self.session is None or "." not in what:
            return
        relation, name = what.split(".", 1)
        for link in self.session.links_from(span_id, relation):
            if link.attributes.get(name) in (None, "", []):
                self.select_link(link.id)
                return

    def cancel_link(self) -> None:
        if self.link_relation is not None:
            self.link_relation = self.link_source = None
            self.link_candidate = None
            self._emphasise()
            self.prompt.emit("")
            self.linkModeChanged.emit(None)

    def complete_link(self, target_id: int) -> bool:
        """Link the source to ``target_id``; True if stored at once (False: refused, or
        waiting for the database, then the link mode ends once it is stored)."""
        if self.session is None or self.link_relation is None or self.link_source is None:
            return False
        rel = self.link_relation
        target = self.session.spans.get(target_id)
        if target is None or target.label != rel.target:
            self.message.emit(f"{rel.name} links to a {rel.target}")
            return False
        if any(
            r.target_id == target_id for r in self.session.links_from(self.link_source, rel.name)
        ):
            self.message.emit("already linked")
            self.cancel_link()
            return False
        command = commands.LinkCommand(self.session, self.link_source, target_id, rel.name)
        replaced = [self._words(r.target_id, 30) for r in command.replaced]

        def then() -> None:
            self._after_link(target_id)
            if replaced:  # said_by allows one speaker: the new one takes the old one's place
                self.message.emit(
                    f"{rel.name}: “{self._words(target_id, 30)}” replaces "
                    f"“{', '.join(replaced)}” (Ctrl+Z brings it back)"
                )

        return self._run(command, then)

    def unlink_chosen(self) -> None:
        """Del while linking: remove the link to the span Tab chose, or the relation's only
        link from the statement, so no link needs the mouse to go."""
        if self.session is None or self.link_relation is None or self.link_source is None:
            return
        rel = self.link_relation
        links = self.session.links_from(self.link_source, rel.name)
        if self.link_candidate is not None:
            links = [r for r in links if r.target_id == self.link_candidate]
        if len(links) != 1:
            self.message.emit(
                f"this {rel.source} has no {rel.name} link to remove"
                if not links
                else f"Tab to the linked {rel.target} whose link Del should remove"
            )
            return
        self.cancel_link()
        self._run(commands.UnlinkCommand(self.session, links[0].id))

    def _words(self, span_id: int, limit: int = 40) -> str:
        """A span's text on one line, cut to ``limit`` characters."""
        assert self.session is not None
        span = self.session.spans[span_id]
        words = " ".join(self.session.document.text[span.start : span.end].split())
        return words if len(words) <= limit else words[: limit - 1] + "…"

    def _after_link(self, target_id: int) -> None:
        """Select what needs attention next: the target if it lacks a required value, else
        the new link if its relation has values (stance toward: the value keys set it),
        else the source."""
        assert self.session is not None
        source, rel = self.link_source, self.link_relation
        self.cancel_link()
        target = self.session.spans.get(target_id)
        if target is not None and missing_required(
            self.session.schema, target.label, target.attributes
        ):
            self.select(target_id)
            return
        self.select(source)
        made = (
            [
                r.id
                for r in self.session.links_from(source, rel.name if rel else None)
                if r.target_id == target_id
            ]
            if source is not None
            else []
        )
        if rel is not None and rel.attributes and made:
            self.select_link(made[0])

    def cycle_link_candidate(self, forward: bool) -> None:
        assert self.session is not None and self.link_relation is not None
        source = self.session.spans[self.link_source]  # type: ignore[index]
        candidates = sorted(
            (s for s in self.session.spans.values() if s.label == self.link_relation.target),
            key=lambda s: abs(s.start - source.start),
        )
        if not candidates:
            self.message.emit(
                f"no {self.link_relation.target} spans yet: select text and press Enter to make one"
            )
            return
        ids = [s.id for s in candidates]
        if self.link_candidate in ids:
            i = ids.index(self.link_candidate) + (1 if forward else -1)
        else:
            i = 0 if forward else -1
        self.link_candidate = ids[i % len(ids)]
        self._emphasise()
        self._scroll_to(self.link_candidate)
        self.select(self.link_source)
        rel = self.link_relation
        linked = any(
            r.target_id == self.link_candidate
            for r in self.session.links_from(self.link_source, rel.name)  # type: ignore[arg-type]
        )
        what = "linked: Del removes the link" if linked else "Enter links it"
        self.prompt.emit(
            f"{rel.name} → “{self._words(self.link_candidate)}” "
            f"({ids.index(self.link_candidate) + 1} of {len(ids)}): "
            f"{what}, Tab the next, Esc cancels"
        )
