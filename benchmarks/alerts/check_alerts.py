"""Check newsbot's labelled topic-alert set (benchmarks/alerts/topics.jsonl) against its corpus.

Usage: python benchmarks/alerts/check_alerts.py [--corpus PATH] [FILE]
Checks that ids are unique, every listed file exists, no file is in two of relevant / not_relevant /
mention_only for one topic, and no file has the same text as a file under a different label (the BBC
corpus holds some exact duplicates). Prints counts by category and split; exits 1 when there are problems.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
DEFAULT_FILE = HERE.parent / "topics.jsonl"
DEFAULT_CORPUS = HERE.parents[2].parent / "shared" / "corpora" / "bbc"
CATEGORIES = {"business", "entertainment", "politics", "sport", "tech"}
LABELS = ("relevant", "not_relevant", "mention_only")


def check(rows: list[dict], corpus: Path) -> list[str]:
    """Problems found in ``rows`` (an empty list when the set is sound)."""
    problems = []
    seen_ids: set[str] = set()
    seen_topics: set[str] = set()
    digests: dict[str, str] = {}

    def digest(name: str) -> str | None:
        if name not in digests:
            path = corpus / name
            if not path.is_file():
                return None
            text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
            digests[name] = hashlib.sha1(text.encode()).hexdigest()
        return digests[name]

    for number, row in enumerate(rows, 1):
        where = f"row {number} ({row.get('id', '?')})"
        for key in ("id", "topic", "category", "relevant", "not_relevant", "split"):
            if key not in row:
                problems.append(f"{where}: missing {key!r}")
        if row.get("id") in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(row.get("id"))
        topic = str(row.get("topic", "")).strip().lower()
        if topic in seen_topics:
            problems.append(f"{where}: duplicate topic {row.get('topic')!r}")
        seen_topics.add(topic)
        if not 1 <= len(topic.split()) <= 5:
            problems.append(f"{where}: topic should be 1-5 words")
        if row.get("category") not in CATEGORIES:
            problems.append(f"{where}: unknown category {row.get('category')!r}")
        if row.get("split") not in ("dev", "test"):
            problems.append(f"{where}: split must be dev or test")
        if not row.get("relevant"):
            problems.append(f"{where}: no relevant article")
        if not row.get("not_relevant"):
            problems.append(f"{where}: no hard negative")
        owner: dict[str, str] = {}
        by_digest: dict[str, tuple[str, str]] = {}
        for label in LABELS:
            names = row.get(label, [])
            if not isinstance(names, list):
                problems.append(f"{where}: {label} must be a list")
                continue
            if len(names) != len(set(names)):
                problems.append(f"{where}: {label} lists a file twice")
            for name in names:
                if name in owner and owner[name] != label:
                    problems.append(f"{where}: {name} is both {owner[name]} and {label}")
                owner.setdefault(name, label)
                d = digest(name)
                if d is None:
                    problems.append(f"{where}: {name} does not exist under {corpus}")
                    continue
                if d in by_digest and by_digest[d][1] != label and by_digest[d][0] != name:
                    other, other_label = by_digest[d]
                    problems.append(f"{where}: {name} ({label}) has the same text as {other} ({other_label})")
                by_digest.setdefault(d, (name, label))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    try:
        rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    if not args.corpus.is_dir():
        print(f"error: corpus {args.corpus} is not a directory", file=sys.stderr)
        return 1
    problems = check(rows, args.corpus)

    print(f"{len(rows)} topics in {args.file}")
    by_cat = Counter(row.get("category") for row in rows)
    by_split = Counter(row.get("split") for row in rows)
    by_both = Counter((row.get("category"), row.get("split")) for row in rows)
    for cat in sorted(by_cat, key=str):
        print(f"  {cat}: {by_cat[cat]} (dev {by_both[(cat, 'dev')]}, test {by_both[(cat, 'test')]})")
    print("  splits: " + ", ".join(f"{s} {n}" for s, n in sorted(by_split.items(), key=str)))
    if rows:
        for label in LABELS:
            total = sum(len(row.get(label, [])) for row in rows)
            print(f"  {label}: {total} labels, {total / len(rows):.1f} per topic")
        sizes = [len(row.get("relevant", [])) for row in rows]
        narrow = sum(1 for n in sizes if n <= 3)
        print(f"  narrow topics (1-3 relevant): {narrow}, broad (10+): {sum(1 for n in sizes if n >= 10)}")
    for problem in problems:
        print(f"problem: {problem}")
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
