"""Summarise one ``mutmut results --all true`` listing: killed, survived, the score.

    python tests/mutation/summarise.py NAME RESULTS_TXT SCRATCH_DIR SECONDS [NOTE]

Used by ``.ci/mutation``; prints one line of figures and the surviving mutants with their diffs
(``mutmut show``, run in the scratch copy).
"""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path


def main(name: str, results: Path, scratch: Path, seconds: str, note: str = "") -> None:
    status: dict[str, str] = {}
    for line in results.read_text().splitlines():
        key, sep, value = line.strip().rpartition(": ")
        if sep and "__mutmut_" in key:
            status[key] = value.strip()
    counts = collections.Counter(status.values())
    killed = counts["killed"] + counts["timeout"] + counts["segfault"]
    # a mutant no selected test runs ("no tests") is not killed: it counts against the score
    judged = killed + counts["survived"] + counts["no tests"]
    score = 100 * killed / judged if judged else 0.0
    other = {k: v for k, v in counts.items() if k not in {"killed", "survived", "no tests"}}
    print(
        f"{name}: {len(status)} mutants, {killed} killed, {counts['survived']} survived, "
        f"{counts['no tests']} run by no test, score {score:.1f} % ({seconds} s; "
        f"other outcomes {dict(other)})"
    )
    if note:
        print(note)
    for key, value in sorted(status.items()):
        if value in ("survived", "no tests"):
            shown = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", key],
                cwd=scratch,
                capture_output=True,
                text=True,
            ).stdout
            print(f"--- {value}: {key}\n{shown.rstrip()}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], *sys.argv[5:6])
