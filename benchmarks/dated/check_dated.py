"""Check the dated news corpus and its question set.

Usage: python3 benchmarks/dated/check_dated.py [--articles DIR] [--questions FILE]

Parses every article's header lines (Title, Date, Source, URL), checks that every question's answers occur
in one of its source articles (lower-cased, whitespace-collapsed), that sources exist, that expected date
ranges are valid ISO dates, and a few consistency rules per question type. Prints counts by type and split,
every problem, and exits 1 when there are problems. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = ("time", "latest", "conflict", "control")
SPLITS = ("dev", "test")
HEADERS = ("Title", "Date", "Source", "URL")
DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+)-([a-z0-9-]+)\.txt$")
UNDATED_NAME = re.compile(r"^undated-([a-z0-9]+)-([a-z0-9-]+)\.txt$")
MIN_WORDS, MAX_WORDS = 150, 600


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def iso(value) -> dt.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_article(path: Path) -> tuple[dict, list[str]]:
    """Headers and body of one article, with the problems found in it."""
    problems = []
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    if not sep:
        return {}, [f"{path.name}: no blank line between headers and body"]
    headers = {}
    for line in head.splitlines():
        key, colon, value = line.partition(": ")
        if not colon or key not in HEADERS:
            problems.append(f"{path.name}: bad header line {line!r}")
            continue
        if key in headers:
            problems.append(f"{path.name}: header {key} given twice")
        headers[key] = value.strip()
    for key in ("Title", "Source", "URL"):
        if not headers.get(key):
            problems.append(f"{path.name}: missing header {key}")
    if headers.get("URL") and not re.match(r"^https?://[^/]+\.example(/|$)", headers["URL"]):
        problems.append(f"{path.name}: URL is not on an .example domain")
    dated = DATED_NAME.match(path.name)
    undated = UNDATED_NAME.match(path.name)
    if dated:
        if "Date" not in headers:
            problems.append(f"{path.name}: dated file name but no Date header")
        elif headers["Date"] != dated.group(1):
            problems.append(f"{path.name}: Date {headers['Date']} differs from the file name")
        if iso(headers.get("Date")) is None:
            problems.append(f"{path.name}: Date {headers.get('Date')!r} is not a valid ISO date")
    elif undated:
        if "Date" in headers:
            problems.append(f"{path.name}: undated file name but a Date header")
    else:
        problems.append(f"{path.name}: file name matches neither <date>-<outlet>-<slug>.txt nor undated-...")
    words = len(body.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{path.name}: body has {words} words (want {MIN_WORDS}-{MAX_WORDS})")
    if "\n\n" not in body.strip():
        problems.append(f"{path.name}: body has a single paragraph")
    article = dict(headers, name=path.name, body=body, words=words, date=iso(headers.get("Date")))
    article["text"] = norm(headers.get("Title", "") + "\n" + body)
    return article, problems


def check_question(row: dict, where: str, articles: dict) -> list[str]:
    problems = []
    for key in ("id", "question", "asked_on", "type", "answers", "sources", "expected_range", "conflict",
                "conflict_values", "split", "story"):
        if key not in row:
            problems.append(f"{where}: missing {key!r}")
    kind = row.get("type")
    if kind not in TYPES:
        problems.append(f"{where}: type {kind!r} is not one of {TYPES}")
    if row.get("split") not in SPLITS:
        problems.append(f"{where}: split {row.get('split')!r} is not dev or test")
    asked = iso(row.get("asked_on"))
    if asked is None:
        problems.append(f"{where}: asked_on {row.get('asked_on')!r} is not a valid ISO date")
    answers, sources = row.get("answers") or [], row.get("sources") or []
    if not 1 <= len(answers) <= 3 and kind != "conflict":
        problems.append(f"{where}: {len(answers)} answers (want 1-3)")
    if not answers:
        problems.append(f"{where}: no answers")
    if not sources:
        problems.append(f"{where}: no sources")
    texts = []
    for source in sources:
        article = articles.get(source)
        if article is None:
            problems.append(f"{where}: source {source} does not exist")
            continue
        texts.append(article["text"])
        if asked and article["date"] and article["date"] > asked:
            problems.append(f"{where}: source {source} is dated after asked_on {asked}")
    for answer in answers:
        if texts and not any(norm(answer) in text for text in texts):
            problems.append(f"{where}: answer {answer!r} is in none of its sources")
        if len(answer) > 60:
            problems.append(f"{where}: answer {answer!r} is not short")
    rng = row.get("expected_range")
    if kind == "time":
        if not (isinstance(rng, list) and len(rng) == 2):
            problems.append(f"{where}: time question needs expected_range [since, until]")
        else:
            since, until = iso(rng[0]), iso(rng[1])
            if since is None or until is None:
                problems.append(f"{where}: expected_range {rng} holds an invalid ISO date")
            elif since > until:
                problems.append(f"{where}: expected_range {rng} runs backwards")
            else:
                if asked and until > asked:
                    problems.append(f"{where}: expected_range ends after asked_on")
                dates = [articles[s]["date"] for s in sources if s in articles and articles[s]["date"]]
                if dates and not any(since <= d <= until for d in dates):
                    problems.append(f"{where}: no source is dated inside expected_range {rng}")
    elif rng is not None:
        problems.append(f"{where}: {kind} question must have expected_range null")
    conflict, values = row.get("conflict"), row.get("conflict_values")
    if not isinstance(values, list):
        problems.append(f"{where}: conflict_values must be a list")
        values = []
    if kind == "conflict":
        if conflict is not True:
            problems.append(f"{where}: conflict question must have conflict true")
        if len(values) < 2 or len({norm(v) for v in values}) < len(values):
            problems.append(f"{where}: conflict needs at least two different conflict_values")
        if {norm(v) for v in values} != {norm(a) for a in answers}:
            problems.append(f"{where}: answers must list exactly the conflict_values")
        if len(sources) < 2:
            problems.append(f"{where}: conflict question needs at least two sources")
        for value in values:
            holders = [s for s in sources if s in articles and norm(value) in articles[s]["text"]]
            if not holders:
                problems.append(f"{where}: conflict value {value!r} is in none of its sources")
        outlets = {articles[s].get("Source") for s in sources if s in articles}
        if len(outlets) < 2:
            problems.append(f"{where}: conflicting sources must come from at least two outlets")
    else:
        if conflict is not False:
            problems.append(f"{where}: {kind} question must have conflict false")
        if values:
            problems.append(f"{where}: {kind} question must have empty conflict_values")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=HERE / "articles")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    args = parser.parse_args(argv)

    problems: list[str] = []
    articles = {}
    for path in sorted(args.articles.glob("*")):
        if path.suffix != ".txt":
            problems.append(f"{path.name}: not a .txt article")
            continue
        article, found = parse_article(path)
        problems += found
        if article:
            articles[path.name] = article

    rows = []
    try:
        for number, line in enumerate(args.questions.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    problems.append(f"questions line {number}: not JSON ({exc})")
    except OSError as exc:
        problems.append(f"cannot read {args.questions}: {exc}")

    seen, story_splits = set(), defaultdict(set)
    for number, row in enumerate(rows, 1):
        where = f"row {number} ({row.get('id', '?')})"
        if row.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(row.get("id"))
        story_splits[row.get("story")].add(row.get("split"))
        problems += check_question(row, where, articles)
    for story, splits in sorted(story_splits.items(), key=lambda item: str(item[0])):
        if len(splits) > 1:
            problems.append(f"story {story}: questions in more than one split {sorted(map(str, splits))}")

    dated = [a for a in articles.values() if a["date"]]
    print(f"articles: {len(articles)} ({len(dated)} dated, {len(articles) - len(dated)} undated)")
    if dated:
        print(f"  dates: {min(a['date'] for a in dated)} to {max(a['date'] for a in dated)}")
    print("  by outlet: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(a.get('Source') for a in articles.values()).items())))
    words = [a["words"] for a in articles.values()]
    if words:
        print(f"  body words: min {min(words)}, mean {sum(words) // len(words)}, max {max(words)}")
    print(f"questions: {len(rows)}")
    by_type = Counter(r.get("type") for r in rows)
    by_split = Counter(r.get("split") for r in rows)
    print("  by type: " + ", ".join(f"{t} {by_type.get(t, 0)}" for t in TYPES))
    print("  by split: " + ", ".join(f"{s} {by_split.get(s, 0)}" for s in SPLITS))
    cross = Counter((r.get("type"), r.get("split")) for r in rows)
    for t in TYPES:
        print(f"    {t:8s} " + "  ".join(f"{s} {cross.get((t, s), 0)}" for s in SPLITS))
    by_story = Counter(r.get("story") for r in rows)
    print("  by story: " + ", ".join(f"{k} {v}" for k, v in sorted(by_story.items(), key=lambda i: str(i[0]))))
    cited = {s for r in rows for s in r.get("sources", [])}
    print(f"  articles cited by some question: {len(cited & set(articles))} of {len(articles)}")

    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print("  " + problem)
        return 1
    print("\nno problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
