"""Time words over the BBC question sets: how many questions get a filter, which ones, and how fast it is.

    PYTHONPATH=. python benchmarks/timewords.py [--reference 2005-12-31] [--show 40]

Prints the cost of ``import dateparser`` (``-X importtime``, in a fresh process), the time per question
(first call, which imports dateparser when a day-and-month is present, and warm), and every question that got a
date filter, so a reader can judge the false positives by eye. The BBC corpus dates from 2004-2005.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def import_cost_ms(module: str) -> float:
    """Cumulative import time of ``module`` in a fresh interpreter, in milliseconds."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True).stderr
    line = next(line for line in reversed(err.splitlines()) if re.search(rf"\|\s+{re.escape(module)}$", line))
    return int(line.split("|")[1]) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default="2005-12-31", help="the date questions are asked (ISO)")
    parser.add_argument("--show", type=int, default=40, help="how many filtered questions to print")
    args = parser.parse_args()
    reference = date.fromisoformat(args.reference)

    costs = [import_cost_ms("dateparser") for _ in range(3)]
    print(f"import dateparser: {statistics.median(costs):.0f} ms (median of 3 fresh processes)")
    print(f"import retrieval.asking.timewords: {statistics.median(import_cost_ms('retrieval.asking.timewords') for _ in range(3)):.0f}"
          " ms")

    from retrieval.asking.timewords import understand_time

    start = time.perf_counter()
    understand_time("What was said on 14 March 2005?", reference)
    print(f"first question with a day (imports dateparser): {(time.perf_counter() - start) * 1000:.0f} ms")

    paths = sorted((ROOT / "benchmarks" / "questions").rglob("*.jsonl"))
    questions = sorted({json.loads(line)["question"] for path in paths for line in path.open() if line.strip()})
    start = time.perf_counter()
    scopes = [understand_time(q, reference) for q in questions]
    elapsed = time.perf_counter() - start
    filtered = [(q, s) for q, s in zip(questions, scopes, strict=True) if s.since or s.until]
    recent = sum(s.recency for s in scopes)
    print(f"{len(questions)} distinct questions: {elapsed / len(questions) * 1e6:.0f} µs each (warm); "
          f"{len(filtered)} with a date filter, {recent} with recency")
    big = "What happened yesterday? " + "x" * 100_000
    start = time.perf_counter()
    understand_time(big, reference)
    print(f"a 100 KB message: {(time.perf_counter() - start) * 1000:.1f} ms")
    for question, scope in filtered[: args.show]:
        print(f"  {scope.describe():28} {scope.expressions}  {question}")


if __name__ == "__main__":
    main()
