"""`newsbot stats`: documents, passages, disk size, model and date range of the index."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stats",
        help="size and contents of the index",
        description="Documents, passages, disk size, embedding model and date range.",
        epilog="Example: newsbot stats --json",
    )
    p.add_argument("--json", action="store_true", help="JSON on stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import notice, out
    from retrieval.newsbot import Newsbot

    stats = Newsbot(settings, notice=notice).stats().to_dict()
    if args.json:
        print(json.dumps(stats))
    else:
        console = out()
        for key, value in stats.items():
            console.print(f"{key:<12} {value}")
    return 0
