"""Assemble the large BBC question set and split it by article into train / dev / test (about 60/20/20).

Usage: python benchmarks/questions/split_questions.py   (writes benchmarks/questions/bbc_large.jsonl)

Questions that share any source file are one group (near-duplicate articles included), and a group goes whole
to one split, so no test article has a question in train. The split of a group is a hash of its smallest file
name: deterministic, and independent of how the questions are worded. Unanswerable questions are split by a
hash of their id. Articles of the older held-out set (`bbc.jsonl`) are never put in train.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
OUT = HERE / "bbc_large.jsonl"


def bucket(key: str) -> str:
    """train (60%), dev (20%) or test (20%) from a stable hash of ``key``."""
    value = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100
    return "train" if value < 60 else "dev" if value < 80 else "test"


def groups(rows: list[dict]) -> dict[str, str]:
    """Each source file mapped to its group's representative (union-find over questions' sources)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        sources = row["sources"]
        for other in sources[1:]:
            a, b = find(sources[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        for source in sources:
            find(source)
    return {source: find(source) for source in parent}


def main() -> int:
    rows = []
    for category in CATEGORIES:
        path = HERE / "large" / f"{category}.jsonl"
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    held_out = {s for line in (HERE / "bbc.jsonl").read_text().splitlines() if line.strip()
                for s in json.loads(line)["sources"]}
    group_of = groups(rows)
    for row in rows:
        if row["sources"]:
            root = group_of[row["sources"][0]]
            split = bucket(root)
            if split == "train" and any(group_of.get(s) == root for s in held_out if s in group_of):
                split = "dev" if bucket(root + "#") != "test" else "test"
            row["split"] = split
        else:
            row["split"] = bucket(row["id"])
    with open(OUT, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    # the guarantee the split exists for: no source file in two splits
    split_of: dict[str, set[str]] = {}
    for row in rows:
        for source in row["sources"]:
            split_of.setdefault(source, set()).add(row["split"])
    leaks = [s for s, splits in split_of.items() if len(splits) > 1]
    counts = Counter((row["split"], "answerable" if row["answers"] else "unanswerable") for row in rows)
    articles = Counter(row["split"] for row in rows for _ in [0] if row["sources"])
    print(f"{len(rows)} questions written to {OUT.name}")
    for (split, kind), n in sorted(counts.items()):
        print(f"  {split:<5} {kind:<13} {n}")
    for split in ("train", "dev", "test"):
        files = {s for row in rows if row["split"] == split for s in row["sources"]}
        print(f"  {split:<5} {len(files)} source files, {articles[split]} answerable questions")
    if leaks:
        print(f"problem: {len(leaks)} files in two splits: {leaks[:5]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
