"""`newsbot sources`: what is indexed; `newsbot sources remove ID|PATH` takes an article out."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from bot.render import counted


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sources",
        help="list indexed articles, or remove one",
        description="List indexed articles (title, date, source, passages), or `remove ID|PATH`.",
        epilog="Examples: newsbot sources --json    newsbot sources remove 3f2a9c1d0e4b5a6f ~/news/old.txt",
    )
    p.add_argument("--json", action="store_true", help="JSON on stdout")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list indexed articles (the default)")
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    remove = actions.add_parser(
        "remove",
        help="take articles out of the index",
        description="Take articles out of the index, by document id (see `newsbot sources`), source path or "
        "URL, or the file they were read from (all of its articles).",
        epilog="Example: newsbot sources remove 3f2a9c1d0e4b5a6f ~/news/old.txt",
    )
    remove.add_argument("target", nargs="+", help="document ids, source paths/URLs or files")
    remove.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    p.set_defaults(run=run, action="list")


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import fail, notice, out
    from retrieval.newsbot import Newsbot

    bot = Newsbot(settings, notice=notice)
    if args.action == "remove":
        removed = bot.remove(args.target)
        if args.json:
            print(json.dumps({"removed": removed}))
        else:
            notice(f"removed {len(removed)} article(s)")
        return 0 if removed else fail("no indexed article matches " + ", ".join(args.target))
    sources = bot.sources()
    if args.json:
        print(json.dumps([asdict(s) for s in sources], ensure_ascii=False))
        return 0
    from rich.table import Table

    table = Table("id", "date", "title", "source", "passages", title=counted(len(sources), "article"))
    for s in sources:
        table.add_row(s.doc_id, s.date or "", s.title, s.url or s.source, str(s.chunks))
    out().print(table)
    return 0
