"""One export's run, from the first query to the manifest, for any format.

The format is an entry of the registry: its writer is opened through it (``open_writer``),
what the writer takes (raw rows, a document, or a document's units) is the entry's ``item``,
and what the manifest says of it comes from the entry too; nothing here names a format.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from annotator.core.domain.collector import collector_paused
from annotator.core.domain.errors import ExportError
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.formats import options as format_options
from annotator.core.formats.entries import LayoutContext, RecordWriter, WriterContext, WriterEntry
from annotator.core.formats.writers import spacy_config, tokenize
from annotator.core.formats.writers.documents import to_document
from annotator.core.formats.writers.hf_features import MetaShape, features_for
from annotator.core.formats.writers.problems import ProblemLog
from annotator.core.formats.writers.units import Prepared
from annotator.core.services.exporting.card import CARD, dataset_card
from annotator.core.services.exporting.empty_export import why_nothing
from annotator.core.services.exporting.manifest import (
    PartCounts,
    build_manifest,
    folder_contents,
    write_manifest,
)
from annotator.core.services.exporting.output import MANIFEST, Layout, Staging
from annotator.core.services.exporting.outside import OutsideRows, archived_counts
from annotator.core.services.exporting.sinks import Sink, WriterSink
from annotator.core.services.exporting.source import (
    ExportFilter,
    selected_layers,
    snapshot,
    stream_raw,
)
from annotator.core.services.exporting.spacy_training import SpacyTraining
from annotator.core.services.exporting.split_store import (
    Deal,
    manifest_section,
    plan,
    record,
    two_passes,
)
from annotator.core.services.exporting.splits import WHOLE, SplitSpec
from annotator.core.storage.db import Database

FEATURES_USE = (
    "datasets.load_dataset('json', data_files={split: path, ...}, "
    "features=datasets.Features.from_dict(manifest['features'])): every split gets these "
    "columns, a value null throughout one split included; label_lists give each choice "
    "attribute's ClassLabel"
)


@dataclass(frozen=True)
class PartResult:
    """One split as written."""

    name: str
    path: Path  # the data file (or brat folder) at its final place
    documents: int
    records: int
    spans: int
    relations: int


@dataclass(frozen=True)
class JobSettings:
    """What the job is asked to do: the service's options, already checked."""

    filter: ExportFilter
    split: SplitSpec | None
    scheme: str
    nested: str
    redeal: bool
    allow_outside_schema: bool = False


class Job:
    """One export's state, from the first query to the manifest."""

    def __init__(
        self,
        db: Database,
        schema: Schema,
        entry: WriterEntry,
        settings: JobSettings,
        layout: Layout,
        staging: Staging,
    ) -> None:
        self.db = db
        self.schema = schema
        self.entry = entry
        self.settings = settings
        self.layout = layout
        self.staging = staging
        self.problems = ProblemLog()
        self.part_names = settings.split.names if settings.split else (WHOLE,)
        self.filter = settings.filter
        self.data_name: str | None = None if layout.folder else layout.target.name
        self._lists: dict[str, dict[str, Path]] = {}
        self._handles: list[BinaryIO] = []
        self.export_id = uuid.uuid4().hex
        self.deal: Deal | None = None
        self.layers: dict[int, tuple[str, str]] = {}  # the layers read: id -> (name, kind)
        self._writers: dict[str, RecordWriter] = {}
        self._sinks: dict[str, Sink] = {}
        self.outside = OutsideRows(
            schema, allowed=settings.allow_outside_schema, set_apart=entry.archive
        )
        self.archived: dict[str, int] = {}  # what the export holds, or leaves, of the archive
        self.training: SpacyTraining | None = None  # a split spaCy export's training files
        # The documents' own meta, typed for the manifest's features (rows carry it as JSON).
        self.meta = MetaShape() if entry.item == "raw" else None
        if entry.name == "spacy" and settings.split is not None:
            self.training = SpacyTraining(staging, schema, self._layers(), self.part_names)

    # -- files --

    def _list_file(self, key: str, part: str) -> BinaryIO:
        path = self.staging.path / f".{key}-{part}.jsonl"
        self._lists.setdefault(key, {})[part] = path
        handle = open(path, "wb", buffering=1 << 16)  # noqa: SIM115 - closed in close_lists
        self._handles.append(handle)
        return handle

    def close_lists(self, quiet: bool = False) -> None:
        """Close every list file; ``quiet`` when the export failed already (a full disk)."""
        failed: list[OSError] = []
        for handle in self._handles:
            try:
                handle.close()
            except OSError as exc:
                failed.append(exc)
        for sink in self._sinks.values() if quiet else ():  # nor its writers' threads (spacy)
            sink.abandon()
        if failed and not quiet:
            raise failed[0]

    def _relative(self, part: str) -> str:
        if not self.layout.folder:
            assert self.data_name is not None
            return self.data_name
        if self.entry.folder:
            return part if self.settings.split else "."
        return f"{part}{self.entry.extension}"

    def _sink(self, part: str) -> Sink:
        entry, settings = self.entry, self.settings
        relative = self._relative(part)
        folder = (self.staging.path / relative).resolve() if entry.folder else None
        out = None if entry.folder else self.staging.file(relative)
        if self.training is not None:  # spaCy with splits: the DocBin plus the stance docs
            assert out is not None
            docbin = self.training.writer(part, out, self.schema, self.problems)
            self._writers[part] = docbin
            return WriterSink(docbin, out, folder)
        writer = entry.open_writer(
            WriterContext(
                schema=self.schema,
                part=part,
                problems=self.problems,
                out=out,
                folder=folder,
                scratch=self.staging.path / f".{entry.name}-{part}",
                scheme=settings.scheme,
                nested=settings.nested,
                layers=tuple(self._layers()),
                list_file=lambda key: self._list_file(key, part),
            )
        )
        self._writers[part] = writer
        return WriterSink(writer, out, folder)

    def _layers(self) -> list[str]:
        wanted = self.filter.labels
        names = [lab.name for lab in self.schema.labels if not wanted or lab.name in wanted]
        return names + [name for name in wanted if name not in names]

    # -- the run --

    def run(self, progress: Progress | None) -> tuple[PartResult, ...]:
        flt, item = self.filter, self.entry.item
        sinks = self._sinks = {part: self._sink(part) for part in self.part_names}
        counts = {
            part: PartCounts(self.schema, self._list_file("document_ids", part))
            for part in self.part_names
        }
        no_units = selected = 0
        spec = self.settings.split
        # Every document makes many small objects (spans, tokens, records) and no cycles: the
        # collector's walks over them were a tenth of a token format's time.
        with collector_paused(), snapshot(self.db) as conn:
            self.layers = selected_layers(conn, flt)
            assignment: dict[int, tuple[str, str]] | None = None
            main_progress = progress
            if spec is not None:
                first, main_progress = two_passes(progress)
                self.deal = plan(
                    conn,
                    self.schema,
                    flt,
                    spec,
                    drops_empty=item == "prepared",
                    redeal=self.settings.redeal,
                    progress=first,
                )
                assignment = self.deal.parts
            for raw in stream_raw(conn, flt, main_progress, with_archived=self.entry.archive):
                selected += 1
                if assignment is None:
                    part, stratum = WHOLE, ""
                elif raw.id in assignment:
                    part, stratum = assignment[raw.id]
                else:  # left out before dealing: nothing of it goes in the file
                    no_units += 1
                    continue
                c = counts[part]
                self.outside.check(conn, raw)
                if raw.archived:
                    self._count_archived(raw)
                if item == "raw":
                    c.records += sinks[part].add(raw)
                    c.add_raw(raw)
                    if self.meta is not None:
                        self.meta.add_json(raw.meta_json)
                elif item == "document":
                    doc = to_document(raw)
                    c.records += sinks[part].add(doc)
                    c.add_document(doc)
                else:
                    prepared = Prepared(to_document(raw), flt.statuses)
                    if not prepared.units:
                        no_units += 1
                        continue
                    c.records += sinks[part].add(prepared)
                    # counted from the rows, as native is: the same counts, no span by span
                    c.add_raw(raw, {u.annotator or "" for u in prepared.units})
                if stratum:
                    c.strata[stratum] += 1
            refused = self.outside.refusal()
            if refused is not None:
                raise refused
            if not self.entry.archive:
                self.archived = archived_counts(conn, set(self.layers))
        files = {part: {"path": self._relative(part), **sinks[part].close()} for part in sinks}
        for part, writer in self._writers.items():
            held = getattr(writer, "held", None)  # what a tag file holds, where it differs
            if held is not None:
                counts[part].held = held()
        self.close_lists()
        if not any(c.records for c in counts.values()):
            raise ExportError(why_nothing(self.filter, no_units, selected, self.entry.title))
        if spec is not None and self.deal is not None:
            record(self.db, spec, self.deal, self.export_id)
        if self.entry.files is not None:
            for name, text in self.entry.files(self.outside.widened()).items():
                (self.staging.path / name).write_text(text, encoding="utf-8", newline="\n")
        if self.training is not None:
            files.update(self.training.finish())
        self._write_manifest(files, counts, no_units)
        base = self.layout.target if self.layout.folder else self.layout.target.parent
        return tuple(
            PartResult(
                part,
                (base / files[part]["path"]) if self.layout.folder else self.layout.target,
                c.documents,
                c.records,
                c.spans,
                c.relations,
            )
            for part, c in counts.items()
        )

    def _count_archived(self, raw: Any) -> None:
        held = self.archived
        for name, rows in (
            ("spans", raw.archived.spans),
            ("relations", raw.archived.links),
            ("values", raw.archived.values),
        ):
            if rows:
                held[name] = held.get(name, 0) + len(rows)

    # -- the manifest --

    def _features(self) -> dict[str, Any]:
        """The Hugging Face ``datasets`` Features every split loads with, or why there are none."""
        if self.entry.archive and (self.archived or self.outside.counts):
            found, why = None, "records hold an archived section, whose values have no one type"
        elif self.outside.counts:
            found, why = None, "the export holds annotations outside the schema"
        else:
            found, why = features_for(self.entry.name, self.schema, self.meta)
        if found is None:
            return {"features": None, "features_not_given": why} if why else {}
        return {"features": found, "features_use": FEATURES_USE}

    def _write_manifest(
        self, files: dict[str, dict[str, Any]], counts: dict[str, PartCounts], no_units: int
    ) -> None:
        flt, spec, entry = self.filter, self.settings.split, self.entry
        extra: dict[str, Any] = {
            "export_id": self.export_id,
            "format_title": entry.title,
            "format_description": entry.description,
            "record": f"one per {entry.record}",
            # the language the tokenizer and spaCy's blank pipeline assume (the card's)
            "language": spacy_config.LANG,
        }
        if entry.tokens:
            extra["tokenizer"] = {"name": tokenize.NAME, "description": tokenize.DESCRIPTION}
        extra["layout"] = entry.layout(
            LayoutContext(self.schema, self.settings.nested, tuple(self._layers()))
        )
        if entry.record == "document and annotator":
            extra["documents_without_annotations_left_out"] = no_units
        if self.training is not None:
            extra["training"] = self.training.manifest_section()
        if self.settings.allow_outside_schema:
            extra["outside_schema"] = self.outside.manifest()
        if self.archived:
            extra["archived" if self.entry.archive else "archived_not_exported"] = {
                "counts": self.archived,
                "meaning": "annotations schema changes took out of use (annotator schema "
                "history); in each record's archived section, imported back as archived"
                if self.entry.archive
                else "annotations schema changes took out of use (annotator schema history); "
                "only the native export holds them",
            }
        extra.update(self._features())
        if self.layout.folder:  # filled in once the manifest's facts are there, below
            extra["card"] = extra["contents"] = None
        manifest = build_manifest(
            fmt=entry.name,
            schema=self.schema,
            database=self.db.display_name,
            filters={
                "annotators": list(flt.annotators) or "all",
                "statuses": list(flt.statuses) or "any",
                "labels": list(flt.labels) or "all",
            },
            layers=[{"name": name, "kind": kind} for name, kind in sorted(self.layers.values())],
            split=None
            if spec is None
            else {
                "parts": dict(spec.parts),
                "seed": spec.seed,
                "stratify": spec.stratify,
                "grouped_by": "document (no document in two splits)",
                "assignment": manifest_section(spec, self.deal) if self.deal else None,
            },
            options={
                option.name: getattr(self.settings, option.name)
                for option in entry.options
                if option not in format_options.SPLITS
            },
            files=files,
            parts=counts,
            problems=self.problems.summaries(),
            extra=extra,
        )
        if self.layout.folder:
            manifest["card"] = self._write_card(manifest)
            # what the folder holds, card included, so that a later export knows it
            manifest["contents"] = folder_contents(self.staging.path)
        out = self.staging.file(MANIFEST)
        write_manifest(out, manifest, self._lists)
        out.close()

    def _write_card(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """The dataset card, from the manifest's facts, staged with the data (so published
        with it, or not at all); its size and sha256 tell a later export it is its own."""
        out = self.staging.file(CARD)
        out.write(dataset_card(manifest).encode("utf-8"))
        digest = out.close()
        return {"path": CARD, "bytes": out.size, "sha256": digest}
