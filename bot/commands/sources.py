"""`newsbot sources`: what is indexed; `newsbot sources remove ID|PATH` takes an article out."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from retrieval.core.wording import counted

if TYPE_CHECKING:
    from rich.table import Table

    from retrieval.core.types import SourceInfo


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sources",
        help="list indexed articles, or remove one",
        description="List indexed articles (title, date, source, passages, the reprints grouped under each), or "
        "`remove ID|PATH`.",
        epilog="Examples: newsbot sources --json    newsbot sources remove 3f2a9c1d0e4b5a6f ~/news/old.txt",
    )
    p.add_argument("--json", action="store_true", help="JSON on stdout")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list indexed articles (the default)")
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    remove = actions.add_parser(
        "remove",
        help="take articles out of the index",
        description="Take articles out of the index, by document id (see `newsbot sources`; any prefix of at least 4 "
        "digits that names one article will do, as with git), source path or URL, or the file they were read from "
        "(all of its articles).",
        epilog="Example: newsbot sources remove 3f2a9c ~/news/old.txt",
    )
    remove.add_argument("target", nargs="+", help="document ids (or unique prefixes), source paths/URLs or files")
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
            notice(f"removed {counted(len(removed), 'article')}")
        return 0 if removed else fail("no indexed article matches " + ", ".join(args.target))
    sources = bot.sources()
    if args.json:
        print(json.dumps([asdict(s) for s in sources], ensure_ascii=False))
        return 0
    console = out()
    table, width = sources_table(sources, console.width)
    console.width = max(width, console.width)  # a terminal too narrow for the ids wraps the lines: no id is cut
    console.print(table)
    return 0


def sources_table(sources: list[SourceInfo], width: int) -> tuple[Table, int]:
    """The listing as a table at most ``width`` columns wide when it can be, and the width it takes.

    The id is what `sources remove` needs: it is never cut. Titles are shortened to fit (and sources wrapped), and
    on a terminal too narrow for the ids the table is printed wider than the terminal instead of cutting them.
    """
    from rich.table import Table

    id_w = max([len(s.doc_id) for s in sources] + [2])
    fixed = id_w + 10 + len("passages") + 3 * 5 + 1  # the id, date and passages columns, borders and padding
    longest = max([len(line) for s in sources for line in _source(s).splitlines()] + [len("source")])
    source_w = min(longest, max(12, (width - fixed) // 2))
    title_w = min(max([len(s.title) for s in sources] + [len("title")]), max(12, width - fixed - source_w))
    table = Table(title=counted(len(sources), "article"))
    table.add_column("id", no_wrap=True, width=id_w)
    table.add_column("date", no_wrap=True, width=10)
    table.add_column("title", no_wrap=True, overflow="ellipsis", width=title_w)
    table.add_column("source", overflow="fold", width=source_w)
    table.add_column("passages", no_wrap=True, justify="right", width=len("passages"))
    for s in sources:
        table.add_row(s.doc_id, s.date or "", s.title, _source(s), str(s.chunks))
    return table, fixed + source_w + title_w


def _source(s: SourceInfo) -> str:
    """Where the article came from, then each grouped reprint's link (as its citations list them)."""
    return "\n".join([s.url or s.source] + [f"also: {r.url or r.source}" for r in s.also])
