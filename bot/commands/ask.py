"""`newsbot ask QUESTION`: one answer with numbered citations."""

from __future__ import annotations

import argparse
from typing import Any

from bot.usage import iso_date, positive_int


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ask",
        help="answer one question with cited passages",
        description="Answer one question from the indexed articles. An empty index is seeded with the bundled "
        "articles first.",
        epilog='Example: newsbot ask "who evacuated via Khmeimim?" --json\n'
        '         NEWSBOT_LLM=ollama:llama3.1 newsbot ask "who evacuated via Khmeimim?"  (docs/llm.md)',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("question", help="the question, in quotes")
    p.add_argument(
        "-k", type=positive_int, default=None, metavar="N", help="at most N citations (default NEWSBOT_TOP_K)"
    )
    p.add_argument("--since", metavar="YYYY-MM-DD", type=iso_date, help="only articles dated on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", type=iso_date, help="only articles dated on or before")
    p.add_argument("--source", metavar="TEXT", help="only articles whose source path or URL contains TEXT")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval mode (default: settings)")
    p.add_argument(
        "--answerer",
        choices=["extractive", "llm"],
        default=None,
        help="who writes the answer: extractive quotes, or the LLM named by NEWSBOT_LLM with its "
        "citations checked (default: llm when NEWSBOT_LLM is set, else extractive)",
    )
    p.add_argument("--json", action="store_true", help="print the Answer as JSON on stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import notice, out
    from bot.render import answer_json, print_answer
    from retrieval.newsbot import Newsbot

    bot = Newsbot(settings, notice=notice)
    bot.prepare_fast_encoder()  # the one-time ONNX export, with its progress line
    answer = bot.ask(
        args.question,
        k=args.k,
        since=args.since,
        until=args.until,
        source=args.source,
        mode=args.mode,
        answerer=args.answerer,
    )
    if args.json:
        print(answer_json(answer))
    else:
        print_answer(answer, out())
    return 0
