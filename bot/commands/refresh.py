"""`newsbot refresh`: fetch every followed feed that is due, once (for cron), with a summary."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from retrieval.core.wording import counted


def register(sub: Any) -> None:
    p = sub.add_parser(
        "refresh",
        help="fetch new articles from the followed feeds",
        description="Fetch every followed feed that is due (conditional GET: unchanged feeds cost nothing), index "
        "their new items, and print one line per feed. Run it from cron; the Telegram bot does it by itself every "
        "NEWSBOT_REFRESH_MINUTES.",
        epilog="Example: */30 * * * * newsbot refresh --no-progress    |   newsbot refresh --all --json\n"
        "Exit codes: 0 all feeds read; 3 done, but some feeds failed (named on stderr); 1 error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--all", action="store_true", help="every feed, not only those due")
    p.add_argument("--json", action="store_true", help="the report as JSON on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.commands.feeds import print_outcome
    from bot.console import notice, progress_bar
    from retrieval.newsbot import Newsbot

    with (
        Newsbot(settings, notice=notice) as bot,
        progress_bar(enabled=not args.no_progress and sys.stderr.isatty()) as progress,
    ):
        report = bot.feeds.refresh(only_due=not args.all, progress=progress)
        waiting = len(bot.feeds.feeds()) - len(report.feeds)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    else:
        for outcome in report.feeds:
            print_outcome(outcome)
    notice(
        f"refreshed {counted(len(report.feeds), 'feed')} in {report.seconds:.1f} s: "
        f"{counted(report.new_articles, 'new article')}, {counted(len(report.failed_feeds), 'feed')} failed"
    )
    if waiting > 0:  # fetched a moment ago: a site is asked again only after most of NEWSBOT_REFRESH_MINUTES
        notice(f"{counted(waiting, 'feed')} not due yet; `newsbot refresh --all` fetches every feed now")
    return 3 if report.failed_feeds else 0
