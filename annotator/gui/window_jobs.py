"""The window's long jobs: import and export on a worker thread, with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from annotator.core.domain.records import AnnotatorRecord
from annotator.core.domain.schema import Schema
from annotator.gui.jobs import Job

if TYPE_CHECKING:
    from annotator.core.services.workspace import Workspace


class JobActions(QMainWindow):
    """Mixed into ``MainWindow``: imports and exports through the workspace's services."""

    # Provided by MainWindow.
    workspace: Workspace
    schema: Schema
    annotator: AnnotatorRecord
    _jobs: list[Job]
    _apply_filter: Callable[[], None]

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import documents", "", "Articles (*.txt *.html *.htm *.jsonl);;All (*)"
        )
        if paths:
            self.start_import([Path(p) for p in paths])

    def start_import(self, paths: list[Path]) -> Job:
        workspace, schema, name = self.workspace, self.schema, self.annotator.name

        def work(progress):  # type: ignore[no-untyped-def]
            return workspace.import_files(paths, schema=schema, annotator=name, progress=progress)

        job = Job("Importing", work, self)
        job.done.connect(self._import_done)
        job.error.connect(lambda exc: self._job_failed("Import failed", exc))
        self._track(job)
        return job

    def _import_done(self, report) -> None:  # type: ignore[no-untyped-def]
        self._apply_filter()
        self.statusBar().showMessage(report.summary(), 10000)
        if report.skipped:
            QMessageBox.information(
                self, "Import", report.summary() + "\n\n" + "\n".join(report.skipped[:20])
            )

    def export_dialog(self) -> None:
        from annotator.gui.export_dialog import ExportDialog

        dialog = ExportDialog(self.schema, [a.name for a in self.workspace.annotators.all()], self)
        if dialog.exec():
            self.start_export(dialog.request())

    def start_export(self, request) -> Job:  # type: ignore[no-untyped-def]
        workspace, schema = self.workspace, self.schema

        def work(progress):  # type: ignore[no-untyped-def]
            return request.run(workspace, schema, progress)

        job = Job("Exporting", work, self)
        job.done.connect(lambda summary: self.statusBar().showMessage(str(summary), 10000))
        job.error.connect(lambda exc: self._job_failed("Export failed", exc))
        self._track(job)
        return job

    def start_due_backup(self) -> Job | None:
        """The day's automatic copy of the database, on a worker once the first document is
        open (``Workspace(backup_later=True)``): a large file's copy holds no start-up. Closing
        the window waits for it, so no half-made copy is left behind."""
        db = self.workspace.db
        if db.backup_due is None:
            return None
        job = Job("Backing up", lambda _progress: db.make_due_backup(), self, quiet=True)
        job.done.connect(self._backup_done)
        job.error.connect(lambda exc: self._backup_done(f"no automatic backup was made: {exc}"))
        self._track(job)
        return job

    def _backup_done(self, warning: str | None) -> None:
        if warning:  # work goes on; the user learns that today's copy is missing
            self.statusBar().showMessage("Warning: " + warning)

    def _track(self, job: Job) -> None:
        self._jobs.append(job)
        job.done.connect(lambda *_: self._forget(job))
        job.error.connect(lambda *_: self._forget(job))
        job.start()

    def _forget(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        job.dialog.deleteLater()
        job.deleteLater()

    def _job_failed(self, title: str, exc: object) -> None:
        from annotator.core.domain.errors import ExportCancelled
        from annotator.core.services.importing import ImportCancelled

        if isinstance(exc, ImportCancelled | ExportCancelled):
            self.statusBar().showMessage(str(exc), 10000)  # the user asked for it: no error box
            return
        QMessageBox.critical(self, title, str(exc) or exc.__class__.__name__)
