"""The items a fetched feed or sitemap lists (a sitemap index's children read too), newest first."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.feeds.http import Fetcher, FetchResult
from retrieval.feeds.parse import parse_feed, parse_sitemap
from retrieval.feeds.schedule import FollowPolicy

FEED_KINDS = ("rss", "atom", "jsonfeed")
SITEMAP_KINDS = ("sitemap", "sitemapindex")


@dataclass(frozen=True)
class Item:
    """One link a feed or sitemap lists, with what it says of it."""

    url: str
    title: str | None = None
    date: str | None = None
    text: str | None = None  # the full text, when the feed carries it


def feed_items(
    kind: str, result: FetchResult, fetcher: Fetcher, policy: FollowPolicy
) -> tuple[list[Item], str | None, str | None, list[tuple[str, str]]]:
    """(items, parse error, feed title, failed child sitemaps) of a fetched feed or sitemap."""
    if kind in FEED_KINDS:
        parsed = parse_feed(result.content, content_type=result.content_type, base_url=result.final_url)
        items = [
            Item(
                item.url,
                item.title,
                item.date,
                item.content if len(item.content.split()) >= policy.full_text_words else None,
            )
            for item in parsed.items
        ]
        return items, parsed.error, parsed.title, []
    sitemap = parse_sitemap(result.content, max_bytes=fetcher.policy.max_bytes * 5)
    pages, error, failed = list(sitemap.pages), sitemap.error, []
    for child in sitemap.children[: policy.max_child_sitemaps]:
        fetched = fetcher.fetch(child)
        if fetched.error:
            failed.append((child, fetched.error))
            continue
        child_map = parse_sitemap(fetched.content, max_bytes=fetcher.policy.max_bytes * 5)
        pages.extend(child_map.pages)
        if child_map.error:
            failed.append((child, child_map.error))
    pages.sort(key=lambda p: p.date or p.lastmod or "", reverse=True)  # newest first under the item cap
    return [Item(p.url, p.title, p.date) for p in pages], error, None, failed
