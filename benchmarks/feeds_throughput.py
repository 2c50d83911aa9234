"""How fast the offline parts of `retrieval.feeds` are: page extraction, feed parsing, seen-URL lookups.

Usage: python benchmarks/feeds_throughput.py [--items 500] [--seen 100000]
Everything runs on the invented pages of tests/fixtures/web and synthetic feeds; no network at all.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.feeds import FeedRegistry, article_from_page, parse_feed

WEB = ROOT / "tests" / "fixtures" / "web"
BASE = "http://127.0.0.1:8000"


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500, help="items in the synthetic RSS feed")
    parser.add_argument("--seen", type=int, default=100_000, help="rows in the seen table")
    args = parser.parse_args()

    pages = [p.read_text(encoding="utf-8").replace("{{BASE}}", BASE) for p in sorted((WEB / "articles").glob("*.html"))
             if p.name != "section.html"]
    article_from_page(pages[0], BASE + "/warm-up")
    per_page = _timed(lambda: [article_from_page(html, BASE + "/p") for html in pages], 10)
    print(f"article_from_page: {statistics.median(per_page) / len(pages) * 1000:.1f} ms per page "
          f"(median of 10 runs over {len(pages)} pages of ~7 KB)")

    items = "".join(
        f"<item><title>Story {i}</title><link>{BASE}/news/{i}</link><guid>{BASE}/news/{i}</guid>"
        f"<pubDate>Sat, 09 May 2026 10:00:00 GMT</pubDate><description>Summary of story {i}.</description></item>"
        for i in range(args.items)
    )
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    parsed = _timed(lambda: parse_feed(feed), 5)
    print(f"parse_feed: {statistics.median(parsed) * 1000:.0f} ms for {args.items} items ({len(feed) // 1024} KB)")

    with tempfile.TemporaryDirectory() as tmp, FeedRegistry(Path(tmp) / "feeds.sqlite3") as registry:
        start = time.perf_counter()
        for i in range(args.seen):
            registry.mark_seen(f"{BASE}/news/{i}", canonical_url=f"{BASE}/c/{i}", content_hash=str(i))
        marked = time.perf_counter() - start
        lookups = _timed(lambda: [registry.seen(f"{BASE}/c/{i}") for i in range(0, args.seen, args.seen // 1000)], 3)
        print(f"registry: mark_seen {marked / args.seen * 1e6:.0f} us per URL ({args.seen} URLs), "
              f"seen() {statistics.median(lookups) / 1000 * 1e6:.0f} us per lookup")


if __name__ == "__main__":
    main()
