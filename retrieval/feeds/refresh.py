"""Follow feeds and sitemaps: `FeedFollower` adds, removes and refreshes them, in steps of their own modules:
fetch (`http`), list the items (`items`), read the new ones into articles and index them (`collect`), record the
fetch and when the feed is due again (`schedule`).

The follower knows nothing of the index: it is given ``index_articles(articles)`` and ``is_known(url)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from retrieval.core.errors import InputError
from retrieval.core.types import Article
from retrieval.feeds.collect import Collector
from retrieval.feeds.extract import article_from_page
from retrieval.feeds.http import Fetcher, FetchResult
from retrieval.feeds.items import FEED_KINDS, SITEMAP_KINDS, feed_items
from retrieval.feeds.parse import detect_kind, feed_links
from retrieval.feeds.registry import Feed, FeedRegistry
from retrieval.feeds.schedule import FollowPolicy, Schedule

ProgressFn = Callable[[str, int, int], None]  # progress(stage, done, total); stage is "feeds"


@dataclass
class FeedOutcome:
    """What happened to one feed (or one page) in an add, a refresh or an ingest.

    ``status``: "new" (articles indexed), "unchanged" (nothing new), "not-modified" (304), "failed",
    "page" (a single article page indexed once, not followed) or "known" (the page was already indexed).
    """

    url: str
    status: str
    kind: str | None = None
    name: str | None = None
    feed: Feed | None = None
    new: list[tuple[str, str]] = field(default_factory=list)  # (url, title) of the articles indexed
    known: int = 0  # items skipped because they were seen or indexed already
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item url, reason)
    left: int = 0  # items left for the next refresh (``max_items``)
    error: str | None = None  # why the feed itself failed, or a partial problem (malformed XML)
    note: str | None = None  # something the user should know (pages are not followed, ...)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RefreshReport:
    """The outcome of one refresh, feed by feed."""

    feeds: list[FeedOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new_articles(self) -> int:
        return sum(len(outcome.new) for outcome in self.feeds)

    @property
    def failed_feeds(self) -> list[FeedOutcome]:
        return [outcome for outcome in self.feeds if outcome.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {"feeds": [o.to_dict() for o in self.feeds], "new_articles": self.new_articles, "seconds": self.seconds}


class FeedFollower:
    """Adds, removes and refreshes followed feeds; turns their new items into articles for ``index_articles``."""

    def __init__(
        self,
        registry: FeedRegistry,
        fetcher: Fetcher,
        index_articles: Callable[[list[Article]], Any],
        is_known: Callable[[str], bool],
        *,
        policy: FollowPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.fetcher = fetcher
        self.index_articles = index_articles
        self.is_known = is_known
        self.policy = policy or FollowPolicy()
        self._clock = clock
        self.schedule = Schedule(registry, self.policy)
        self.collect = Collector(registry, fetcher, index_articles, self._known, self.policy)

    # -- public --------------------------------------------------------------------------------------------

    def add(self, url: str, name: str | None = None, language: str | None = None) -> FeedOutcome:
        """Follow a feed or a sitemap and index its current items; raise `InputError` when ``url`` is neither.

        An article page is indexed once and not followed (``status == "page"``; ``note`` says so and names the
        feed the page advertises, if any). A page with no article text that advertises a feed (a home page)
        makes newsbot follow that feed instead.
        """
        if self.registry.get(url) is not None:
            raise InputError(f"already following {url}")
        now = self._clock()
        result = self.fetcher.fetch(url)
        if result.error:
            raise InputError(f"cannot read {url}: {result.error}")
        kind = detect_kind(result.content, result.content_type, result.final_url)
        if kind == "html":
            links = feed_links(result.content, result.final_url)
            outcome = self._page(url, result)
            if outcome.status in ("page", "known"):
                outcome.note = "an article page: indexed once, pages are not followed" + (
                    f"; to follow the site, add its feed {links[0]}" if links else ""
                )
                return outcome
            if links and self.registry.get(links[0]) is not None:
                raise InputError(f"{url} is not an article page; the feed it advertises, {links[0]}, is followed")
            if links:
                outcome = self.add(links[0], name=name, language=language)
                outcome.note = f"{url} is not an article: following the feed it advertises, {links[0]}"
                return outcome
            raise InputError(f"{url} is not a feed, a sitemap or an article page ({outcome.error})")
        if kind not in FEED_KINDS + SITEMAP_KINDS:
            raise InputError(
                f"{url} is not a feed, a sitemap or a web page "
                f"({result.content_type.split(';')[0] or 'no content type'})"
            )
        feed_url = result.final_url
        if feed_url != url and self.registry.get(feed_url) is not None:
            raise InputError(f"already following {feed_url} (where {url} leads)")
        feed = self.registry.add(feed_url, kind=kind, name=name, language=language, now=now)
        return self._process(feed, result, now)

    def remove(self, url_or_id: str | int) -> Feed:
        """Stop following a feed (by URL or id); raise `InputError` when it is not followed."""
        return self.registry.remove(url_or_id)

    def feeds(self) -> list[Feed]:
        return self.registry.list()

    def refresh(
        self, now: float | None = None, only_due: bool = True, progress: ProgressFn | None = None
    ) -> RefreshReport:
        """Read the feeds that are due (or all), index their new items, record each feed's state.

        An error raised by ``index_articles`` stops the refresh: the feed being read keeps its old state (still
        due, its items not marked seen), so the next refresh reads it again in full.
        """
        started = time.perf_counter()
        now = self._clock() if now is None else now
        feeds = self.registry.due(now) if only_due else self.registry.list()
        report = RefreshReport()
        for done, feed in enumerate(feeds, 1):
            report.feeds.append(self._refresh_feed(feed, now))
            if progress:
                progress("feeds", done, len(feeds))
        report.seconds = time.perf_counter() - started
        return report

    def ingest_url(self, url: str) -> FeedOutcome:
        """Index one page, or the current items of one feed or sitemap, once, without following it."""
        if self.registry.seen(url) or self.is_known(url):
            return FeedOutcome(url, "known", known=1)
        result = self.fetcher.fetch(url)
        if result.error:
            return FeedOutcome(url, "failed", error=result.error)
        kind = detect_kind(result.content, result.content_type, result.final_url)
        if kind == "html":
            return self._page(url, result)
        if kind not in FEED_KINDS + SITEMAP_KINDS:
            return FeedOutcome(url, "failed", kind=kind, error="not a feed, a sitemap or a web page")
        return self._process(None, result, self._clock())

    # -- one feed ------------------------------------------------------------------------------------------

    def _refresh_feed(self, feed: Feed, now: float) -> FeedOutcome:
        result = self.fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if result.error:
            return self._failed(feed, now, result.error, result.retry_after)
        if result.not_modified:
            updated = self.schedule.not_modified(feed, now, result.etag, result.last_modified)
            return FeedOutcome(feed.url, "not-modified", kind=feed.kind, name=feed.name, feed=updated)
        return self._process(feed, result, now)

    def _process(self, feed: Feed | None, result: FetchResult, now: float) -> FeedOutcome:
        """Parse a fetched feed or sitemap, index its new items and (for a followed feed) record the fetch."""
        kind: str = detect_kind(result.content, result.content_type, result.final_url)
        if kind == "unknown" and feed is not None:
            kind = feed.kind  # the server lost its content type: trust what the feed was
        url = feed.url if feed else result.url
        name = feed.name if feed else None
        if kind not in FEED_KINDS + SITEMAP_KINDS:
            error = f"not a feed or a sitemap (the URL serves {kind})"
            return self._failed(feed, now, error) if feed else FeedOutcome(url, "failed", kind=kind, error=error)
        candidates, parse_error, title, failed = feed_items(kind, result, self.fetcher, self.policy)
        if parse_error and not candidates:
            return (
                self._failed(feed, now, parse_error)
                if feed
                else FeedOutcome(url, "failed", kind=kind, error=parse_error)
            )
        outcome = FeedOutcome(url, "unchanged", kind=kind, name=name or title, failed=failed, error=parse_error)
        complete = self.collect(candidates, feed.id if feed else None, now, outcome)
        outcome.status = "new" if outcome.new else "unchanged"
        if feed is not None:
            # validators are kept only when every item was dealt with: else the next fetch must not be a 304
            summary = f"ok: {len(outcome.new)} new, {outcome.known} known, {len(outcome.failed)} failed"
            validators = (result.etag, result.last_modified) if complete else (None, None)
            outcome.feed = self.schedule.read(
                feed, now, summary, parse_error, validators, len(outcome.new), kind, title
            )
        return outcome

    def _page(self, url: str, result: FetchResult) -> FeedOutcome:
        """Index one fetched article page (not followed)."""
        now = self._clock()
        final = result.final_url
        if self._known(url) or (final != url and self._known(final)):
            return FeedOutcome(url, "known", kind="html", known=1)
        try:
            article = article_from_page(result.content, final, charset=result.charset)
        except InputError as exc:
            return FeedOutcome(url, "failed", kind="html", error=str(exc))
        if article.url and article.url != url and self._known(article.url):
            return FeedOutcome(url, "known", kind="html", known=1)
        self.index_articles([article])
        self.registry.mark_seen(url, canonical_url=article.url, content_hash=article.content_hash, now=now)
        return FeedOutcome(url, "page", kind="html", name=article.title, new=[(article.url or url, article.title)])

    def _known(self, url: str) -> bool:
        return self.registry.seen(url) or self.is_known(url)

    def _failed(self, feed: Feed, now: float, error: str, retry_after: float | None = None) -> FeedOutcome:
        updated = self.schedule.failed(feed, now, error, retry_after)
        return FeedOutcome(feed.url, "failed", kind=feed.kind, name=feed.name, feed=updated, error=error)
