"""Follow feeds and sitemaps: fetch what changed, read the new items' pages, hand the articles to the index.

The follower knows nothing of the index: it is given ``index_articles(articles)`` and ``is_known(url)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from retrieval.core.errors import InputError
from retrieval.core.types import Article
from retrieval.feeds.extract import article_from_page, article_from_text
from retrieval.feeds.http import Fetcher, FetchResult
from retrieval.feeds.parse import detect_kind, feed_links, parse_feed, parse_sitemap
from retrieval.feeds.registry import Feed, FeedRegistry

ProgressFn = Callable[[str, int, int], None]  # progress(stage, done, total); stage is "feeds"
FEED_KINDS = ("rss", "atom", "jsonfeed")
SITEMAP_KINDS = ("sitemap", "sitemapindex")


@dataclass(frozen=True)
class FollowPolicy:
    """How often feeds are read and how much is taken from them at once. Times are seconds."""

    interval: float = 1800.0  # a healthy feed is read again after this
    backoff_base: float = 900.0  # wait after the first failure; doubles with each further failure ...
    backoff_max: float = 86_400.0  # ... up to this
    max_items: int = 50  # item pages read per feed and refresh; the rest wait for the next refresh
    max_child_sitemaps: int = 10  # children of a sitemap index read per refresh
    full_text_words: int = 150  # feed content this long is indexed as is, without reading the page


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


@dataclass(frozen=True)
class _Candidate:
    url: str
    title: str | None = None
    date: str | None = None
    text: str | None = None  # the full text, when the feed carries it


def backoff_delay(failures: int, policy: FollowPolicy) -> float:
    """Seconds before a feed that failed ``failures`` times in a row is tried again."""
    return min(policy.backoff_base * 2 ** max(failures - 1, 0), policy.backoff_max)


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
            return self._fail(feed, now, result.error, result.retry_after)
        if result.not_modified:
            updated = self.registry.record_fetch(
                feed.id,
                now=now,
                status="not modified",
                next_due=now + self.policy.interval,
                etag=result.etag or feed.etag,
                last_modified=result.last_modified or feed.last_modified,
            )
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
            return self._fail(feed, now, error) if feed else FeedOutcome(url, "failed", kind=kind, error=error)
        candidates, parse_error, title, failed = self._candidates(kind, result)
        if parse_error and not candidates:
            return (
                self._fail(feed, now, parse_error) if feed else FeedOutcome(url, "failed", kind=kind, error=parse_error)
            )
        outcome = FeedOutcome(url, "unchanged", kind=kind, name=name or title, failed=failed, error=parse_error)
        complete = self._ingest(candidates, feed.id if feed else None, now, outcome)
        outcome.status = "new" if outcome.new else "unchanged"
        if feed is not None:
            # validators are kept only when every item was dealt with: else the next fetch must not be a 304
            outcome.feed = self.registry.record_fetch(
                feed.id,
                now=now,
                status=f"ok: {len(outcome.new)} new, {outcome.known} known, {len(outcome.failed)} failed",
                next_due=now + self.policy.interval,
                error=parse_error,
                etag=result.etag if complete else None,
                last_modified=result.last_modified if complete else None,
                new_articles=len(outcome.new),
                kind=kind,
                name=title,
            )
        return outcome

    def _fail(self, feed: Feed, now: float, error: str, retry_after: float | None = None) -> FeedOutcome:
        failures = feed.failures + 1
        wait = backoff_delay(failures, self.policy)
        if retry_after:
            wait = max(wait, min(retry_after, self.policy.backoff_max))
        updated = self.registry.record_fetch(
            feed.id,
            now=now,
            status="failed",
            error=error,
            failures=failures,
            next_due=now + wait,
            etag=feed.etag,
            last_modified=feed.last_modified,
        )
        return FeedOutcome(feed.url, "failed", kind=feed.kind, name=feed.name, feed=updated, error=error)

    def _candidates(
        self, kind: str, result: FetchResult
    ) -> tuple[list[_Candidate], str | None, str | None, list[tuple[str, str]]]:
        """(items, parse error, feed title, failed child sitemaps) of a fetched feed or sitemap."""
        if kind in FEED_KINDS:
            parsed = parse_feed(result.content, content_type=result.content_type, base_url=result.final_url)
            items = [
                _Candidate(
                    item.url,
                    item.title,
                    item.date,
                    item.content if len(item.content.split()) >= self.policy.full_text_words else None,
                )
                for item in parsed.items
            ]
            return items, parsed.error, parsed.title, []
        sitemap = parse_sitemap(result.content, max_bytes=self.fetcher.policy.max_bytes * 5)
        pages, error, failed = list(sitemap.pages), sitemap.error, []
        for child in sitemap.children[: self.policy.max_child_sitemaps]:
            fetched = self.fetcher.fetch(child)
            if fetched.error:
                failed.append((child, fetched.error))
                continue
            child_map = parse_sitemap(fetched.content, max_bytes=self.fetcher.policy.max_bytes * 5)
            pages.extend(child_map.pages)
            if child_map.error:
                failed.append((child, child_map.error))
        pages.sort(key=lambda p: p.date or p.lastmod or "", reverse=True)  # newest first under the item cap
        return [_Candidate(p.url, p.title, p.date) for p in pages], error, None, failed

    def _ingest(self, candidates: list[_Candidate], feed_id: int | None, now: float, outcome: FeedOutcome) -> bool:
        """Turn the new candidates into articles and index them; return whether every item was dealt with."""
        pending: list[tuple[str, Article]] = []
        in_run: set[str] = set()
        complete = True
        for candidate in candidates:
            if candidate.url in in_run:
                continue  # the feed lists the same link twice
            in_run.add(candidate.url)
            if self._known(candidate.url):
                outcome.known += 1
                continue
            if len(pending) + len(outcome.failed) >= self.policy.max_items:
                outcome.left += 1
                complete = False
                continue
            if candidate.text:
                pending.append(
                    (
                        candidate.url,
                        article_from_text(candidate.text, candidate.url, title=candidate.title, date=candidate.date),
                    )
                )
                continue
            article, transient = self._item_page(candidate, feed_id, now, outcome)
            complete = complete and not transient
            if article is None:
                continue
            canonical = article.url or candidate.url
            if canonical != candidate.url and (canonical in in_run or self._known(canonical)):
                outcome.known += 1
                self.registry.mark_seen(
                    candidate.url, canonical_url=canonical, content_hash=article.content_hash, feed_id=feed_id, now=now
                )
                continue
            in_run.add(canonical)
            pending.append((candidate.url, article))
        if pending:
            self.index_articles([article for _, article in pending])
        for url, article in pending:
            self.registry.mark_seen(
                url, canonical_url=article.url, content_hash=article.content_hash, feed_id=feed_id, now=now
            )
            outcome.new.append((article.url or url, article.title))
        return complete

    def _item_page(
        self, candidate: _Candidate, feed_id: int | None, now: float, outcome: FeedOutcome
    ) -> tuple[Article | None, bool]:
        """The article of one item's page, or None with the failure reported; and whether it failed transiently.

        A page that failed for good (404, robots.txt, no article text) is marked seen so that it is not read
        again; a transient failure (timeout, 5xx) is retried at the next refresh.
        """
        fetched = self.fetcher.fetch(candidate.url)
        if fetched.error:
            outcome.failed.append((candidate.url, fetched.error))
            if not fetched.transient:
                self.registry.mark_seen(candidate.url, feed_id=feed_id, now=now)
            return None, fetched.transient
        final = fetched.final_url
        if final != candidate.url and self._known(final):
            outcome.known += 1
            self.registry.mark_seen(candidate.url, canonical_url=final, feed_id=feed_id, now=now)
            return None, False
        kind = detect_kind(fetched.content, fetched.content_type, final)
        try:
            if kind not in ("html", "unknown"):
                raise InputError(f"the link leads to a {kind}, not an article page")
            article = article_from_page(
                fetched.content, final, title=candidate.title, date=candidate.date, charset=fetched.charset
            )
        except InputError as exc:
            outcome.failed.append((candidate.url, str(exc)))
            self.registry.mark_seen(candidate.url, canonical_url=final, feed_id=feed_id, now=now)
            return None, False
        return article, False

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
