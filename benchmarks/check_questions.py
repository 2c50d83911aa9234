"""Check a newsbot question set against its corpus: every answer string must occur in one of its sources.

Usage: python benchmarks/check_questions.py [--corpus ../shared/corpora/bbc] [FILE]
Prints counts per category, split and answerability, and every problem; exits 1 when there are problems.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def check(rows: list[dict], corpus: Path) -> list[str]:
    """Problems found in ``rows`` (an empty list when the set is sound)."""
    problems = []
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        where = f"row {number} ({row.get('id', '?')})"
        for key in ("id", "question", "answers", "sources"):
            if key not in row:
                problems.append(f"{where}: missing {key!r}")
        if row.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(row.get("id"))
        answers, sources = row.get("answers", []), row.get("sources", [])
        if not answers and sources:
            problems.append(f"{where}: unanswerable but lists sources")
        if answers and not sources:
            problems.append(f"{where}: answerable but lists no source")
        texts = []
        for source in sources:
            path = corpus / source
            if not path.is_file():
                problems.append(f"{where}: source {source} does not exist")
            else:
                texts.append(_norm(path.read_text(encoding="utf-8", errors="replace")))
        for answer in answers:
            if texts and not any(_norm(answer) in text for text in texts):
                problems.append(f"{where}: answer {answer!r} is in none of its sources")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "benchmarks" / "questions" / "bbc.jsonl")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    args = parser.parse_args(argv)
    try:
        rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    problems = check(rows, args.corpus)
    kinds = Counter((r.get("category", "-"), r.get("split", "-"), "answerable" if r.get("answers") else
                     "unanswerable") for r in rows)
    print(f"{len(rows)} questions")
    for (category, split, kind), count in sorted(kinds.items()):
        print(f"  {category:<14} {split:<5} {kind:<13} {count}")
    for problem in problems:
        print(f"problem: {problem}")
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
