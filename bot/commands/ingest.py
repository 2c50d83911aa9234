"""`newsbot ingest PATH...`: index files and folders, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from retrieval.core.wording import counted


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ingest",
        help="index article files and folders (txt, md, html, json, jsonl)",
        description="Index articles. Folders are read recursively. Unchanged files are skipped; a changed file "
        "replaces its old passages. A bad file is reported and the rest go on.",
        epilog="Example: newsbot ingest ~/news/ latest.html feed.jsonl\n"
        "Exit codes: 0 every file read; 3 done, but some files failed (each named on stderr); 1 nothing could be "
        "indexed; 2 usage.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or http(s) URLs of pages or feeds")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import notice, progress_bar
    from retrieval.core.types import IngestReport
    from retrieval.newsbot import Newsbot

    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    files = [p for p in args.paths if p not in urls]
    with Newsbot(settings, notice=notice, purpose="ingest") as bot:
        with progress_bar(enabled=not args.no_progress and sys.stderr.isatty()) as progress:
            report = bot.ingest(files, progress=progress) if files else IngestReport()
        for url in urls:  # one page, or one feed's current items, once (`newsbot feeds add` follows a feed)
            outcome = bot.feeds.ingest_url(url)
            report.added += [u for u, _ in outcome.new]
            report.failed += outcome.failed
            if outcome.status == "known":
                report.unchanged.append(url)
            elif outcome.status == "failed":
                report.failed.append((url, outcome.error or "cannot read"))
        if report.added or report.replaced:
            bot.prepare_fast_encoder()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print_report(report, verbose=args.verbose)
    return exit_code(report)


DONE_WITH_FAILURES = 3


def exit_code(report: Any) -> int:
    """0: every input read; 3: done, but some inputs failed (each named above); 1: every input failed."""
    if not report.failed:
        return 0
    return DONE_WITH_FAILURES if (report.added or report.replaced or report.unchanged or report.copies) else 1


def print_report(report: Any, verbose: bool = False) -> None:
    """The ingest summary on stderr: counts, then one line per failed file (and, ``verbose``, per copy)."""
    print(
        f"added {len(report.added)}, unchanged {len(report.unchanged)}, copies {len(report.copies)}, "
        f"replaced {len(report.replaced)}, failed {len(report.failed)}, reprints {len(report.reprints)}; "
        f"{counted(report.chunks, 'passage')} embedded in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    if verbose:
        for source, other in report.copies:
            print(f"  copy: {source}: same text as {other}", file=sys.stderr)
    for source, reason in report.skipped:
        print(f"  skipped: {source}: {reason}", file=sys.stderr)
    for source, leader in report.reprints:
        print(f'  reprint: {source}: grouped under "{leader}" (cited as one story)', file=sys.stderr)
    for source, reason in report.failed:
        print(f"  failed: {source}: {reason}", file=sys.stderr)
