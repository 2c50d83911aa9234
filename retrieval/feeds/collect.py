"""A feed's new items into articles: the feed's own full text, else the item's page fetched and extracted;
indexed together, each marked seen (a page that failed for good too, so that it is not read again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from retrieval.core.errors import InputError
from retrieval.core.types import Article
from retrieval.feeds.extract import article_from_page, article_from_text
from retrieval.feeds.http import Fetcher
from retrieval.feeds.items import Item
from retrieval.feeds.parse import detect_kind
from retrieval.feeds.registry import FeedRegistry
from retrieval.feeds.schedule import FollowPolicy

if TYPE_CHECKING:
    from retrieval.feeds.refresh import FeedOutcome


class Collector:
    """Reads a feed's new items into articles and hands them to ``index_articles``."""

    def __init__(
        self,
        registry: FeedRegistry,
        fetcher: Fetcher,
        index_articles: Callable[[list[Article]], Any],
        known: Callable[[str], bool],
        policy: FollowPolicy,
    ) -> None:
        self.registry = registry
        self.fetcher = fetcher
        self.index_articles = index_articles
        self._known = known
        self.policy = policy

    def __call__(self, candidates: list[Item], feed_id: int | None, now: float, outcome: FeedOutcome) -> bool:
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
        self, candidate: Item, feed_id: int | None, now: float, outcome: FeedOutcome
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
