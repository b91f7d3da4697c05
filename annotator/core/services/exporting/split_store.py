"""Splits that never move a document between dataset versions.

A document's split, once dealt, is stored (table ``split_assignments``) under the split's part
names, and every later export with those names, in every format, puts it in the same part. Only
documents never dealt before are dealt, by the seed, to the parts furthest below their shares,
so the whole stays as close to the shares as it can without moving anything.

Changing the shares, seed or stratification of the same part names does not re-deal: the
documents already dealt keep their parts, new ones are dealt with the new shares, and the
manifest lists the earlier specs beside the current one. Other part names are another split,
stored on their own. ``redeal=True`` (``export --redeal``) forgets the stored parts for these
names and deals every exported document afresh; the manifest says so.

Recording is the one write an export makes, in its own short transaction after the files are
written. The read-only open path (``Workspace(create=False)``) does not forbid writes, so it
works there; when the database itself refuses (a read-only file or role) the export still goes
out, with its parts dealt as above, and the manifest says the deal was not recorded and why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select

from annotator.core.domain.errors import BusyError, ExportError, StorageError
from annotator.core.domain.progress import Progress
from annotator.core.domain.schema import Schema
from annotator.core.domain.wording import counted
from annotator.core.formats.writers.documents import RawDocument, parse_json_object
from annotator.core.services.exporting.source import ExportFilter, stream_raw
from annotator.core.services.exporting.splits import SplitSpec, Stratifier, assign, dominant
from annotator.core.storage.db import Database
from annotator.core.storage.models import SplitAssignment

_CHUNK = 500


def names_key(spec: SplitSpec) -> str:
    """The identity a stored split is kept under: its part names, in a fixed order."""
    return ",".join(sorted(spec.names))


def _shares_json(spec: SplitSpec) -> str:
    return json.dumps(dict(spec.parts), sort_keys=True)


@dataclass
class Deal:
    """Each exported document's part, and how it got it."""

    parts: dict[int, tuple[str, str]]  # document id -> (part, stratum)
    keys: dict[int, str]
    new: dict[int, str]  # dealt by this export: document id -> part
    kept: int
    redeal: bool
    earlier: list[dict[str, Any]] = field(default_factory=list)  # other specs of kept parts
    recorded: bool = False
    not_recorded: str | None = None

    def warnings(self) -> tuple[str, ...]:
        """What the user must hear: a deal that is not kept may change in the next version."""
        if self.recorded or not self.new:
            return ()
        return (
            f"the splits of {counted(len(self.new), 'newly dealt document')} were not recorded "
            f"({self.not_recorded}); a later export may deal them differently",
        )


def _has_units(raw: RawDocument, statuses: tuple[str, ...]) -> bool:
    """What ``units_of`` decides, from rows: a document with no unit is left out of the file."""
    if raw.spans:
        return True
    return any(s in statuses or (not statuses and s == "done") for s in raw.status.values())


def plan(
    conn: Connection,
    schema: Schema,
    flt: ExportFilter,
    spec: SplitSpec,
    *,
    drops_empty: bool,
    redeal: bool,
    progress: Progress | None,
) -> Deal:
    """Deal the documents this export writes, keeping every part dealt before.

    ``drops_empty``: the format leaves out documents without annotations, so they are left out
    before dealing (otherwise they would take places in dev and test and leave them empty).
    """
    stratifier = Stratifier.resolve(spec.stratify, schema) if spec.stratify else None
    items: list[tuple[int, str, str]] = []
    for raw in stream_raw(
        conn,
        flt,
        progress,
        with_text=False,
        with_spans=stratifier is not None or drops_empty,
        with_relations=False,
    ):
        if drops_empty and not _has_units(raw, flt.statuses):
            continue
        stratum = ""
        if stratifier is not None:
            values: Counter[str] = Counter()
            for r in raw.spans:
                attrs = parse_json_object(r[6]) if stratifier.attribute else {}
                values.update(stratifier.values(r[5], attrs))
            stratum = dominant(values)
        items.append((raw.id, raw.key, stratum))
    stored: dict[int, tuple[str, str, int, str | None]] = {}
    if not redeal:
        rows = conn.execute(
            select(
                SplitAssignment.document_id,
                SplitAssignment.part,
                SplitAssignment.shares,
                SplitAssignment.seed,
                SplitAssignment.stratify,
            ).where(SplitAssignment.names == names_key(spec))
        )
        stored = {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}
    strata = {doc_id: stratum for doc_id, _, stratum in items}
    kept = {doc_id: stored[doc_id][0] for doc_id, _, _ in items if doc_id in stored}
    fresh = [item for item in items if item[0] not in kept]
    new = assign(fresh, spec, Counter(kept.values()))
    here = (_shares_json(spec), spec.seed, spec.stratify)
    earlier = sorted(
        {stored[d][1:] for d in kept if stored[d][1:] != here},
        key=lambda s: (s[0], s[1], s[2] or ""),
    )
    return Deal(
        parts={d: (part, strata[d]) for d, part in (kept | new).items()},
        keys={doc_id: key for doc_id, key, _ in items},
        new=new,
        kept=len(kept),
        redeal=redeal,
        earlier=[
            {"parts": json.loads(s), "seed": seed, "stratify": strat} for s, seed, strat in earlier
        ],
    )


def record(db: Database, spec: SplitSpec, deal: Deal, export_id: str) -> None:
    """Store the parts this export dealt; a refusal by the database is noted, not raised.

    Another export may have dealt some of the same documents meanwhile: if it chose other
    parts, this export's files would disagree with the store, so it is refused.
    """
    if not deal.new and not deal.redeal:  # every part was stored already: nothing to write
        deal.recorded = True
        return
    key = names_key(spec)
    rows = [
        {
            "names": key,
            "document_id": doc_id,
            "part": part,
            "shares": _shares_json(spec),
            "seed": spec.seed,
            "stratify": spec.stratify,
            "export_id": export_id,
        }
        for doc_id, part in sorted(deal.new.items())
    ]
    # ON CONFLICT DO NOTHING, then a look at what is stored: another export dealing the same
    # documents at the same moment (PostgreSQL lets both check before either inserts) is
    # either in agreement with this one or makes it refuse, never a UniqueViolation.
    # Imported here: the PostgreSQL dialect alone adds 15 ms to every export's start.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert = sqlite.insert if db.is_sqlite else postgresql.insert
    try:
        with db.write() as session:
            if deal.redeal:
                session.execute(delete(SplitAssignment).where(SplitAssignment.names == key))
            for i in range(0, len(rows), _CHUNK):
                chunk = rows[i : i + _CHUNK]
                session.execute(
                    dialect_insert(SplitAssignment).on_conflict_do_nothing(
                        index_elements=["names", "document_id"]
                    ),
                    chunk,
                )
                found = session.execute(
                    select(SplitAssignment.document_id, SplitAssignment.part).where(
                        SplitAssignment.names == key,
                        SplitAssignment.document_id.in_([r["document_id"] for r in chunk]),
                    )
                ).all()
                moved = [d for d, part in found if part != deal.new[d]]
                if moved:
                    raise ExportError(
                        f"another export dealt {len(moved)} of these documents to other splits "
                        "meanwhile; export again to use its splits"
                    )
    except (StorageError, BusyError) as exc:
        deal.recorded, deal.not_recorded = False, str(exc)
        return
    deal.recorded = True


def manifest_section(spec: SplitSpec, deal: Deal) -> dict[str, Any]:
    """What the manifest says about how each document got its part."""
    newly: dict[str, list[str]] = {name: [] for name in spec.names}
    for doc_id, part in deal.new.items():
        newly[part].append(deal.keys[doc_id])
    for keys in newly.values():
        keys.sort()
    if deal.redeal:
        how = "re-dealt (--redeal): every document was dealt afresh; stored splits were replaced"
    elif deal.kept:
        how = "documents dealt by an earlier export kept their split; new ones were dealt"
    else:
        how = "first deal of these split names: every document was dealt"
    section: dict[str, Any] = {
        "stored_as": names_key(spec),
        "how": how,
        "redeal": deal.redeal,
        "kept": deal.kept,
        "newly_dealt_count": len(deal.new),
        "newly_dealt": newly,
        "recorded": deal.recorded,
        "empty_documents": "left out before dealing",
    }
    if deal.earlier:
        section["earlier_specs"] = deal.earlier
        section["spec_changed"] = (
            "documents dealt under the earlier specs kept their parts; only new documents "
            "were dealt with this spec's shares (use --redeal to deal all afresh)"
        )
    if not deal.recorded:
        section["not_recorded"] = deal.not_recorded or "the database refused the write"
    return section


def two_passes(progress: Progress | None) -> tuple[Progress | None, Progress | None]:
    """Progress over a first pass (choosing splits) and the export, as one bar."""
    if progress is None:
        return None, None
    report = progress

    def first(done: int, total: int) -> bool | None:
        return report(done, 2 * total)

    def second(done: int, total: int) -> bool | None:
        return report(total + done, 2 * total)

    return first, second
