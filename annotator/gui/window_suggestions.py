"""The window's Suggest menu: machine suggestions computed off the GUI thread, shown and decided.

Opening a document that has never had suggestions computes them in the background (quietly:
no dialog; the rule engines take milliseconds on an article); "Suggest all documents…" runs
the engines over the corpus with progress and Cancel. The overlay (``suggestion_overlay``)
draws them and takes the keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenuBar, QMessageBox

from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import counted
from annotator.gui.document_session import DocumentSession
from annotator.gui.editor import AnnotationEditor
from annotator.gui.jobs import Job
from annotator.gui.suggestion_overlay import Reading, SuggestionOverlay

if TYPE_CHECKING:
    from annotator.core.services.annotations import AnnotationService
    from annotator.core.services.suggestions import SuggestionService
    from annotator.core.services.workspace import Workspace

ON_OPEN_KEY = "suggestions/onOpen"
RETRAIN_EVERY = 10  # documents newly marked done after which the window suggests retraining


class SuggestionActions(QMainWindow):
    """Mixed into ``MainWindow``: the Suggest menu and the suggestion overlay."""

    # Provided by MainWindow.
    workspace: Workspace
    schema: Schema
    service: AnnotationService
    session: DocumentSession | None
    editor: AnnotationEditor
    settings: QSettings
    _jobs: list[Job]
    _action: Callable[..., QAction]
    _track: Callable[[Job], None]
    _job_failed: Callable[[str, object], None]

    def _build_suggest_menu(self, menu_bar: QMenuBar) -> None:
        self._suggestion_service: SuggestionService | None = None
        self._suggesting: set[int] = set()  # documents being suggested for, in the background
        self.model_train_steps = (
            300  # per pipeline: minutes on a laptop for a few hundred documents
        )
        self.suggestions = SuggestionOverlay(self.editor, self)
        self.suggestions.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        menu = menu_bar.addMenu("&Suggest")
        self._action(
            menu, "Next suggestion", lambda: self.suggestions.step(1), "F4", "nextSuggestion"
        )
        self._action(
            menu,
            "Previous suggestion",
            lambda: self.suggestions.step(-1),
            "Shift+F4",
            "prevSuggestion",
        )
        self.show_suggestions_action = self._action(
            menu,
            "Show suggestions",
            lambda on: self.suggestions.set_visible(bool(on)),
            "F6",
            "showSuggestions",
        )
        self.show_suggestions_action.setCheckable(True)
        self.show_suggestions_action.setChecked(True)
        menu.addSeparator()
        self._action(
            menu, "Suggest for this document", self.suggest_open_document, "F5", "suggestDocument"
        )
        self._action(menu, "Suggest for all documents…", self.suggest_all, name="suggestAll")
        self.suggest_on_open_action = self._action(
            menu,
            "Suggest when a document opens",
            lambda on: self.settings.setValue(ON_OPEN_KEY, bool(on)),
            name="suggestOnOpen",
        )
        self.suggest_on_open_action.setCheckable(True)
        self.suggest_on_open_action.setChecked(self._suggest_on_open())
        menu.addSeparator()
        self.model_info_action = self._action(
            menu, "Model…", self.show_model_info, name="modelInfo"
        )
        self._action(menu, "Train the model engine…", self.train_model, name="trainModel")
        menu.aboutToShow.connect(self._describe_model)
        menu.addSeparator()
        hint = menu.addAction(
            "On a suggestion: Enter accepts the frame · Shift+Enter the span · Del rejects"
        )
        hint.setEnabled(False)

    # -- the model engine --

    def model_summary(self) -> str:
        """When the model was trained, on how many documents, and how good held back."""
        from annotator.core.services.suggest_model import ModelEngine, needs_retraining

        card = ModelEngine.model_info(self.workspace)
        if card is None:
            return (
                "No model yet: Suggest › Train the model engine learns from the documents "
                "marked done (it needs the spacy extra)."
            )
        stale = needs_retraining(self.workspace, every=RETRAIN_EVERY)
        hint = (
            f"\n{RETRAIN_EVERY} or more documents were marked done since: retrain it."
            if stale
            else ""
        )
        return f"Model engine: {card.summary()}.{hint}"

    def _describe_model(self) -> None:
        from annotator.core.services.suggest_model import ModelEngine

        card = ModelEngine.model_info(self.workspace)
        self.model_info_action.setText(
            f"Model… (trained {card.trained_at[:10]})" if card is not None else "Model… (none yet)"
        )

    def show_model_info(self) -> None:
        QMessageBox.information(self, "Model engine", self.model_summary())

    def train_model(self) -> Job:
        """Train the model engine off the GUI thread, with progress and Cancel; the earlier
        model stays in use until the new one is complete."""
        from annotator.core.services.suggest_model import TrainingCancelled, train_model

        workspace, steps = self.workspace, self.model_train_steps

        def work(progress):  # type: ignore[no-untyped-def]
            return train_model(workspace, progress=progress, max_steps=steps)

        job = Job("Training the model engine", work, self)

        def done(card) -> None:  # type: ignore[no-untyped-def]
            self.statusBar().showMessage(f"Model engine {card.summary()}", 15000)

        def failed(exc: object) -> None:
            if isinstance(exc, TrainingCancelled):
                self.statusBar().showMessage(str(exc), 10000)
            else:
                self._job_failed("Training failed", exc)

        job.done.connect(done)
        job.error.connect(failed)
        self._track(job)
        return job

    def _suggest_on_open(self) -> bool:
        value = self.settings.value(ON_OPEN_KEY, True)
        return value not in (False, "false", "0", 0)

    def suggestion_service(self) -> SuggestionService:
        """The suggestions of the active schema (made anew after a schema switch)."""
        service = self._suggestion_service
        if service is None or service.schema is not self.schema:
            service = self._suggestion_service = self.workspace.suggestions(self.schema)
        return service

    def _show_suggestions(self, session: DocumentSession) -> None:
        """A document was opened: show its open suggestions, computing them first (in the
        background) if it never had any."""
        service = self.suggestion_service()
        doc_id = session.document.id
        if not service.computed(doc_id):  # nothing stored: nothing to read
            self.suggestions.set_service(service)
            if self._suggest_on_open() and doc_id not in self._suggesting:
                self._compute([doc_id], quiet=True)
            return
        reading = self.suggestions.read_later(service)
        # Read once the opened article has painted: a worker reading meanwhile took the
        # interpreter from the open in turns and made it take twice as long.
        QTimer.singleShot(0, lambda: self._read_unless_stale(reading))

    def _read_unless_stale(self, reading: Reading) -> None:
        if self.suggestions.is_latest(reading):  # else another document or read came since
            self._read_frames(reading)

    def _read_frames(self, reading: Reading) -> Job | None:
        """Read the open document's frames on a worker, and prepare them there (filtered by
        what the layer holds, indexed for painting): a 1 MB article's 17,000 suggestions held
        the window for two seconds."""
        session, service = self.session, self.suggestions.service
        if session is None or service is None:
            return None
        doc_id, layer = session.document.id, session.service.annotator.name

        def work(_progress):  # type: ignore[no-untyped-def]
            return reading.prepare(service.open_frames(doc_id, layer))

        job = Job("Reading suggestions", work, self, quiet=True)
        job.done.connect(lambda prepared: self.suggestions.loaded(reading, prepared))
        job.error.connect(lambda exc: self.suggestions.read_failed(reading, exc))
        self._track(job)
        # One per document opened: its hidden dialog and thread go once it is done.
        job.done.connect(job.dialog.deleteLater)
        job.done.connect(job.deleteLater)
        job.error.connect(job.dialog.deleteLater)
        job.error.connect(job.deleteLater)
        return job

    # -- computing --

    def suggest_open_document(self) -> Job | None:
        """F5: (re)compute the open document's suggestions; decided ones stay as decided."""
        if self.session is None:
            self.statusBar().showMessage("Open a document first", 5000)
            return None
        return self._compute([self.session.document.id], quiet=False)

    def suggest_all(self) -> Job:
        return self._compute(None, quiet=False)

    def _compute(self, document_ids: list[int] | None, *, quiet: bool) -> Job:
        service = self.suggestion_service()
        ids = set(document_ids or ())
        self._suggesting |= ids
        shown = self.session  # its frames are read and prepared on the worker too
        layer = shown.service.annotator.name if shown is not None else None
        doc_id = shown.document.id if shown is not None else None
        reading = (  # what the worker prepares the frames against: thousands on 1 MB
            self.suggestions.read_later(
                service, keep_shown=True, keep_position=self.suggestions.position()
            )
            if doc_id is not None and (not ids or doc_id in ids)
            else None
        )

        def work(progress):  # type: ignore[no-untyped-def]
            report = service.compute(document_ids, progress=progress)
            if reading is None or doc_id is None:
                return report, None
            return report, reading.prepare(service.open_frames(doc_id, layer))

        job = Job("Suggesting", work, self, quiet=quiet)

        def done(result) -> None:  # type: ignore[no-untyped-def]
            report, prepared = result
            self._suggesting -= ids
            still = self.session is not None and self.session is shown
            # Shown unless read again since (a decision meanwhile): then read once more.
            shown_now = (
                reading is not None
                and prepared is not None
                and still
                and self.suggestions.loaded(reading, prepared)
            )
            if not shown_now and (
                self.session is not None and (not ids or self.session.document.id in ids)
            ):
                position = self.suggestions.position()  # read again, off the GUI thread
                service = self.suggestion_service()
                self._read_frames(
                    self.suggestions.read_later(service, keep_shown=True, keep_position=position)
                )
            if quiet:  # not asked for: the dashed frames say it, the status bar stays the user's
                return
            found = sum(report.spans.values())
            where = counted(report.documents, "document")
            self.statusBar().showMessage(
                f"{counted(found, 'suggested span')} in {where}"
                + (" (cancelled)" if report.cancelled else "")
                + ("; F4 goes to the first" if found else ""),
                10000,
            )

        def failed(exc: object) -> None:
            self._suggesting -= ids
            if reading is not None:
                self.suggestions.abandon(reading)  # the frames shown stay
            if quiet:  # the annotator did not ask: a line in the status bar, no box
                self.statusBar().showMessage(f"No suggestions for this document: {exc}", 10000)
            else:
                self._job_failed("Suggesting failed", exc)

        job.done.connect(done)
        job.error.connect(failed)
        self._track(job)
        return job
