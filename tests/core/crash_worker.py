"""Edits through the service API, each announced before and acknowledged after, until killed.

    python -m tests.core.crash_worker URL SEED

Prints ``? <op> <args>`` before each edit and ``! <op> <args>`` once the service has returned
(flushed both times), so a parent that kills this process knows which edits were acknowledged
and which one at most was in flight. Ops: ``create <span id>``, ``attr <span id> <stance>``,
``delete <span id>``.
"""

from __future__ import annotations

import random
import sys

from annotator.core.services.workspace import Workspace

STANCES = ["supports", "opposes", "threatens", "denies", "neutral"]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(url: str, seed: int) -> None:
    rng = random.Random(seed)
    with Workspace(url) as ws:
        ann = ws.annotations("crasher")
        docs = ws.documents.ids(ann.annotator.id)
        texts = {d: ws.documents.text(d) for d in docs}
        alive: list[int] = []
        # The same span twice would be refused; earlier sessions left theirs.
        used = {(d, sp.start) for d in docs for sp in ann.spans(d)}
        say("ready")
        while True:
            op = rng.choices(["create", "attr", "delete"], weights=[6, 3, 1])[0]
            if op != "create" and not alive:
                op = "create"
            if op == "create":
                doc = rng.choice(docs)
                start = rng.randrange(len(texts[doc]) - 20)
                if (doc, start) in used:
                    continue
                used.add((doc, start))
                say(f"? create {doc} {start}")
                span = ann.create_span(doc, start, start + 10, "STATEMENT", {"stance": "neutral"})
                alive.append(span.id)
                say(f"! create {span.id}")
            elif op == "attr":
                span_id, stance = rng.choice(alive), rng.choice(STANCES)
                say(f"? attr {span_id} {stance}")
                ann.set_attribute(span_id, "stance", stance)
                say(f"! attr {span_id} {stance}")
            else:
                span_id = alive.pop(rng.randrange(len(alive)))
                say(f"? delete {span_id}")
                ann.delete_span(span_id)
                say(f"! delete {span_id}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
