"""One annotator's desktop, as a process: random edits through the service API, all recorded.

    python -m tests.core.concurrency_worker URL INDEX WORKERS EDITS SEED SYNC_DIR OUT_JSON

Adds its own documents, waits until every worker has, then makes EDITS edits (create spans, set
attributes, link, unlink, set status, delete) on all documents as annotator ``worker<INDEX>``.
Only edits the service acknowledged (returned from) go into its model of what the database must
hold. After the edits it waits for the others again, reads every document's statuses, and writes
its model, what it saw and any error to OUT_JSON for the test to compare with the database.
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from annotator.core.services.annotations import AnnotationService
from annotator.core.services.workspace import Workspace

OWN_DOCUMENTS = 2
WORDS = [
    *("the", "minister", "said", "that", "the", "new", "missile", "would", "be", "ready"),
    *("before", "the", "end", "of", "the", "year"),
]
STANCES = ["supports", "opposes", "threatens", "denies", "neutral"]
FORMS = ["direct", "indirect", "partial"]


def article(worker: int, n: int) -> str:
    rng = random.Random(worker * 1000 + n)
    body = " ".join(rng.choice(WORDS) for _ in range(300))
    return f"Article {n} of worker {worker}\n{body}."


def wait_for(folder: Path, stage: str, workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while len(list(folder.glob(f"{stage}-*"))) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not every worker reached {stage!r}")
        time.sleep(0.01)


def word_bounds(text: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    for word in text.split(" "):
        if word.strip():
            bounds.append((pos, pos + len(word)))
        pos += len(word) + 1
    return bounds


class Desk:
    """The edits, and the model of what the database must hold after each acknowledged one."""

    def __init__(self, ws: Workspace, ann: AnnotationService, docs: list[int], seed: int) -> None:
        self.ws, self.ann, self.docs = ws, ann, docs
        self.rng = random.Random(seed)
        self.words = {d: word_bounds(ws.documents.text(d)) for d in docs}
        self.spans: dict[int, dict[str, Any]] = {}
        self.relations: dict[int, dict[str, Any]] = {}
        self.statuses: dict[int, str] = {}
        self.counts: dict[str, int] = {}

    def edit(self) -> None:
        """One acknowledged edit; an op that has nothing to act on yet falls back to a create."""
        op = self.rng.choices(
            ["create", "attribute", "link", "unlink", "status", "delete"],
            weights=[35, 20, 15, 5, 15, 10],
        )[0]
        done = getattr(self, op)()
        if not done:
            op = "create"
            self.create()
        self.counts[op] = self.counts.get(op, 0) + 1

    def create(self) -> bool:
        doc = self.rng.choice(self.docs)
        label = self.rng.choice(["STATEMENT", "TARGET"])
        words = self.words[doc]
        taken = [
            (s["start"], s["end"])
            for s in self.spans.values()
            if s["document_id"] == doc and s["label"] == label
        ]
        for _ in range(50):
            i = self.rng.randrange(len(words))
            j = min(len(words) - 1, i + self.rng.randrange(4 if label == "STATEMENT" else 1))
            start, end = words[i][0], words[j][1]
            # TARGETs may not overlap; STATEMENTs may, but never twice on the same words.
            if label == "TARGET" and any(a < end and b > start for a, b in taken):
                continue
            if (start, end) in taken:
                continue
            attrs = {"stance": self.rng.choice(STANCES)} if label == "STATEMENT" else {}
            span = self.ann.create_span(doc, start, end, label, attrs)
            self.spans[span.id] = {
                "document_id": doc,
                "start": start,
                "end": end,
                "label": label,
                "attributes": span.attributes,
            }
            self.statuses.setdefault(doc, "in_progress")
            return True
        raise RuntimeError(f"no free words left in document {doc}")

    def _own(self, label: str) -> list[int]:
        return sorted(i for i, s in self.spans.items() if s["label"] == label)

    def attribute(self) -> bool:
        statements = self._own("STATEMENT")
        if not statements:
            return False
        span_id = self.rng.choice(statements)
        name, value = self.rng.choice(
            [("stance", self.rng.choice(STANCES)), ("form", self.rng.choice(FORMS))]
        )
        record = self.ann.set_attribute(span_id, name, value)
        self.spans[span_id]["attributes"] = record.attributes
        return True

    def link(self) -> bool:
        linked = {(r["source_id"], r["target_id"]) for r in self.relations.values()}
        pairs = [
            (s, t)
            for s in self._own("STATEMENT")
            for t in self._own("TARGET")
            if self.spans[s]["document_id"] == self.spans[t]["document_id"] and (s, t) not in linked
        ]
        if not pairs:
            return False
        source, target = self.rng.choice(pairs)
        rel = self.ann.link(source, target, "aimed_at")
        self.relations[rel.id] = {"source_id": source, "target_id": target, "label": "aimed_at"}
        return True

    def unlink(self) -> bool:
        if not self.relations:
            return False
        rel_id = self.rng.choice(sorted(self.relations))
        self.ann.unlink(rel_id)
        del self.relations[rel_id]
        return True

    def status(self) -> bool:
        doc = self.rng.choice(self.docs)
        status = self.rng.choice(["in_progress", "done", "skipped"])
        self.ann.set_status(doc, status, force=True)  # completeness is not what this tests
        self.statuses[doc] = status
        return True

    def delete(self) -> bool:
        if not self.spans:
            return False
        span_id = self.rng.choice(sorted(self.spans))
        deleted = self.ann.delete_span(span_id)
        del self.spans[span_id]
        gone = {r.id for r in deleted.relations}
        assert gone == {
            i for i, r in self.relations.items() if span_id in (r["source_id"], r["target_id"])
        }
        for rel_id in gone:
            del self.relations[rel_id]
        return True


def main(url: str, index: int, workers: int, edits: int, seed: int, sync: Path, out: Path) -> None:
    name = f"worker{index}"
    result: dict[str, Any] = {"name": name, "errors": [], "acknowledged": 0}
    try:
        # Start together: on a new database every worker races to create the tables, then to
        # choose the schema, then to add documents.
        (sync / f"start-{index}").touch()
        wait_for(sync, "start", workers)
        with Workspace(url) as ws:
            (sync / f"opened-{index}").touch()
            wait_for(sync, "opened", workers)
            ann = ws.annotations(name)
            for n in range(OWN_DOCUMENTS):
                ws.documents.add(article(index, n), key=f"w{index}-{n}", title=f"{name} {n}")
            (sync / f"ready-{index}").touch()
            wait_for(sync, "ready", workers)
            docs = ws.documents.ids(ann.annotator.id)
            desk = Desk(ws, ann, docs, seed * 100 + index)
            started = time.perf_counter()
            for _ in range(edits):
                try:
                    desk.edit()
                    result["acknowledged"] += 1
                except Exception:
                    result["errors"].append(traceback.format_exc())
                    if len(result["errors"]) > 20:
                        break
            result["seconds"] = time.perf_counter() - started
            result["counts"] = desk.counts
            result["spans"] = {str(k): v for k, v in desk.spans.items()}
            result["relations"] = {str(k): v for k, v in desk.relations.items()}
            result["statuses"] = {str(k): v for k, v in desk.statuses.items()}
            (sync / f"edited-{index}").touch()
            wait_for(sync, "edited", workers)
            result["seen"] = {str(d): ws.documents.statuses(d) for d in docs}
    except Exception:
        result["errors"].append(traceback.format_exc())
        for stage in ("start", "opened", "ready", "edited"):  # never leave the others waiting
            (sync / f"{stage}-{index}").touch()
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    url_arg, index_arg, workers_arg, edits_arg, seed_arg, sync_arg, out_arg = sys.argv[1:8]
    main(
        url_arg,
        int(index_arg),
        int(workers_arg),
        int(edits_arg),
        int(seed_arg),
        Path(sync_arg),
        Path(out_arg),
    )
