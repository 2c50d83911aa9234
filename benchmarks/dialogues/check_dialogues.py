"""Check a newsbot dialogue set against its corpus: every answer string must occur in one of its turn's sources.

Usage: python3 benchmarks/dialogues/check_dialogues.py [--corpus ../shared/corpora/bbc] [--assign-splits] [FILE]
Prints counts per category, split and turn kind, and every problem; exits 1 when there are problems.

Each dialogue has a ``split`` ("dev" or "test"), decided by its article: the SHA-256 of the first turn's first
source, even for dev, odd for test (`split_of`). ``--assign-splits`` writes that field into the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("first", "pronoun", "definite", "ellipsis", "role", "switch")
TURN_KEYS = ("question", "answers", "sources", "kind")
SPLITS = ("dev", "test")


def split_of(row: dict) -> str:
    """The dialogue's split, by article: the SHA-256 of its first turn's first source, even for dev."""
    source = row["turns"][0]["sources"][0]
    return SPLITS[int(hashlib.sha256(source.encode("utf-8")).hexdigest(), 16) % 2]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def check(rows: list[dict], corpus: Path) -> list[str]:
    """Problems found in ``rows`` (an empty list when the set is sound)."""
    problems = []
    seen: set[str] = set()
    cache: dict[str, str | None] = {}

    def text_of(source: str) -> str | None:
        if source not in cache:
            path = corpus / source
            cache[source] = _norm(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None
        return cache[source]

    for number, row in enumerate(rows, 1):
        where = f"row {number} ({row.get('id', '?')})"
        for key in ("id", "category", "turns"):
            if key not in row:
                problems.append(f"{where}: missing {key!r}")
        if row.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(row.get("id"))
        turns = row.get("turns") or []
        if not isinstance(turns, list) or not turns:
            problems.append(f"{where}: no turns")
            continue
        if row.get("split") not in SPLITS:
            problems.append(f"{where}: split is {row.get('split')!r}, not one of {', '.join(SPLITS)}")
        elif isinstance(turns[0], dict) and turns[0].get("sources") and row["split"] != split_of(row):
            problems.append(f"{where}: split {row['split']!r}, but its first source gives {split_of(row)!r}")
        for index, turn in enumerate(turns, 1):
            at = f"{where} turn {index}"
            if not isinstance(turn, dict):
                problems.append(f"{at}: not an object")
                continue
            for key in TURN_KEYS:
                if key not in turn:
                    problems.append(f"{at}: missing {key!r}")
            kind = turn.get("kind")
            if kind is not None and kind not in KINDS:
                problems.append(f"{at}: unknown kind {kind!r}")
            if index == 1 and kind not in (None, "first"):
                problems.append(f"{at}: the opening turn is {kind!r}, not 'first'")
            if index > 1 and kind == "first":
                problems.append(f"{at}: 'first' after the opening turn")
            if not str(turn.get("question", "")).strip():
                problems.append(f"{at}: empty question")
            answers, sources = turn.get("answers") or [], turn.get("sources") or []
            if not answers:
                problems.append(f"{at}: no answers")
            if not sources:
                problems.append(f"{at}: no sources")
            texts = []
            for source in sources:
                text = text_of(source)
                if text is None:
                    problems.append(f"{at}: source {source} does not exist")
                else:
                    texts.append(text)
            for answer in answers:
                if not _norm(answer):
                    problems.append(f"{at}: empty answer")
                elif texts and not any(_norm(answer) in text for text in texts):
                    problems.append(f"{at}: answer {answer!r} is in none of its sources")
    return problems


def _with_split(row: dict) -> dict:
    """``row`` with its split placed after its category (other keys keep their order)."""
    out = {key: value for key, value in row.items() if key != "split"}
    items = list(out.items())
    at = next((i + 1 for i, (key, _) in enumerate(items) if key == "category"), len(items))
    return dict([*items[:at], ("split", split_of(row)), *items[at:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path,
                        default=ROOT / "benchmarks" / "dialogues" / "bbc_dialogues.jsonl")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--assign-splits", action="store_true", help="write each dialogue's split into FILE")
    args = parser.parse_args(argv)
    try:
        rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    if args.assign_splits:
        rows = [_with_split(row) for row in rows]
        args.file.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    problems = check(rows, args.corpus)
    turns = [turn for row in rows for turn in (row.get("turns") or []) if isinstance(turn, dict)]
    articles = {source for turn in turns for source in (turn.get("sources") or [])}
    print(f"{len(rows)} dialogues, {len(turns)} turns, {len(articles)} distinct articles")
    print("by category:")
    for category, count in sorted(Counter(r.get("category", "-") for r in rows).items()):
        print(f"  {category:<14} {count}")
    print("by split (dialogues / follow-up turns):")
    for split in SPLITS:
        chosen = [r for r in rows if r.get("split") == split]
        print(f"  {split:<14} {len(chosen)} / {sum(max(0, len(r.get('turns') or []) - 1) for r in chosen)}")
    print("by turn kind:")
    kinds = Counter(turn.get("kind", "-") for turn in turns)
    for kind in (*KINDS, *sorted(set(kinds) - set(KINDS))):
        if kind in kinds:
            print(f"  {kind:<14} {kinds[kind]}")
    for problem in problems:
        print(f"problem: {problem}")
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
