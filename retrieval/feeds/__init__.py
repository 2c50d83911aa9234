"""Articles from feeds, sitemaps and web pages, fetched politely.

The flow::

    Fetcher.fetch(url)            http.py      one GET: timeouts, size cap, retries, per-host delay, robots.txt
      -> detect_kind(bytes)       parse.py     rss | atom | jsonfeed | sitemap | sitemapindex | html | unknown
      -> parse_feed / parse_sitemap            items (url, title, date, full text when the feed has it)
      -> article_from_page(html)  extract.py   trafilatura main text + metadata -> `Article`
      -> index_articles([...])                 given by the caller (the core's ingest)
    FeedRegistry(path)            registry.py  SQLite: followed feeds (ETag, failures, next due) and seen URLs
    FeedFollower(...)             refresh.py   add / remove / refresh / ingest_url, tying the above together:
      feed_items(kind, result)    items.py     the items a feed or sitemap lists (a sitemap index's children too)
      Collector(...)              collect.py   new items -> articles (feed text, else the page) -> index, mark seen
      Schedule(...)               schedule.py  each fetch recorded; due again after the interval or the back-off

Example (the caller owns the index)::

    from retrieval.feeds import FeedFollower, FeedRegistry, Fetcher
    with FeedRegistry(data_dir / "feeds.sqlite3") as registry, Fetcher() as fetcher:
        # is_known(url): does the index already hold an article with this url/source (a metadata lookup)
        follower = FeedFollower(registry, fetcher, index_articles=bot.ingest_articles, is_known=is_known)
        follower.add("https://example.org/rss.xml")     # -> FeedOutcome (its current items are indexed)
        report = follower.refresh()                       # -> RefreshReport: due feeds only, 304s cost nothing

Nothing here raises for network or HTTP problems: they come back as one-line ``error`` values. feedparser is
only ever given bytes (it has no timeout of its own).

May import: ``core``.
"""

from __future__ import annotations

from retrieval.feeds.extract import article_from_page, article_from_text
from retrieval.feeds.http import Fetcher, FetchPolicy, FetchResult, default_user_agent
from retrieval.feeds.parse import (
    FeedItem,
    FeedResult,
    SitemapEntry,
    SitemapResult,
    detect_kind,
    feed_links,
    parse_feed,
    parse_sitemap,
)
from retrieval.feeds.refresh import FeedFollower, FeedOutcome, RefreshReport
from retrieval.feeds.registry import SCHEMA_VERSION, Feed, FeedRegistry
from retrieval.feeds.schedule import FollowPolicy, backoff_delay

__all__ = [
    "SCHEMA_VERSION",
    "Feed",
    "FeedFollower",
    "FeedItem",
    "FeedOutcome",
    "FeedRegistry",
    "FeedResult",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "FollowPolicy",
    "RefreshReport",
    "SitemapEntry",
    "SitemapResult",
    "article_from_page",
    "article_from_text",
    "backoff_delay",
    "default_user_agent",
    "detect_kind",
    "feed_links",
    "parse_feed",
    "parse_sitemap",
]
