"""`newsbot reindex`: rebuild every passage and vector, e.g. after changing the embedding model."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "reindex",
        help="rebuild the index with the current settings (model, chunk size, overlap, title place)",
        description="Re-chunk and re-embed every indexed article with the current settings. The article texts "
        "are read back from the index, so the original files are not needed.",
        epilog="Example: NEWSBOT_EMBEDDING_MODEL=/models/e5-small newsbot reindex",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.commands.ingest import print_report
    from bot.console import notice, progress_bar
    from retrieval.newsbot import Newsbot

    bot = Newsbot(settings, notice=notice, purpose="ingest")
    with progress_bar(enabled=not args.no_progress and sys.stderr.isatty()) as progress:
        report = bot.reindex(progress=progress)
    bot.prepare_fast_encoder()
    print_report(report)
    return 0
