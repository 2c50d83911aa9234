"""`newsbot feeds`: list, add and remove followed feeds, sitemaps and sites."""

from __future__ import annotations

import argparse
import json
from typing import Any

from retrieval.core.wording import counted


def register(sub: Any) -> None:
    p = sub.add_parser(
        "feeds",
        help="follow RSS, Atom and JSON feeds and news sitemaps (list, add, remove)",
        description="Followed feeds and sitemaps, with their last fetch, status and article count. `feeds add URL` "
        "accepts an RSS, Atom or JSON feed, a news sitemap or sitemap index, or a page (an article page is indexed "
        "once; a home page that advertises a feed makes newsbot follow that feed). Its current items are "
        "indexed at once; `newsbot refresh` (or the running bot) fetches what is new.",
        epilog="Examples: newsbot feeds add https://www.example.org/rss.xml --name Example\n"
        "          newsbot feeds            newsbot feeds remove https://www.example.org/rss.xml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="JSON on stdout")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list followed feeds (the default)")
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    add = actions.add_parser("add", help="follow a feed or sitemap (and index its current items)")
    add.add_argument("url", help="the feed, sitemap or page URL")
    add.add_argument("--name", help="a name shown in `newsbot feeds`")
    add.add_argument("--language", help="the feed's language, e.g. en")
    add.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    remove = actions.add_parser("remove", help="stop following a feed (its articles stay until `sources remove`)")
    remove.add_argument("feed", help="the feed's URL or id (see `newsbot feeds`)")
    remove.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout")
    p.set_defaults(run=run, action="list")


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import notice, out
    from retrieval.core.errors import InputError
    from retrieval.newsbot import Newsbot

    with Newsbot(settings, notice=notice) as bot:
        follower = bot.feeds
        if args.action == "add":
            try:
                outcome = follower.add(args.url, name=args.name, language=args.language)
            except InputError as exc:
                raise InputError(str(exc)) from None
            if args.json:
                print(json.dumps(outcome.to_dict(), ensure_ascii=False, default=str))
            else:
                print_outcome(outcome)
            return 0
        if args.action == "remove":
            feed = follower.remove(int(args.feed) if args.feed.isdigit() else args.feed)
            if args.json:
                print(json.dumps({"removed": feed.url}))
            else:
                notice(f"stopped following {feed.url}; its articles stay indexed (`newsbot sources remove` them)")
            return 0
        feeds = follower.feeds()
    if args.json:
        print(json.dumps([feed_dict(f) for f in feeds], ensure_ascii=False))
        return 0
    from rich.table import Table

    title = f"{counted(len(feeds), 'feed')} followed"
    table = Table(title=title)
    table.add_column("id", no_wrap=True, min_width=max([len(str(f.id)) for f in feeds] + [2]))  # never cut
    table.add_column("feed", overflow="fold")  # a URL `feeds remove` takes: wrapped, never cut
    for header in ("kind", "articles", "last fetch", "status"):
        table.add_column(header)
    for f in feeds:
        status = f.last_status or "never fetched"
        if f.last_error:
            status += f": {f.last_error}"
        if f.failures:
            status += f" ({counted(f.failures, 'failure')} in a row; next try {_when(f.next_due)})"
        table.add_row(str(f.id), f.name or f.url, f.kind, str(f.articles), _when(f.last_fetch), status)
    out().print(table)
    return 0


def feed_dict(feed: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(feed)


def _when(stamp: float | None) -> str:
    if not stamp:
        return "-"
    import datetime as dt

    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def print_outcome(outcome: Any) -> None:
    """One feed's outcome on stderr: what was indexed, skipped and why anything failed."""
    from bot.console import notice

    what = outcome.name or outcome.url
    notice(
        f"{what}: {outcome.status}; {len(outcome.new)} new, {outcome.known} already known"
        + (f", {outcome.left} left for the next refresh" if outcome.left else "")
    )
    for url, title in outcome.new:
        notice(f"  + {title} <{url}>")
    for url, reason in outcome.failed:
        notice(f"  failed: {url}: {reason}")
    if outcome.error:
        notice(f"  error: {outcome.error}")
    if outcome.note:
        notice(f"  note: {outcome.note}")
